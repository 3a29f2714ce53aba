import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, afterRenderEffect, computed, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatMenuModule } from '@angular/material/menu';
import { MatTooltipModule } from '@angular/material/tooltip';
import { REACTION_EMOJI, REACTION_NAMES, type Reaction, type ReactionEmoji } from '@parley/contract';
import { fullTime, quoteGone, type ChatMessage } from './chat.model';
import { type People, personName } from './conversation-names';
import type { EditDraft } from './message-actions.store';
import { MessageTextComponent } from './message-text.component';
import { MessageAttachmentsComponent } from '../files/message-attachments.component';

/** What a person asked to do with one message; the page hands it to MessageActionsStore. */
export type MessageAction =
  | { kind: 'reply' | 'edit' | 'delete' | 'retry-send' | 'retry-action' | 'save-edit' | 'cancel-edit'; message: ChatMessage }
  | { kind: 'reaction'; message: ChatMessage; emoji: ReactionEmoji }
  | { kind: 'edit-text'; message: ChatMessage; text: string }
  | { kind: 'jump'; message: ChatMessage; id: number };

/** "Seen" (a DM) or "Seen by N" under the viewer's newest message someone has read. */
export interface SeenMark {
  label: string;
  /** Display names, for the list ("Seen by N" only). */
  names: string[] | null;
}

/**
 * One message: sender, time, the quote it answers, its text (or its inline editor, or its
 * tombstone), "(edited)", reactions, delivery and action states, "Seen". Its actions sit in a
 * "⋯" menu and a reaction picker, both buttons: reachable by keyboard and by tap.
 */
