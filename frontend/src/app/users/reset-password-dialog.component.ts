import { ChangeDetectionStrategy, Component, computed, inject, signal, type WritableSignal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { AdminUser } from '@parley/contract';
import { PasswordFeedbackComponent } from './password-feedback.component';
import { PasswordStrength } from './password-strength.service';

/**
 * A new password for someone, typed twice and hidden, with the rule shown before anything is
 * sent. Closes with the password when the admin sets it, with nothing on Cancel or Escape.
 */
@Component({
  selector: 'parley-reset-password-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, PasswordFeedbackComponent],
  template: `
    <h2 mat-dialog-title>Reset the password of {{ user.username }}?</h2>
    <form (submit)="submit($event)" [attr.aria-label]="'New password for ' + user.username" novalidate>
      <mat-dialog-content>
        <p>{{ user.username }} is signed out everywhere and must sign in with the new password. Tell them the password yourself.</p>
        <mat-form-field appearance="outline" class="field">
          <mat-label>New password</mat-label>
          <input #first matInput name="password" type="password" autocomplete="new-password" required cdkFocusInitial
                 (input)="typed(password, first.value)" />
        </mat-form-field>
        <mat-form-field appearance="outline" class="field">
          <mat-label>New password again</mat-label>
          <input #second matInput name="confirmation" type="password" autocomplete="new-password" required
                 (input)="typed(confirmation, second.value)"
                 [attr.aria-describedby]="problem() ? 'problem' : null" />
        </mat-form-field>
        @if (problem(); as text) { <p id="problem" class="problem" role="alert">{{ text }}</p> }
        <parley-password-feedback [password]="password()" [userInputs]="[user.username, user.display_name]" />
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit">Reset password of {{ user.username }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .field { display: block; width: 100%; }
    .problem { color: var(--mat-sys-error); margin: 0 0 0.5rem; }
  `,
})
export class ResetPasswordDialogComponent {
  readonly user = inject<AdminUser>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ResetPasswordDialogComponent, string>>(MatDialogRef);
  private readonly strength = inject(PasswordStrength);
  readonly password = signal('');
  readonly confirmation = signal('');
  /** Set by a refused submit; typing clears it. */
  private readonly refused = signal<string | null>(null);
  /** Said only once the second field is as long as the first: not while it is being typed. */
  private readonly mismatch = computed(() => this.confirmation().length >= this.password().length && this.confirmation() !== '' && this.confirmation() !== this.password());
  readonly problem = computed(() => this.refused() ?? (this.mismatch() ? 'The two passwords differ.' : null));

  typed(field: WritableSignal<string>, value: string): void {
    field.set(value);
    this.refused.set(null);
  }

  /**
   * The button is never disabled: the check runs on the values at the moment of the click, and
   * a refusal says why (a disabled button says nothing, and a screen reader may not reach it).
   */
  submit(event: Event): void {
    event.preventDefault();
    const password = this.password();
    if (password === '') return this.refused.set('Type the new password twice.');
    if (password !== this.confirmation()) return this.refused.set('The two passwords differ.');
    // While the rule loads (verdict null) the server's check is the only one.
    const verdict = this.strength.verdict(password, [this.user.username, this.user.display_name]);
    if (verdict && !verdict.ok) return this.refused.set(`Choose a harder password. ${verdict.feedback}`);
    this.ref.close(password);
  }
}
