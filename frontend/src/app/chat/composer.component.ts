import { ChangeDetectionStrategy, Component, ElementRef, afterRenderEffect, computed, effect, inject, input, output, signal, untracked, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { WINDOW } from '../core/tokens';
import { DraftStore } from './draft.store';

/** From this share of the size limit on, the counter is announced to screen readers. */
export const NEAR_LIMIT = 0.9;

/**
 * Enter sends, Shift+Enter starts a new line; the size limit is counted in UTF-8 bytes, like the
 * server. Each conversation keeps its own draft (DraftStore): switching shows that conversation's
 * draft or an empty box, never the text typed for another one.
 */
@Component({
  selector: 'parley-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule],
  template: `
    <form class="composer" (ngSubmit)="send()">
      <label class="visually-hidden" for="composer-text">Message</label>
      <textarea #box id="composer-text" name="text" rows="2" [disabled]="disabled()" [placeholder]="placeholder()"
        aria-describedby="composer-count"
        [ngModel]="text()" (ngModelChange)="onInput($event)" (keydown.enter)="onEnter($any($event))"></textarea>
      <div class="side">
        <span id="composer-count" class="count" [class.over]="bytes() > maxBytes()">{{ bytes() }} / {{ maxBytes() }}<span class="visually-hidden"> bytes</span></span>
        <button mat-flat-button type="submit" [disabled]="disabled() || !sendable()">Send</button>
      </div>
      <!-- Announced only when it changes between under, near and over the limit, not per keystroke. -->
      <span class="visually-hidden" role="status" data-testid="limit-notice">{{ limitNotice() }}</span>
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
  private readonly drafts = inject(DraftStore);
  private readonly window = inject(WINDOW);
  readonly maxBytes = input(16 * 1024);
  readonly disabled = input(false);
  readonly placeholder = input('Write a message');
  /** Whose drafts these are, and which conversation this composer writes to (null: none kept). */
  readonly user = input<string | null>(null);
  readonly conversation = input<string | null>(null);
  readonly sent = output<string>();
  readonly typing = output<void>();
  readonly text = signal('');
  readonly bytes = computed(() => new TextEncoder().encode(this.text()).length);
  readonly sendable = computed(() => this.text().trim().length > 0 && this.bytes() <= this.maxBytes());
  readonly limitNotice = computed(() => {
    const bytes = this.bytes();
    const max = this.maxBytes();
    if (bytes > max) return `Too long to send: over the limit of ${max} bytes.`;
    if (bytes >= max * NEAR_LIMIT) return `Nearly at the limit of ${max} bytes.`;
    return '';
  });
  private readonly box = viewChild.required<ElementRef<HTMLTextAreaElement>>('box');
  private focusedFor: string | null | undefined;

  constructor() {
    // Another conversation (or a reload): its own draft, or nothing.
    effect(() => {
      const user = this.user();
      const conversation = this.conversation();
      untracked(() => this.text.set(user && conversation ? this.drafts.load(user, conversation) : ''));
    });
    // Opening a conversation puts the cursor in its composer, so one can type at once. Not on
    // touch screens, where focus opens the keyboard over the messages the person came to read.
    afterRenderEffect(() => {
      const conversation = this.conversation();
      if (conversation === this.focusedFor || this.disabled()) return;
      this.focusedFor = conversation;
      if (conversation !== null && !this.window.matchMedia?.('(pointer: coarse)').matches) this.box().nativeElement.focus();
    });
  }

  onInput(value: string): void {
    this.text.set(value);
    this.keepDraft(value);
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
    this.keepDraft('');
  }

  private keepDraft(text: string): void {
    const user = this.user();
    const conversation = this.conversation();
    if (user && conversation) this.drafts.save(user, conversation, text);
  }
}
