import { Injectable, inject, signal } from '@angular/core';
import { type Ack, ClientEvents, type ErrorBody, ErrorCodes, type ReactionEmoji, type UploadedFile } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { CLOCK } from '../core/tokens';
import type { ChatMessage } from './chat.model';
import { ChatStore, HISTORY_PAGE_MAX } from './chat.store';

/** How many pages in a row may bring nothing older before a jump gives up. */
const JUMP_IDLE_PAGES = 3;

/** The viewer's own message being edited in place: the typed text lives here, so nothing loses it. */
export interface EditDraft {
  conversation: string;
  id: number;
  text: string;
  saving: boolean;
  /** Why the last save failed; the text stays in the editor for another try. */
  error: string | null;
}

/** Where "jump to the quoted message" is: loading older pages, or the message is not there any more. */
export interface JumpState {
  conversation: string;
  id: number;
  state: 'loading' | 'gone' | 'failed';
}

/**
 * What a person does to a message after sending it: edit, delete, reply, react; and jumping to
 * a quoted message. The messages themselves are ChatStore's; this store asks the server and
 * puts the answer (or the refusal) on the message there, so every view of it agrees.
 */
@Injectable()
export class MessageActionsStore {
  private readonly chat = inject(ChatStore);
  private readonly connection = inject(ChatConnection);
  private readonly now = inject(CLOCK);
  readonly editing = signal<EditDraft | null>(null);
  /** The message a reply being written answers, per conversation (each composer has its own). */
  readonly replying = signal<ReadonlyMap<string, ChatMessage>>(new Map());
  /** The message just jumped to, highlighted for a moment. */
  readonly highlighted = signal<number | null>(null);
  readonly jump = signal<JumpState | null>(null);
  /** A failed delete or reaction, by message id, to try again. */
  private readonly retries = new Map<number, () => Promise<void>>();

  /** One's own message, still within PARLEY_EDIT_WINDOW_MINUTES (verify_user's edit_window_ms). */
  canEdit(message: ChatMessage): boolean {
    return message.mine && message.id !== null && !message.deleted && this.withinWindow(message);
  }

  /** One's own within the window, or as an admin any message (moderation). */
  canDelete(message: ChatMessage): boolean {
    if (message.id === null || message.deleted) return false;
    return this.isModerator() || (message.mine && this.withinWindow(message));
  }

  /** Someone else's message that only an admin's moderation may delete: the menu says so. */
  isModeration(message: ChatMessage): boolean {
    return !message.mine && this.isModerator();
  }

  startEdit(conversation: string, message: ChatMessage): void {
    if (!this.canEdit(message)) return;
    this.editing.set({ conversation, id: message.id!, text: message.text, saving: false, error: null });
  }

  /** Up arrow in an empty composer: edits one's newest message that may still be edited (as in Slack). */
  editLast(conversation: string): boolean {
    const messages = this.chat.conversations().find((c) => c.id === conversation)?.messages ?? [];
    const last = messages.findLast((m) => m.mine && m.id !== null && !m.deleted);
    if (!last || !this.canEdit(last)) return false;
    this.startEdit(conversation, last);
    return true;
  }

  setEditText(text: string): void {
    this.editing.update((draft) => draft && { ...draft, text, error: null });
  }

  cancelEdit(): void {
    this.editing.set(null);
  }

  /** Saves the edit; on a refusal the editor stays open with the text and says why. */
  async saveEdit(): Promise<void> {
    const draft = this.editing();
    if (!draft || draft.saving) return;
    const held = this.chat.message(draft.conversation, draft.id);
    // Unchanged: nothing to tell the server (and no "(edited)" mark for nothing).
    if (held && held.text === draft.text) return this.cancelEdit();
    if (draft.text.trim() === '') {
      this.editing.set({ ...draft, error: 'A message cannot be empty: delete it instead.' });
      return;
    }
    this.editing.set({ ...draft, saving: true, error: null });
    this.chat.patchMessage(draft.conversation, draft.id, (m) => ({ ...m, pending: 'edit' }));
    const ack = await this.connection.request(ClientEvents.EditMessage, { id: draft.id, message: draft.text });
    this.chat.patchMessage(draft.conversation, draft.id, ({ pending: _, ...m }) =>
      ack.ok && ack.rev > (m.rev ?? 0) ? { ...m, text: draft.text, rev: ack.rev, editedAt: ack.edited_at, actionError: undefined } : m,
    );
    const current = this.editing();
    // The person may have closed the editor or started another meanwhile: leave theirs alone.
    if (current?.id !== draft.id || current.conversation !== draft.conversation) return;
    this.editing.set(ack.ok ? null : { ...current, saving: false, error: describe(ack.error, 'edit') });
  }

  /** Deletes (after the page's confirmation); a refusal shows on the message, with a retry. */
  async remove(conversation: string, message: ChatMessage): Promise<void> {
    const id = message.id;
    if (id === null) return;
    await this.act(conversation, id, 'delete', () => this.connection.request(ClientEvents.DeleteMessage, { id }), (m, ack) => ({
      ...m,
      text: '',
      deleted: true,
      reactions: undefined,
      rev: Math.max(m.rev ?? 0, ack.rev),
    }));
    if (this.chat.message(conversation, id)?.deleted) this.chat.quotesGone(conversation, id);
    if (this.editing()?.id === id) this.cancelEdit();
  }