@Component({
  selector: 'parley-message-item',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatMenuModule, MatTooltipModule, MessageTextComponent, MessageAttachmentsComponent],
  template: `
    @let m = message();
    <div class="message" [class.mine]="m.mine" [class.mentions-me]="m.mentionsMe" [class.deleted]="m.deleted" [class.highlighted]="highlighted()"
      [attr.data-state]="m.state" [attr.data-id]="m.id" data-testid="message">
      <div class="meta">
        <span class="sender" [attr.title]="m.mine ? null : m.senderName">{{ m.mine ? 'You' : senderName() }}</span>
        @if (m.senderBot) {
          <!-- A word, not an icon: screen readers say it after the name, and it reads the same in both themes. -->
          <span class="bot" data-testid="bot-badge">bot</span>
        }
        <span class="role">{{ m.senderRole }}</span>
        <time [attr.datetime]="m.sentAt" [title]="full()">
          <span aria-hidden="true">{{ m.sentAt | date: 'shortTime' }}</span>
          <span class="visually-hidden">{{ full() }}</span>
        </time>
        @if (m.editedAt && !m.deleted) {
          <time class="edited" data-testid="edited" [attr.datetime]="m.editedAt" [matTooltip]="'Edited ' + editedTime()" tabindex="0"
            >(edited)<span class="visually-hidden">: {{ editedTime() }}</span></time>
        }
        @if (m.mine && m.state === 'sent' && !m.deleted) {
          <span class="tick" title="Sent"><span aria-hidden="true">✓</span><span class="visually-hidden">Sent</span></span>
        }
        @if (m.id !== null && !m.deleted && !editing()) {
          <span class="tools" [class.always]="touch()">
            <button mat-icon-button type="button" class="tool" [matMenuTriggerFor]="picker" aria-label="Add reaction" data-testid="add-reaction">
              <span class="material-symbols-outlined" aria-hidden="true">add_reaction</span>
            </button>
            <button mat-icon-button type="button" class="tool" [matMenuTriggerFor]="more" aria-label="Message actions" data-testid="message-actions">
              <span aria-hidden="true">⋯</span>
            </button>
          </span>
          <mat-menu #picker="matMenu" class="reaction-picker" aria-label="Reactions">
            <div class="reaction-grid">
              @for (emoji of emojis; track emoji) {
                <button mat-menu-item type="button" class="reaction-choice" [attr.aria-label]="names[emoji]" [matTooltip]="names[emoji]"
                  (click)="action.emit({ kind: 'reaction', message: m, emoji })">{{ emoji }}</button>
              }
            </div>
          </mat-menu>
          <mat-menu #more="matMenu" aria-label="Message actions">
            <button mat-menu-item type="button" (click)="action.emit({ kind: 'reply', message: m })">
              <span class="material-symbols-outlined" aria-hidden="true">reply</span> Reply
            </button>
            @if (canEdit()) {
              <button mat-menu-item type="button" (click)="action.emit({ kind: 'edit', message: m })">
                <span class="material-symbols-outlined" aria-hidden="true">edit</span> Edit
              </button>
            }
            @if (canDelete()) {
              <button mat-menu-item type="button" class="danger" (click)="action.emit({ kind: 'delete', message: m })">
                <span class="material-symbols-outlined" aria-hidden="true">delete</span> {{ moderation() ? 'Delete (moderation)' : 'Delete' }}
              </button>
            }
          </mat-menu>
        }
      </div>
      @if (m.mentionsMe && !m.deleted) {
        <span class="visually-hidden">Mentions you.</span>
      }
      @if (m.replyTo && !m.deleted) {
        @if (quoteGone(m.replyTo)) {
          <div class="quote gone" data-testid="reply-quote">Original message deleted</div>
        } @else {
          <button type="button" class="quote" data-testid="reply-quote" (click)="action.emit({ kind: 'jump', message: m, id: m.replyTo.id })">
            <span class="quote-sender"><span class="visually-hidden">In reply to&nbsp;</span>{{ quoteSender() }}<span class="visually-hidden">:&nbsp;</span></span>
            <span class="quote-text">{{ m.replyTo.excerpt }}<span class="visually-hidden">. Show the original message.</span></span>
          </button>
        }
      }
      @if (editing(); as draft) {
        <form class="editor" (submit)="$event.preventDefault(); action.emit({ kind: 'save-edit', message: m })">
          <label class="visually-hidden" [attr.for]="'edit-' + m.id">Edit message</label>
          <textarea [id]="'edit-' + m.id" rows="2" data-testid="edit-box" [value]="draft.text" [attr.aria-invalid]="draft.error ? true : null"
            [attr.aria-describedby]="draft.error ? 'edit-error-' + m.id : null"
            (input)="action.emit({ kind: 'edit-text', message: m, text: $any($event.target).value })" (keydown)="onEditorKey($event)"></textarea>
          @if (m.deleted) {
            <p class="failed" role="alert" data-testid="edit-error">This message was deleted meanwhile: your text is still here to copy.</p>
          } @else if (draft.error) {
            <p class="failed" role="alert" [id]="'edit-error-' + m.id" data-testid="edit-error">{{ draft.error }}</p>
          }
          <div class="editor-actions">
            <span class="hint">Enter to save, Escape to cancel</span>
            <button mat-button type="button" (click)="action.emit({ kind: 'cancel-edit', message: m })">Cancel</button>
            <button mat-flat-button type="submit" [disabled]="draft.saving || m.deleted">{{ draft.saving ? 'Saving…' : 'Save' }}</button>
          </div>
        </form>
      } @else if (m.deleted) {
        <p class="tombstone" data-testid="tombstone">
          <span class="material-symbols-outlined" aria-hidden="true">block</span> This message was deleted
        </p>
      } @else if (m.text !== '' || !m.attachments) {
        <parley-message-text [text]="m.text" [mentions]="m.mentions" [me]="me()" />
      }
      @if (m.attachments && !m.deleted) {
        <parley-message-attachments [attachments]="m.attachments" />
      }
      @if (reactions().length > 0) {
        <div class="reactions" role="group" aria-label="Reactions">
          @for (reaction of reactions(); track reaction.emoji) {
            <button type="button" class="chip" data-testid="reaction" [class.own]="reaction.own" [attr.aria-pressed]="reaction.own"
              [matTooltip]="reaction.who" [attr.aria-label]="reaction.label" [disabled]="m.pending === 'reaction'"
              (click)="action.emit({ kind: 'reaction', message: m, emoji: reaction.emoji })">
              <span aria-hidden="true"><span class="emoji">{{ reaction.emoji }}</span> {{ reaction.count }}</span>
            </button>
          }
        </div>
      }
      @if (m.pending === 'delete') {
        <div class="state" role="status">Deleting…</div>
      } @else if (m.pending === 'edit' && !editing()) {
        <div class="state" role="status">Saving…</div>
      }
      @if (m.actionError) {
        <div class="state">
          <span class="failed" role="alert" data-testid="action-error">{{ m.actionError }}</span>
          <button mat-button type="button" (click)="action.emit({ kind: 'retry-action', message: m })">Try again</button>
        </div>
      }
      @if (m.mine && m.state !== 'sent') {
        <div class="state">
          @if (m.state === 'sending') {
            <span>Sending…</span>
          } @else {
            <span class="failed" role="alert">Not sent: {{ m.error }}</span>
            <button mat-button type="button" (click)="action.emit({ kind: 'retry-send', message: m })">Retry</button>
          }
        </div>
      }
    </div>
    @if (seen(); as mark) {
      @if (mark.names) {
        <button mat-button type="button" class="seen" data-testid="seen" [matMenuTriggerFor]="seenList"
          [attr.aria-label]="mark.label + ': show who'">{{ mark.label }}</button>
        <mat-menu #seenList="matMenu" aria-label="Seen by">
          @for (name of mark.names; track name) {
            <div mat-menu-item role="menuitem" class="seen-name" data-testid="seen-name">{{ name }}</div>
          }
        </mat-menu>
      } @else {
        <p class="seen" data-testid="seen">{{ mark.label }}</p>
      }
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; }
    .message { position: relative; max-width: min(36rem, 80%); width: fit-content; min-width: 8rem; background: var(--mat-sys-surface-container);
      border-radius: 12px; padding: 0.4rem 0.75rem; transition: box-shadow 0.3s; }
    /* Mentions the viewer: a bar down the side, as Slack and Mattermost mark them. */
    .message.mentions-me { box-shadow: inset 3px 0 0 var(--mat-sys-tertiary); background: var(--mat-sys-surface-container-high); }
    .message.mine { margin-left: auto; background: var(--mat-sys-primary-container); color: var(--mat-sys-on-primary-container); }
    .message.deleted { background: transparent; border: 1px dashed var(--mat-sys-outline-variant); color: var(--mat-sys-on-surface-variant); }
    .message.highlighted { box-shadow: 0 0 0 3px var(--mat-sys-tertiary); }
    .meta { display: flex; gap: 0.5rem; align-items: center; font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); min-height: 1.5rem; }
    .mine .meta { color: inherit; }
    .sender { font-weight: 500; color: var(--mat-sys-on-surface); }
    .mine .sender { color: inherit; }
    .bot { padding: 0 0.3rem; border-radius: 4px; font-size: 0.7rem; font-weight: 500; line-height: 1.1rem;
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .tick { margin-left: auto; }
    .edited { cursor: default; }
    /* Shown on hover and keyboard focus; always on touch screens, where nothing hovers. */
    .tools { display: flex; margin-left: auto; margin-right: -0.5rem; opacity: 0; }
    .tick + .tools { margin-left: 0; }
    .message:hover .tools, .tools:focus-within, .tools.always, .tools:has([aria-expanded='true']) { opacity: 1; }
    .tool { --mat-icon-button-state-layer-size: 28px; width: 28px; height: 28px; padding: 2px; font-size: 18px; line-height: 1; color: inherit; }
    .tool .material-symbols-outlined { font-size: 18px; }
    .quote { display: flex; flex-direction: column; align-items: flex-start; width: 100%; margin: 0.2rem 0 0.3rem; padding: 0.2rem 0.5rem;
      border: 0; border-inline-start: 3px solid var(--mat-sys-primary); border-radius: 4px; background: var(--mat-sys-surface-container-highest);
      color: var(--mat-sys-on-surface-variant); font: inherit; font-size: 0.8rem; text-align: start; cursor: pointer; }
    .quote:focus-visible { outline: 2px solid var(--mat-sys-primary); }
    .quote.gone { font-style: italic; cursor: default; border-inline-start-color: var(--mat-sys-outline); }
    .quote-sender { font-weight: 500; color: var(--mat-sys-on-surface); }
    .quote-text { overflow: hidden; text-overflow: ellipsis; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
    .tombstone { display: flex; align-items: center; gap: 0.25rem; margin: 0; font-style: italic; }
    .tombstone .material-symbols-outlined { font-size: 16px; }
    .editor { display: flex; flex-direction: column; gap: 0.25rem; min-width: min(28rem, 70vw); }
    .editor textarea { resize: vertical; font: inherit; padding: 0.4rem 0.5rem; border-radius: 8px; border: 1px solid var(--mat-sys-outline);
      background: var(--mat-sys-surface); color: var(--mat-sys-on-surface); }
    .editor textarea:focus { outline: 2px solid var(--mat-sys-primary); }
    .editor-actions { display: flex; align-items: center; justify-content: flex-end; gap: 0.25rem; flex-wrap: wrap; }
    .hint { font-size: 0.75rem; margin-right: auto; }
    .reactions { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-top: 0.3rem; }
    .chip { display: inline-flex; align-items: center; gap: 0.2rem; padding: 0.1rem 0.5rem; border-radius: 999px; font: inherit; font-size: 0.85rem;
      border: 1px solid var(--mat-sys-outline-variant); background: var(--mat-sys-surface); color: var(--mat-sys-on-surface); cursor: pointer; }
    .emoji { font-family: var(--parley-emoji-font); }
    .chip.own { border-color: var(--mat-sys-primary); background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .chip:focus-visible { outline: 2px solid var(--mat-sys-primary); }
    .state { font-size: 0.75rem; text-align: right; }
    .failed { color: var(--mat-sys-error); margin: 0; }
    .mine .failed { color: var(--mat-sys-error); }
    .seen { align-self: flex-end; margin: 0.1rem 0 0; font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    button.seen { --mat-button-text-label-text-size: 0.75rem; min-height: 0; height: 1.5rem; padding: 0 0.5rem; color: var(--mat-sys-on-surface-variant); }
    /* The picker's panel is in the overlay: its grid and buttons are styled in styles.scss (.reaction-picker). */
    .danger { color: var(--mat-sys-error); }
  `,
})
export class MessageItemComponent {
  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  readonly message = input.required<ChatMessage>();
  readonly me = input<string | null>(null);
  readonly people = input<People>(new Map());
  readonly canEdit = input(false);
  readonly canDelete = input(false);
  /** A delete here is an admin's moderation of someone else's message. */
  readonly moderation = input(false);
  /** This message's edit in progress, or null. */
  readonly editing = input<EditDraft | null>(null);
  readonly highlighted = input(false);
  readonly seen = input<SeenMark | null>(null);
  /** A touch screen: the action buttons show without hovering. */
  readonly touch = input(false);
  readonly action = output<MessageAction>();
  readonly emojis = REACTION_EMOJI;
  readonly names = REACTION_NAMES;
  readonly quoteGone = quoteGone;

