import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';

/** Enter sends, Shift+Enter starts a new line; the size limit is counted in UTF-8 bytes, like the server. */
@Component({
  selector: 'parley-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule],
  template: `
    <form class="composer" (ngSubmit)="send()">
      <label class="visually-hidden" for="composer-text">Message</label>
      <textarea id="composer-text" name="text" rows="2" [disabled]="disabled()" [placeholder]="placeholder()"
        [ngModel]="text()" (ngModelChange)="onInput($event)" (keydown.enter)="onEnter($any($event))"></textarea>
      <div class="side">
        <span class="count" [class.over]="bytes() > maxBytes()" aria-live="polite">{{ bytes() }} / {{ maxBytes() }}</span>
        <button mat-flat-button type="submit" [disabled]="disabled() || !sendable()">Send</button>
      </div>
    </form>
  `,
  styles: `
    .composer { display: flex; gap: 0.5rem; padding: 0.5rem 1rem 1rem; align-items: flex-end; }
    textarea { flex: 1; resize: none; font: inherit; padding: 0.6rem 0.75rem; border-radius: 12px;
      border: 1px solid var(--mat-sys-outline); background: var(--mat-sys-surface); color: inherit; }
    textarea:focus { outline: 2px solid var(--mat-sys-primary); }
    .side { display: flex; flex-direction: column; align-items: flex-end; gap: 0.25rem; }
    .count { font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    .count.over { color: var(--mat-sys-error); }
  `,
})
export class ComposerComponent {
  readonly maxBytes = input(16 * 1024);
  readonly disabled = input(false);
  readonly placeholder = input('Write a message');
  readonly sent = output<string>();
  readonly typing = output<void>();
  readonly text = signal('');
  readonly bytes = computed(() => new TextEncoder().encode(this.text()).length);
  readonly sendable = computed(() => this.text().trim().length > 0 && this.bytes() <= this.maxBytes());

  onInput(value: string): void {
    this.text.set(value);
    if (value.length > 0) this.typing.emit();
  }

  onEnter(event: KeyboardEvent): void {
    if (event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.send();
  }

  send(): void {
    if (!this.sendable() || this.disabled()) return;
    this.sent.emit(this.text());
    this.text.set('');
  }
}
