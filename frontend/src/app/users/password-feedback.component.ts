import { ChangeDetectionStrategy, Component, computed, inject, input, type OnInit } from '@angular/core';
import { PASSWORD_RULE } from '@parley/contract';
import { PasswordStrength } from './password-strength.service';

/** The password rule under a password field, and what is wrong with the typed one, as it is typed. */
@Component({
  selector: 'parley-password-feedback',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <p class="rule">{{ rule }}</p>
    <p class="verdict" aria-live="polite" [class.ok]="verdict()?.ok">
      @if (verdict(); as v) {
        {{ v.ok ? 'Strong enough.' : v.feedback }}
      }
    </p>
  `,
  styles: `
    :host { display: block; font-size: 0.8125rem; max-width: 28rem; }
    p { margin: 0.125rem 0; }
    .rule { color: var(--mat-sys-on-surface-variant); }
    .verdict { color: var(--mat-sys-error); min-height: 1.2em; }
    .verdict.ok { color: var(--mat-sys-primary); }
  `,
})
export class PasswordFeedbackComponent implements OnInit {
  private readonly strength = inject(PasswordStrength);
  readonly password = input.required<string>();
  /** The account's user name and display name: guessable words for its password. */
  readonly userInputs = input<readonly string[]>([]);
  readonly rule = PASSWORD_RULE;
  readonly verdict = computed(() => (this.password() ? this.strength.verdict(this.password(), this.userInputs()) : null));

  ngOnInit(): void {
    this.strength.load();
  }
}