  readonly senderName = computed(() => personName(this.message().senderName, this.people()));
  readonly full = computed(() => fullTime(this.message().sentAt));
  readonly editedTime = computed(() => fullTime(this.message().editedAt ?? this.message().sentAt));
  readonly quoteSender = computed(() => {
    const quote = this.message().replyTo;
    return quote ? (quote.sender_name === this.me() ? 'You' : personName(quote.sender_name, this.people())) : '';
  });
  /** Each reaction's count, whether the viewer chose it, and who did ("You, Sam and Tess"). */
  readonly reactions = computed(() => {
    const me = this.me();
    return (this.message().reactions ?? []).map((reaction: Reaction) => {
      const own = me !== null && reaction.users.includes(me);
      const who = whoReacted(reaction.users, me, this.people());
      const name = REACTION_NAMES[reaction.emoji] ?? reaction.emoji;
      return {
        emoji: reaction.emoji,
        count: reaction.users.length,
        own,
        who,
        label: `${name}, ${reaction.users.length}: ${who}${own ? '. Press to take yours back' : '. Press to add yours'}`,
      };
    });
  });

  constructor() {
    // The editor takes the focus when it opens, with the caret at the end of the text.
    let wasEditing = false;
    afterRenderEffect(() => {
      const open = this.editing() !== null;
      if (open && !wasEditing) {
        const box = this.host.querySelector<HTMLTextAreaElement>('[data-testid="edit-box"]');
        box?.focus();
        box?.setSelectionRange(box.value.length, box.value.length);
      }
      wasEditing = open;
    });
  }

  onEditorKey(event: KeyboardEvent): void {
    const message = this.message();
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.action.emit({ kind: 'cancel-edit', message });
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.action.emit({ kind: 'save-edit', message });
    }
  }
}

/** "You, Sam and Tess": display names where known, the viewer first as "You". */
export function whoReacted(users: readonly string[], me: string | null, people: People): string {
  const names = [...users.filter((u) => u === me).map(() => 'You'), ...users.filter((u) => u !== me).map((u) => personName(u, people))];
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
