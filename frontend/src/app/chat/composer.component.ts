import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  effect,
  inject,
  input,
  linkedSignal,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import type { UploadedFile } from '@parley/contract';
import { WINDOW } from '../core/tokens';
import { UploadCardsComponent } from '../files/upload-cards.component';
import { UploadStore } from '../files/upload.store';
import { DraftStore } from './draft.store';
import { type MentionOption, mentionOptions, mentionQuery } from './mention-options';

/** From this share of the size limit on, the counter is announced to screen readers. */
export const NEAR_LIMIT = 0.9;

/** What Send gives the page: the text (maybe empty when files go) and the uploaded files. */
export interface ComposedMessage {
  text: string;
  files: UploadedFile[];
}

/**
 * Enter sends, Shift+Enter starts a new line; the size limit is counted in UTF-8 bytes, like the
 * server. Each conversation keeps its own draft (DraftStore): switching shows that conversation's
 * draft or an empty box, never the text typed for another one. Files picked with the attach
 * button or pasted into the box upload at once and wait on cards below it (UploadStore, per
 * conversation like the text); Send waits until none is still uploading.
 */
@Component({
  selector: 'parley-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, MatButtonModule, UploadCardsComponent],
  template: `
    @if (options().length > 0) {
      <!-- Suggestions for the @name being typed: arrows move, Enter or Tab picks, Escape closes. -->
      <ul id="mention-options" class="mentions" role="listbox" aria-label="People to mention">
        @for (option of options(); track option.insert; let i = $index) {
          <li role="option" [id]="'mention-option-' + i" [attr.aria-selected]="i === selected()" [class.selected]="i === selected()"
            (mousedown)="$event.preventDefault()" (click)="pick(option)">
            <span class="handle">&#64;{{ option.insert }}</span>&ngsp;<span class="label">{{ option.label }}</span>
          </li>
        }
      </ul>
    }
    <form class="composer" (ngSubmit)="send()">
      <button mat-icon-button type="button" class="attach" aria-label="Attach files" title="Attach files" [disabled]="disabled() || !conversation()"
        (click)="picker.click()">
        <span class="material-symbols-outlined" aria-hidden="true">attach_file</span>
      </button>
      <input #picker type="file" multiple hidden data-testid="file-picker" (change)="onPicked(picker)" />
      <label class="visually-hidden" for="composer-text">Message</label>
      <textarea #box id="composer-text" name="text" rows="2" [disabled]="disabled()" [placeholder]="placeholder()"
        aria-describedby="composer-count"
        [attr.aria-controls]="options().length > 0 ? 'mention-options' : null"
        [attr.aria-activedescendant]="options().length > 0 ? 'mention-option-' + selected() : null"
        [ngModel]="text()" (ngModelChange)="onInput($event)" (keydown)="onKeydown($event)" (click)="noteCaret()"
        (paste)="onPaste($event)"></textarea>
      <div class="side">
        <span id="composer-count" class="count" [class.over]="bytes() > maxBytes()">{{ bytes() }} / {{ maxBytes() }}<span class="visually-hidden"> bytes</span></span>
        <button mat-flat-button type="submit" [disabled]="disabled() || !sendable()"
          [attr.aria-describedby]="uploading() ? 'composer-waiting' : null">Send</button>
      </div>
      <!-- Announced only when it changes between under, near and over the limit, not per keystroke. -->
      <span class="visually-hidden" role="status" data-testid="limit-notice">{{ limitNotice() }}</span>
      <span class="visually-hidden" role="status">{{ optionsNotice() }}</span>
    </form>
    @if (files().length > 0 || filesNotice()) {
      <div class="files">
        <p id="composer-waiting" class="files-status" role="status">
          @if (uploading()) { Waiting for uploads… }
          {{ filesNotice() }}
        </p>
        <parley-upload-cards [uploads]="files()" (remove)="removeFile($event)" (retry)="retryFile($event)" />
      </div>
    }
  `,
  styles: `
    :host { display: block; position: relative; }
    .mentions { position: absolute; bottom: 100%; left: 1rem; right: 1rem; max-width: 24rem; margin: 0; padding: 0.25rem 0; list-style: none;
      background: var(--mat-sys-surface-container); color: var(--mat-sys-on-surface); border-radius: 8px; box-shadow: var(--mat-sys-level2); z-index: 2; }
    .mentions li { padding: 0.4rem 0.75rem; cursor: pointer; display: flex; gap: 0.5rem; align-items: baseline; }
    .mentions li.selected, .mentions li:hover { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .handle { font-weight: 500; }
    .label { font-size: 0.85rem; color: inherit; opacity: 0.85; }
    .composer { display: flex; gap: 0.5rem; padding: 0.5rem 1rem 1rem 0.5rem; align-items: flex-end; }
    .attach { flex: none; margin-bottom: 0.2rem; }
    .files { padding: 0 1rem 0.75rem; margin-top: -0.5rem; }
    .files-status { margin: 0 0 0.35rem; font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    .files-status:empty { display: none; }
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
  private readonly uploads = inject(UploadStore);
  private readonly window = inject(WINDOW);
  readonly maxBytes = input(16 * 1024);
  readonly disabled = input(false);
  readonly placeholder = input('Write a message');
  /** Whose drafts these are, and which conversation this composer writes to (null: none kept). */
  readonly user = input<string | null>(null);
  readonly conversation = input<string | null>(null);
  /** Whom '@' may suggest: the directory, which lists only people this user may see. */
  readonly people = input<readonly MentionOption[]>([]);
  /** Offer @here and @channel (conversations with several people: groups, teams, channels). */
  readonly broadcast = input(false);
  readonly sent = output<ComposedMessage>();
  readonly typing = output<void>();
  /** Up arrow in the empty box: edit one's last message (as in Slack). */
  readonly editLast = output<void>();
  /** Escape with no suggestions open: drop the reply being written, if any. */
  readonly escaped = output<void>();
  readonly text = signal('');
  /** Whose draft this composer edits, and of which conversation (null: none kept). */
  private readonly draft = computed(() => {
    const user = this.user();
    const conversation = this.conversation();
    return user && conversation ? { user, conversation } : null;
  });
  readonly bytes = computed(() => new TextEncoder().encode(this.text()).length);
  /** This conversation's files, as their cards show them. */
  readonly files = computed(() => {
    const draft = this.draft();
    return draft ? this.uploads.uploads(draft.user, draft.conversation) : [];
  });
  readonly filesNotice = computed(() => {
    const draft = this.draft();
    return draft ? this.uploads.notice(draft.user, draft.conversation) : null;
  });
  readonly uploading = computed(() => this.files().some((file) => file.state === 'uploading'));
  /** Text or an uploaded file to send, within the size limit, and no file still on its way (it would be left behind). */
  readonly sendable = computed(
    () =>
      (this.text().trim().length > 0 || this.files().some((file) => file.state === 'uploaded')) &&
      this.bytes() <= this.maxBytes() &&
      !this.uploading(),
  );
  readonly limitNotice = computed(() => {
    const bytes = this.bytes();
    const max = this.maxBytes();
    if (bytes > max) return `Too long to send: over the limit of ${max} bytes.`;
    if (bytes >= max * NEAR_LIMIT) return `Nearly at the limit of ${max} bytes.`;
    return '';
  });
  /** The @name being typed before the caret, or null; closed by Escape until the next keystroke. */
  private readonly query = signal<{ text: string; start: number; end: number } | null>(null);
  readonly options = computed(() => {
    const query = this.query();
    return query ? mentionOptions(query.text, this.people(), this.broadcast()) : [];
  });
  readonly selected = linkedSignal({ source: this.options, computation: () => 0 });
  readonly optionsNotice = computed(() => {
    const count = this.options().length;
    return count === 0 ? '' : `${count} ${count === 1 ? 'person' : 'people'} to mention; up and down arrows to choose, Enter to pick.`;
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
    this.noteCaret();
    if (value.length > 0) this.typing.emit();
  }

  /** Where the caret is decides whether an @name is being typed. */
  noteCaret(): void {
    const box = this.box().nativeElement;
    const caret = box.selectionStart ?? this.text().length;
    this.query.set(mentionQuery(this.text(), caret));
  }

  onKeydown(event: KeyboardEvent): void {
    const options = this.options();
    if (options.length > 0 && !event.isComposing) {
      const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
      if (step !== 0) {
        event.preventDefault();
        this.selected.update((i) => (i + step + options.length) % options.length);
        return;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        event.preventDefault();
        this.pick(options[this.selected()]);
        return;
      }
      if (event.key === 'Escape') {
        // Closes the suggestions only, not whatever the composer sits in.
        event.preventDefault();
        event.stopPropagation();
        this.query.set(null);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    } else if (event.key === 'ArrowUp' && this.text() === '' && !event.isComposing) {
      event.preventDefault();
      this.editLast.emit();
    } else if (event.key === 'Escape') {
      this.escaped.emit();
    }
  }

  /** Back to the box (after a reply was picked, or an edit ended). */
  focus(): void {
    this.box().nativeElement.focus();
  }

  /** Puts '@name ' in place of what was typed after '@', and the caret after it. */
  pick(option: MentionOption & { insert?: string }): void {
    const query = this.query();
    if (!query) return;
    const insert = `@${option.insert ?? option.username} `;
    const text = this.text();
    const next = text.slice(0, query.start) + insert + text.slice(query.end);
    const box = this.box().nativeElement;
    box.value = next;
    const caret = query.start + insert.length;
    box.setSelectionRange(caret, caret);
    box.focus();
    this.text.set(next);
    this.keepDraft(next);
    this.query.set(null);
  }

  /** Files from the attach button's picker. */
  onPicked(picker: HTMLInputElement): void {
    this.attach(Array.from(picker.files ?? []));
    // The same file picked again (after removing it) must fire `change` again.
    picker.value = '';
  }

  /**
   * Pictures pasted into the box (a screenshot) are attached. A paste that also carries text is
   * left as text: a spreadsheet's cells come with a picture of themselves too.
   */
  onPaste(event: ClipboardEvent): void {
    const data = event.clipboardData;
    const files = Array.from(data?.files ?? []);
    if (files.length === 0 || data?.types.includes('text/plain')) return;
    event.preventDefault();
    this.attach(files);
  }

  /** Starts uploading files for this conversation's next message (also what the page's drop zone calls). */
  attach(files: File[]): void {
    const draft = this.draft();
    if (draft && !this.disabled() && files.length > 0) this.uploads.add(draft.user, draft.conversation, files);
  }

  removeFile(key: string): void {
    const draft = this.draft();
    if (draft) this.uploads.remove(draft.user, draft.conversation, key);
  }

  retryFile(key: string): void {
    this.uploads.retry(key);
  }

  send(): void {
    if (!this.sendable() || this.disabled()) return;
    const draft = this.draft();
    const files = draft ? this.uploads.take(draft.user, draft.conversation) : [];
    this.sent.emit({ text: this.text().trim() === '' ? '' : this.text(), files });
    this.query.set(null);
    this.text.set('');
    this.keepDraft('');
  }

  private keepDraft(text: string): void {
    const draft = this.draft();
    if (draft) this.drafts.save(draft.user, draft.conversation, text);
  }
}
