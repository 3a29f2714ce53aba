import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { seenBy, withDaySeparators, type ChatMessage, type Conversation } from './chat.model';
import { shownName } from '@parley/contract';
import { type People, personName } from './conversation-names';
import type { EditDraft } from './message-actions.store';
import { MessageItemComponent, type MessageAction, type SeenMark } from './message-item.component';

/** Within this many pixels of the end the reader counts as at the newest message. */
export const AT_BOTTOM_PX = 32;
/** Older messages are asked for when the reader is within this many pixels of the top. */
const LOAD_OLDER_WITHIN_PX = 80;
/** Announcements read out at most this much of a message: enough to tell what it is about. */
const ARRIVAL_TEXT_MAX = 200;
/** Opening at the "New" divider leaves this much of the message before it in view, for context. */
const DIVIDER_CONTEXT_PX = 48;

/**
 * The messages of one conversation, with day separators and the "New" divider. Every message is
 * in the DOM (history comes in pages of 50), so heights, the end of the list and scroll positions
 * are the browser's own, whatever a message's height.
 *
 * Where the reader is: opening a conversation lands on the "New" divider when there is one, else
 * on the newest message. At the bottom the list follows what arrives (a ResizeObserver keeps it
 * there as rows render or grow); scrolled up, it stays put, counts what arrives ("N new messages
 * ↓") and offers a jump to the latest. Older pages loaded above keep the reader's place.
 */
@Component({
  selector: 'parley-message-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MessageItemComponent],
  template: `
    <!-- Not live itself: switching conversations or loading older pages would read out every row.
      Messages arriving while open are announced by the region below instead. -->
    <div #viewport class="viewport" role="log" aria-live="off" aria-label="Messages" tabindex="0" (scroll)="onScroll()"
      (wheel)="moved = true" (touchstart)="moved = true" (keydown)="moved = true" (pointerdown)="moved = true">
      <div #content class="content">
        @if (conversation().olderAvailable && conversation().historyLoaded) {
          <div class="older"><button mat-button type="button" (click)="loadOlder.emit()">Load older messages</button></div>
        }
        @if (conversation().messages.length === 0) {
          @if (conversation().historyLoaded) {
            <div class="empty-state" data-testid="empty-conversation">
              <span class="material-symbols-outlined empty-icon" aria-hidden="true">{{ conversation().kind === 'group' ? 'groups' : 'forum' }}</span>
              <p class="empty-title">{{ emptyTitle() }}</p>
              <p>No messages yet.</p>
              <p class="hint">{{ canPost() ? 'Write the first one below.' : 'Messages posted here will show up as they arrive.' }}</p>
            </div>
          } @else if (connected()) {
            <p class="loading">Loading messages…</p>
          } @else {
            <p class="loading">Messages load when the connection is back.</p>
          }
        }
        @for (row of rows(); track row.key) {
          @switch (row.kind) {
            @case ('day') {
              <div class="day" role="separator" [attr.aria-label]="row.label">{{ row.label }}</div>
            }
            @case ('new') {
              <div class="new-divider" role="separator" aria-label="New messages" data-testid="new-divider"><span>New</span></div>
            }
            @case ('message') {
              <parley-message-item class="row" [message]="row.message" [me]="me()" [people]="people()" [touch]="touch()"
                [canEdit]="mayEdit()(row.message)" [canDelete]="mayDelete()(row.message)" [moderation]="isModeration()(row.message)"
                [editing]="editingOf(row.message)" [highlighted]="row.message.id !== null && highlighted() === row.message.id"
                [seen]="seenOf(row.message)" (action)="onAction($event)" />
            }
          }
        }
      </div>
    </div>
    <div class="visually-hidden" aria-live="polite" data-testid="arrivals">{{ arrivals() }}</div>
    @if (!pinned() && conversation().messages.length > 0) {
      <button mat-flat-button type="button" class="jump" data-testid="jump-to-latest" (click)="jumpToLatest()">
        {{ newCount() > 0 ? newCount() + (newCount() === 1 ? ' new message' : ' new messages') : 'Jump to latest' }}
        <span aria-hidden="true">↓</span>
      </button>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 0; position: relative; }
    .viewport { flex: 1; min-height: 0; overflow-y: auto; position: relative; }
    .viewport:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: -2px; }
    .content { padding: 0.25rem 0 0.5rem; }
    .row { display: flex; padding: 0.15rem 1rem; }
    .older { display: flex; justify-content: center; }
    .day { text-align: center; font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); margin: 0.75rem 0 0.25rem; }
    .new-divider { display: flex; align-items: center; gap: 0.5rem; margin: 0.5rem 1rem; color: var(--mat-sys-error);
      font-size: 0.75rem; font-weight: 500; text-transform: uppercase; letter-spacing: 0.05em; }
    .new-divider::before, .new-divider::after { content: ''; flex: 1; border-top: 1px solid var(--mat-sys-error); }
    .new-divider::before { flex: 0 0 1rem; }
    .loading { padding: 2rem 1rem; text-align: center; color: var(--mat-sys-on-surface-variant); }
    .empty-state { margin: 3rem auto; max-width: 24rem; text-align: center; padding: 0 1rem; color: var(--mat-sys-on-surface-variant); }
    .empty-state p { margin: 0.25rem 0; }
    .empty-icon { font-size: 3rem; width: 3rem; height: 3rem; color: var(--mat-sys-primary); }
    .empty-title { font-size: 1.1rem; font-weight: 500; color: var(--mat-sys-on-surface); }
    .jump { position: absolute; right: 1rem; bottom: 0.75rem; box-shadow: var(--mat-sys-level2); }
  `,
})
export class MessageListComponent {
  readonly conversation = input.required<Conversation>();
  /** How the empty state names this conversation ("Sam", "the staff group"). */
  readonly emptyTitle = input('');
  /** Whether the connection is up: history that is not loaded yet is coming, or waits for it. */
  readonly connected = input(true);
  /** Whether this user may post here (the empty state's hint). */
  readonly canPost = input(true);
  /** Display names by login name: senders are shown by them where known. */
  readonly people = input<People>(new Map());
  /** The viewer's user name, for marking mentions of them. */
  readonly me = input<string | null>(null);
  /** Whether read receipts are on ("Seen", "Seen by N"). */
  readonly readReceipts = input(false);
  /** The viewer's edit in progress (shown in place of that message's text). */
  readonly editing = input<EditDraft | null>(null);
  /** The message a quote's click jumped to: scrolled into view and marked for a moment. */
  readonly highlighted = input<number | null>(null);
  readonly mayEdit = input<(message: ChatMessage) => boolean>(() => false);
  readonly mayDelete = input<(message: ChatMessage) => boolean>(() => false);
  readonly isModeration = input<(message: ChatMessage) => boolean>(() => false);
  /** A touch screen: message actions show without hovering. */
  readonly touch = input(false);
  readonly loadOlder = output<void>();
  readonly retry = output<string>();
  /** Everything else done to a message (reply, edit, delete, react...). */
  readonly action = output<MessageAction>();
  /** "Seen" (a DM) or "Seen by N", and under which message; null when receipts are off or nobody read. */
  readonly seen = computed<{ id: number; mark: SeenMark } | null>(() => {
    const me = this.me();
    const conversation = this.conversation();
    if (!this.readReceipts() || !me) return null;
    const seen = seenBy(conversation, me);
    if (!seen) return null;
    if (conversation.kind === 'user') return { id: seen.id, mark: { label: 'Seen', names: null } };
    return { id: seen.id, mark: { label: `Seen by ${seen.names.length}`, names: seen.names.map((name) => personName(name, this.people())) } };
  });
  readonly rows = computed(() => {
    const conversation = this.conversation();
    return withDaySeparators(conversation.messages, undefined, conversation.newAfter);
  });
  /** The reader is at the newest message, and the list follows what arrives. */
  readonly pinned = signal(true);
  /** Messages from others that arrived below while the reader was scrolled up. */
  readonly newCount = signal(0);
  /** What screen readers are told of messages from others arriving in the open conversation. */
  readonly arrivals = signal('');