  /** Adds the viewer's reaction, or takes it back when they already chose it. */
  async toggleReaction(conversation: string, message: ChatMessage, emoji: ReactionEmoji): Promise<void> {
    const id = message.id;
    const me = this.chat.me()?.username;
    if (id === null || !me) return;
    const on = !message.reactions?.some((r) => r.emoji === emoji && r.users.includes(me));
    await this.act(conversation, id, 'reaction', () => this.connection.request(ClientEvents.React, { id, emoji, on }), (m, ack) =>
      // A later change that arrived first (someone else's reaction) already carries this one.
      ack.rev > (m.rev ?? 0) ? { ...m, reactions: ack.reactions, rev: ack.rev } : m,
    );
  }

  /** Tries a failed delete or reaction again. */
  async retry(messageId: number): Promise<void> {
    await this.retries.get(messageId)?.();
  }

  startReply(conversation: string, message: ChatMessage): void {
    if (message.id === null || message.deleted) return;
    this.replying.update((map) => new Map(map).set(conversation, message));
  }

  cancelReply(conversation: string): void {
    if (!this.replying().has(conversation)) return;
    this.replying.update((map) => {
      const next = new Map(map);
      next.delete(conversation);
      return next;
    });
  }

  /** Sends the composer's text and files, as a reply when one is being written there. */
  async send(conversation: string, text: string, files: readonly UploadedFile[] = []): Promise<void> {
    const replyTo = this.replying().get(conversation);
    this.cancelReply(conversation);
    await this.chat.send(text, replyTo, files);
  }

  /**
   * Brings a quoted message into the list: loads older pages of history until it is there, or
   * there are none left (deleted, removed by retention, or before this person could see).
   */
  async jumpTo(conversation: string, id: number): Promise<boolean> {
    this.jump.set({ conversation, id, state: 'loading' });
    // Pages that brought nothing older (the conversation's first page, loaded meanwhile by
    // opening it, answered both requests): a few are allowed, then it is not there.
    for (let idle = 0; idle < JUMP_IDLE_PAGES; ) {
      const held = this.chat.message(conversation, id);
      if (held && !held.deleted) {
        this.jump.set(null);
        this.highlighted.set(id);
        return true;
      }
      const oldest = () => this.chat.conversations().find((c) => c.id === conversation)?.messages.find((m) => m.id !== null)?.id;
      const current = this.chat.conversations().find((c) => c.id === conversation);
      const before = oldest();
      const more = !!current && (current.olderAvailable || !current.historyLoaded) && (before == null || before > id);
      if (held?.deleted || !more) break;
      // The largest pages history gives: a search result can be far back, and each page is a round trip.
      if (!(await this.chat.loadOlder(conversation, HISTORY_PAGE_MAX))) {
        this.jump.set({ conversation, id, state: 'failed' });
        return false;
      }
      idle = oldest() === before ? idle + 1 : 0;
    }
    this.jump.set({ conversation, id, state: 'gone' });
    return false;
  }

  clearJump(): void {
    this.jump.set(null);
  }

  /** Marks the message pending, asks, then applies the answer or shows the refusal (and keeps a retry). */
  private async act<A extends { rev: number }>(
    conversation: string,
    id: number,
    kind: 'delete' | 'reaction',
    request: () => Promise<Ack<A>>,
    apply: (m: ChatMessage, ack: A) => ChatMessage,
  ): Promise<void> {
    const attempt = async (): Promise<void> => {
      this.chat.patchMessage(conversation, id, (m) => ({ ...m, pending: kind, actionError: undefined }));
      const ack = await request();
      if (ack.ok) this.retries.delete(id);
      else this.retries.set(id, attempt);
      this.chat.patchMessage(conversation, id, ({ pending: _, ...m }) =>
        ack.ok ? { ...apply(m, ack), actionError: undefined } : { ...m, actionError: describe(ack.error, kind) },
      );
    };
    await attempt();
  }

  private withinWindow(message: ChatMessage): boolean {
    const window = this.chat.editWindowMs();
    if (window === null) return true;
    return window > 0 && this.now() - Date.parse(message.sentAt) < window;
  }

  private isModerator(): boolean {
    // The server's rule for delete_message: admins may delete any message.
    return this.chat.me()?.role === 'admin';
  }
}

/** A refusal in words a person can act on. */
function describe(error: ErrorBody, action: 'edit' | 'delete' | 'reaction'): string {
  const what = action === 'edit' ? 'Not saved' : action === 'delete' ? 'Not deleted' : 'Reaction not saved';
  switch (error.code) {
    case ErrorCodes.EditWindowClosed:
      return action === 'edit' ? 'Too late to edit this message.' : 'Too late to delete this message.';
    case ErrorCodes.MessageDeleted:
      return 'This message was deleted.';
    case ErrorCodes.UnknownMessage:
      return 'This message is no longer there.';
    default:
      return `${what}: ${error.message}`;
  }
}
