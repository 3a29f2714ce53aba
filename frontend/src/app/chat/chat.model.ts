import {
  type Attachment,
  type ConversationKind,
  mentionsUser,
  type NotifyLevel,
  parseConversationId,
  type Reaction,
  type ReadReceipt,
  type ReplyQuote,
  type Role,
  textWithoutAttachmentLines,
  type WireMessage,
} from '@parley/contract';

export type DeliveryState = 'sending' | 'sent' | 'failed';

export interface ChatMessage {
  /** Stable across sending -> sent: the client_id, or the server id for others' messages. */
  key: string;
  id: number | null;
  clientId: string | null;
  /** What the sender wrote: without the line per file the server adds for text-only clients. */
  text: string;
  senderName: string;
  senderRole: Role;
  /** Sent by a bot account (WireMessage.sender_bot): shown with a "bot" badge. */
  senderBot?: boolean;
  sentAt: string;
  mine: boolean;
  state: DeliveryState;
  error?: string;
  /** A conversation list preview (maybe only the start of the text): the message from history or sync replaces it. */
  partial?: boolean;
  /** Who it mentions (WireMessage.mentions): user names, '@here', '@channel'. */
  mentions?: readonly string[];
  /** Someone else's message that mentions the viewer (by name, @here or @channel). */
  mentionsMe?: boolean;
  /** Its place in the stream of changes once it changed (WireMessage.rev): a higher one replaces it. */
  rev?: number;
  /** When it was last edited. */
  editedAt?: string;
  /** A tombstone: deleted for everyone, no text. */
  deleted?: boolean;
  /** The message this one answers. */
  replyTo?: ReplyQuote;
  reactions?: readonly Reaction[];
  /** Its files (WireMessage.attachments), in the order sent. */
  attachments?: readonly Attachment[];
  /** An edit, delete or reaction of the viewer's on its way to the server. */
  pending?: 'edit' | 'delete' | 'reaction';
  /** Why the viewer's last edit, delete or reaction of it failed (cleared by the next attempt). */
  actionError?: string;
}

export interface Conversation {
  /** 'group:<role>', 'user:<name>', 'team:<role>:<guest>' or 'channel:<name>': also what send_message and history take. */
  id: string;
  kind: ConversationKind;
  /** The group, the other user's name, the team's role or the channel's name. */
  name: string;
  /** A team conversation's person outside the role ('cleo' in 'team:staff:cleo'); null otherwise. */
  guest: string | null;
  messages: ChatMessage[];
  unread: number;
  /** Of the unread messages, those that mention the viewer. */
  mentions: number;
  /** When this conversation may notify: every message, only mentions, or never. */
  notify: NotifyLevel;
  lastReadId: number;
  /** Messages up to this id are already included in `unread` (the server counted them). */
  countedThrough: number;
  /** Older messages can still be loaded from history. */
  olderAvailable: boolean;
  historyLoaded: boolean;
  /**
   * Where this visit's "New" divider goes: before the first message from someone else with an id
   * above this one. Set when the conversation is opened with unread messages (the read mark at
   * that moment), null when it was opened with none.
   */
  newAfter: number | null;
  /** How far each other member has read (user name -> up_to), for "Seen" and "Seen by N". */
  receipts: ReadonlyMap<string, number>;
}

export function toChatMessage(message: WireMessage, me: string): ChatMessage {
  return {
    key: message.client_id && message.sender_name === me ? message.client_id : `id:${message.id}`,
    id: message.id,
    clientId: message.client_id,
    text: textWithoutAttachmentLines(message.message, message.attachments ?? []),
    senderName: message.sender_name,
    senderRole: message.sender_role,
    sentAt: message.sent_at,
    mine: message.sender_name === me,
    state: 'sent',
    ...(message.mentions?.length
      ? { mentions: message.mentions, mentionsMe: message.sender_name !== me && mentionsUser(message.mentions, me) }
      : {}),
    ...(message.rev !== undefined ? { rev: message.rev } : {}),
    ...(message.edited_at ? { editedAt: message.edited_at } : {}),
    ...(message.deleted ? { deleted: true } : {}),
    ...(message.reply_to ? { replyTo: message.reply_to } : {}),
    ...(message.reactions?.length ? { reactions: message.reactions } : {}),
    ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    ...(message.sender_bot ? { senderBot: true } : {}),
  };
}

/** Whether a new message from someone else may raise a notification under a conversation's setting. */
export function notifies(level: NotifyLevel, message: Pick<ChatMessage, 'mentionsMe'>): boolean {
  return level === 'all' || (level === 'mentions' && !!message.mentionsMe);
}

/** An empty conversation; `id` is one the server or ConversationIds built, never a bare name. */
export function newConversation(id: string): Conversation {
  const parsed = parseConversationId(id);
  if (!parsed) throw new Error(`Not a conversation id: ${id}`);
  const name =
    parsed.kind === 'user' ? parsed.username : parsed.kind === 'channel' ? parsed.channel : parsed.group;
  return {
    id,
    kind: parsed.kind,
    name,
    guest: parsed.kind === 'team' ? parsed.guest : null,
    messages: [],
    unread: 0,
    mentions: 0,
    notify: 'all',
    lastReadId: 0,
    countedThrough: 0,
    olderAvailable: true,
    historyLoaded: false,
    newAfter: null,
    receipts: new Map(),
  };
}