  private readonly viewport = viewChild<ElementRef<HTMLElement>>('viewport');
  private readonly content = viewChild<ElementRef<HTMLElement>>('content');
  private readonly injector = inject(Injector);
  private readonly destroyRef = inject(DestroyRef);
  /** The conversation the state below describes. */
  private shownId: string | null = null;
  /** Whether the list has landed (divider or newest) since that conversation was opened. */
  private landed = false;
  /**
   * The reader scrolled, clicked or pressed a key in the list since it landed. Until then a
   * landing on the divider is held there as older pages load above it (the first page may not
   * reach back to the first unread message) and rows change height.
   */
  moved = false;
  private knownKeys = new Set<string>();
  private newestId = 0;
  private oldestKey: string | undefined;
  /** The oldest message when older ones were last asked for: one request per page. */
  private olderAskedAt: string | undefined;

  constructor() {
    // Runs before the rows render: what changed decides where the reader is once they have.
    effect(() => {
      const conversation = this.conversation();
      untracked(() => this.beforeRender(conversation));
    });
    // A quote's original, once loaded: brought into view, and the list stops following the end.
    effect(() => {
      const id = this.highlighted();
      if (id === null) return;
      untracked(() =>
        this.afterRender(() => {
          const target = this.viewport()?.nativeElement.querySelector<HTMLElement>(`[data-testid="message"][data-id="${id}"]`);
          if (!target) return;
          this.moved = true;
          target.scrollIntoView?.({ block: 'center' });
          this.pinned.set(false);
        }),
      );
    });
    afterNextRender(() => {
      const viewport = this.viewport()!.nativeElement;
      // Rows that render, grow (long text wrapping, later images) or a pane that shrinks (the
      // composer growing, a phone's keyboard) keep a reader at the bottom there.
      const observer = new ResizeObserver(() => {
        if (this.pinned()) this.scrollToBottom();
      });
      observer.observe(viewport);
      observer.observe(this.content()!.nativeElement);
      this.destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  editingOf(message: ChatMessage): EditDraft | null {
    const draft = this.editing();
    return draft && message.id !== null && draft.id === message.id ? draft : null;
  }

  seenOf(message: ChatMessage): SeenMark | null {
    const seen = this.seen();
    return seen && message.id !== null && seen.id === message.id ? seen.mark : null;
  }

  onAction(action: MessageAction): void {
    if (action.kind === 'retry-send') this.retry.emit(action.message.key);
    else this.action.emit(action);
  }

  onScroll(): void {
    const viewport = this.viewport()?.nativeElement;
    if (!viewport) return;
    const atBottom = isAtBottom(viewport);
    this.pinned.set(atBottom);
    if (atBottom) this.newCount.set(0);
    const conversation = this.conversation();
    if (this.landed && conversation.olderAvailable && viewport.scrollTop < LOAD_OLDER_WITHIN_PX && this.olderAskedAt !== this.oldestKey) {
      this.olderAskedAt = this.oldestKey;
      this.loadOlder.emit();
    }
  }

  jumpToLatest(): void {
    this.moved = true;
    this.pinned.set(true);
    this.newCount.set(0);
    this.scrollToBottom();
  }

  private beforeRender(conversation: Conversation): void {
    if (conversation.id !== this.shownId) {
      this.shownId = conversation.id;
      this.landed = false;
      this.moved = false;
      this.knownKeys = new Set();
      this.newestId = 0;
      this.oldestKey = undefined;
      this.olderAskedAt = undefined;
      this.pinned.set(true);
      this.newCount.set(0);
      this.arrivals.set('');
    }
    const messages = conversation.messages;
    const viewport = this.viewport()?.nativeElement;
    if (!this.landed) {
      // Until history is in, only previews are held: stay at their end. Then land once.
      if (conversation.historyLoaded && messages.length > 0) {
        this.landed = true;
        this.afterRender(() => this.land());
      } else {
        this.afterRender(() => this.scrollToBottom());
      }
    } else {
      let arrived = 0;
      let latest: ChatMessage | undefined;
      let sentByMe = false;
      for (const message of messages) {
        if (this.knownKeys.has(message.key)) continue;
        const below = message.id === null || message.id > this.newestId;
        if (!below) continue;
        if (message.mine) sentByMe = true;
        else {
          arrived++;
          latest = message;
        }
      }
      if (latest) this.arrivals.set(announce(arrived, latest));
      const prepended = messages.length > 0 && this.oldestKey !== undefined && !this.knownKeys.has(messages[0].key);
      if (sentByMe) {
        // What one sends is shown, wherever one was reading.
        this.pinned.set(true);
        this.newCount.set(0);
      } else if (arrived > 0 && !this.pinned()) {
        this.newCount.update((count) => count + arrived);
      }
      if (this.pinned()) {
        this.afterRender(() => this.scrollToBottom());
      } else if (!this.moved && conversation.newAfter !== null) {
        this.afterRender(() => this.land());
      } else if (prepended && viewport) {
        // Older messages go in above: keep the distance from the bottom, so what the reader was
        // looking at stays where it was.
        const fromBottom = viewport.scrollHeight - viewport.scrollTop;
        this.afterRender(() => (viewport.scrollTop = viewport.scrollHeight - fromBottom));
      }
    }
    this.knownKeys = new Set(messages.map((m) => m.key));
    this.newestId = Math.max(this.newestId, ...messages.map((m) => m.id ?? 0));
    this.oldestKey = messages[0]?.key;
  }

  /** Opens on the "New" divider (with a little of what came before) or else on the newest message. */
  private land(): void {
    const viewport = this.viewport()?.nativeElement;
    const divider = viewport?.querySelector<HTMLElement>('[data-testid="new-divider"]');
    if (!viewport || !divider) {
      this.pinned.set(true);
      this.scrollToBottom();
      return;
    }
    viewport.scrollTop = divider.offsetTop - DIVIDER_CONTEXT_PX;
    this.pinned.set(isAtBottom(viewport));
  }

  private scrollToBottom(): void {
    const viewport = this.viewport()?.nativeElement;
    if (viewport) viewport.scrollTop = viewport.scrollHeight;
  }

  private afterRender(write: () => void): void {
    afterNextRender({ write }, { injector: this.injector });
  }
}

/** "Message from sam: …", or "3 new messages, the latest from sam: …"; long text cut short. */
function announce(count: number, latest: ChatMessage): string {
  const text = latest.text.length > ARRIVAL_TEXT_MAX ? `${latest.text.slice(0, ARRIVAL_TEXT_MAX)}…` : latest.text;
  const sender = shownName(latest.senderName);
  return count === 1 ? `Message from ${sender}: ${text}` : `${count} new messages, the latest from ${sender}: ${text}`;
}

function isAtBottom(viewport: HTMLElement): boolean {
  return viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight <= AT_BOTTOM_PX;
}