/**
 * Inserts by id, keeping pending (id-less) messages last; returns null if the id is known,
 * unless this copy is newer: the whole message where a partial preview is held, or a later
 * state of it (a higher rev: edited, deleted, reacted to). It then replaces the held one in
 * place, keeping its key (the list tracks rows by it) and the viewer's action in progress.
 */
export function insertMessage(messages: ChatMessage[], message: ChatMessage): ChatMessage[] | null {
  const known = message.id === null ? -1 : messages.findIndex((m) => m.id === message.id);
  if (known >= 0) {
    const held = messages[known];
    const newer = (message.rev ?? 0) > (held.rev ?? 0) || (held.partial && !message.partial && (message.rev ?? 0) === (held.rev ?? 0));
    if (!newer) return null;
    const merged: ChatMessage = { ...message, key: held.key, ...(held.pending ? { pending: held.pending } : {}) };
    return messages.map((m, i) => (i === known ? merged : m));
  }
  const pendingIndex = message.clientId ? messages.findIndex((m) => m.mine && m.clientId === message.clientId) : -1;
  const rest = pendingIndex >= 0 ? messages.filter((_, i) => i !== pendingIndex) : messages;
  const next = [...rest];
  let at = next.length;
  while (at > 0 && (next[at - 1].id === null || (message.id !== null && next[at - 1].id! > message.id))) at--;
  if (message.id === null) at = next.length;
  next.splice(at, 0, message);
  return next;
}

/** Day separators and the "New" divider between messages: the rows the message list renders. */
export type ChatRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'new'; key: 'new' }
  | { kind: 'message'; key: string; message: ChatMessage };

/**
 * The rows for `messages`: a separator before each day's first message, and, with `newAfter`, a
 * "New" divider before the first message from someone else with a higher id (before its day's
 * separator when it opens a day, so the divider never splits a date from its messages).
 */
export function withDaySeparators(messages: ChatMessage[], locale?: string, newAfter: number | null = null): ChatRow[] {
  const rows: ChatRow[] = [];
  let lastDay = '';
  let dividerPlaced = newAfter === null;
  for (const message of messages) {
    const date = new Date(message.sentAt);
    const day = date.toDateString();
    const firstNew = !dividerPlaced && !message.mine && message.id !== null && message.id > newAfter!;
    if (firstNew) {
      dividerPlaced = true;
      if (day === lastDay) rows.push({ kind: 'new', key: 'new' });
    }
    if (day !== lastDay) {
      lastDay = day;
      if (firstNew) rows.push({ kind: 'new', key: 'new' });
      rows.push({
        kind: 'day',
        key: `day:${day}`,
        label: date.toLocaleDateString(locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
      });
    }
    rows.push({ kind: 'message', key: message.key, message });
  }
  return rows;
}

/** Whether a quoted message can no longer be shown: deleted, or removed by retention. */
export function quoteGone(quote: ReplyQuote): boolean {
  return !!quote.deleted;
}

/** Folds receipts (history's, sync's, live ones) into a conversation's read marks: a mark only moves forward. */
export function withReceipts(held: ReadonlyMap<string, number>, receipts: readonly ReadReceipt[]): ReadonlyMap<string, number> {
  const next = new Map(held);
  for (const receipt of receipts) if (receipt.up_to > (next.get(receipt.user_name) ?? 0)) next.set(receipt.user_name, receipt.up_to);
  return next;
}

/**
 * "Seen" (a DM) or "Seen by N" (anything with more people): under the viewer's newest sent
 * message that someone else has read, who has read it. Null when nobody has read any.
 */
export function seenBy(conversation: Pick<Conversation, 'messages' | 'receipts'>, me: string): { id: number; names: string[] } | null {
  for (let i = conversation.messages.length - 1; i >= 0; i--) {
    const message = conversation.messages[i];
    if (!message.mine || message.id === null || message.deleted) continue;
    const names = [...conversation.receipts].filter(([name, upTo]) => name !== me && upTo >= message.id!).map(([name]) => name);
    if (names.length > 0) return { id: message.id, names: names.sort() };
  }
  return null;
}

/** A message's time in full, for its tooltip and for screen readers ("Wednesday 2 December 2026, 09:41"). */
export function fullTime(sentAt: string, locale?: string): string {
  return new Date(sentAt).toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}

/** The longest a refused read waits between attempts, unless the server asks for longer. */
export const READ_BACKOFF_MAX_MS = 5_000;

/**
 * How long to wait before asking again after the `refusals`-th refusal (0 for the first) of a
 * read the server answered with RATE_LIMITED and `hintMs`: the hint, doubled per earlier
 * refusal up to READ_BACKOFF_MAX_MS, plus up to half again at random (`random` in [0, 1)) so
 * tabs refused together spread out. Never less than the hint.
 */
export function readRetryDelay(hintMs: number, refusals: number, random: number): number {
  const backedOff = Math.max(hintMs, Math.min(READ_BACKOFF_MAX_MS, hintMs * 2 ** Math.min(refusals, 10)));
  return Math.round(backedOff * (1 + random / 2));
}
