import type { Announcement } from './announcements';
import type { ChannelInfo } from './channels';
import type { ConversationKind } from './conversation-id';
import type { Attachment, FileLimits } from './files';
import type { NotifyLevel } from './mentions';
import type { Reaction } from './reactions';
import type { Role } from './roles';

/**
 * The socket.io wire contract, shared by the server and the web app: event names, error codes
 * and the shapes the server sends. events.ts ties each event to its payload and ack.
 * docs/protocol.md is the prose version of this file; change both together.
 */

/** Events a client emits. The first four keep the Flask prototype's names. */
export const ClientEvents = {
  VerifyUser: 'verify_user',
  SendMessage: 'send_message',
  Sync: 'sync',
  History: 'history',
  Roster: 'roster',
  Conversations: 'conversations',
  MarkRead: 'mark_read',
  Directory: 'directory',
  Typing: 'typing',
  /** Per-conversation notifications: all, mentions only, or nothing. */
  SetNotify: 'set_notify',
  /** Change the text of one's own message (within the edit window). */
  EditMessage: 'edit_message',
  /** Delete one's own message (within the edit window), or, for admins, any message. */
  DeleteMessage: 'delete_message',
  /** Add (`on: true`) or take back (`on: false`) a reaction on a message. */
  React: 'react',
  /** Full-text search over every message the caller may see (GET /api/search takes the same fields). */
  Search: 'search',
} as const;

/** Events the server emits. */
export const ServerEvents = {
  MessageFromUser: 'message_from_user',
  UpdateWebApp: 'update_web_app',
  RosterDiff: 'roster_diff',
  /** A user's first device connected or their last one left. */
  Presence: 'presence',
  /** Someone is typing in a conversation the receiver is part of. */
  Typing: 'typing',
  /** This user read a conversation on another device. */
  Read: 'read',
  /** Sent when a client emitted without an ack callback and the request failed. */
  ParleyError: 'parley_error',
  /**
   * The server is stopping: requests from now on get SHUTTING_DOWN, and the connection closes
   * (as a transport close, so socket.io clients reconnect by themselves) once every request
   * already accepted has been answered.
   */
  ServerShutdown: 'server_shutdown',
  /**
   * Sent to exactly the sockets an administrator's action is about to close (sign-out, disable,
   * password reset, disconnect...), just before they close, so a page can say why it ended.
   * Clients that do not know it (the prototype's pages) simply ignore it.
   */
  SessionEnded: 'session_ended',
  /** A channel the receiver may see was created or changed (name, topic, archived, members). */
  ChannelUpdated: 'channel_updated',
  /** The receiver is no longer in (or may no longer see) a channel. */
  ChannelRemoved: 'channel_removed',
  /** A new announcement addressed to the receiver's role. */
  Announcement: 'announcement',
  /** Someone acknowledged an announcement: to their other devices and to admins. */
  AnnouncementAcked: 'announcement_acked',
  /** This user changed a conversation's notification setting on another device. */
  NotifyChanged: 'notify_changed',
  /** A message the receiver can see was edited: the message as it now is. */
  MessageEdited: 'message_edited',
  /** A message the receiver can see was deleted: its tombstone (no text). */
  MessageDeleted: 'message_deleted',
  /** Someone reacted to a message the receiver can see, or took a reaction back. */
  ReactionChanged: 'reaction_changed',
  /** Someone else read a conversation the receiver is in up to a message ("seen by"). */
  ReadReceipt: 'read_receipt',
} as const;

export const ErrorCodes = {
  /** The payload does not match the event's schema (wrong type, missing field, ...). */
  InvalidPayload: 'INVALID_PAYLOAD',
  /** The event needs a verified socket; call verify_user first. */
  NotVerified: 'NOT_VERIFIED',
  /** verify_user refused: no session, or the claimed role/name do not match it. */
  NotAuthorised: 'NOT_AUTHORISED',
  /**
   * The account exists but an admin disabled it (open-mode verify_user). REST sign-in answers
   * INVALID_CREDENTIALS instead, so the answer never confirms a guessed password.
   */
  AccountDisabled: 'ACCOUNT_DISABLED',
  /** The permission table does not allow this sender to reach this target. */
  Forbidden: 'FORBIDDEN',
  /** recipients / conversation names no group, connected socket or user. */
  UnknownRecipient: 'UNKNOWN_RECIPIENT',
  /** Message text is longer than the server's limit (bytes of UTF-8). */
  MessageTooLong: 'MESSAGE_TOO_LONG',
  /**
   * An extension installed on this server refused the message (e.g. a word filter); nothing was
   * stored. The message is the extension's, for the sender to read. Resending the same text fails again.
   */
  MessageRefused: 'MESSAGE_REFUSED',
  /** The event name is not part of this protocol. */
  UnknownEvent: 'UNKNOWN_EVENT',
  /**
   * Too many events from this socket or user, or too many reads in progress at once; wait
   * (retry_after_ms when given), then resend.
   */
  RateLimited: 'RATE_LIMITED',
  /** The message could not be stored; it was not delivered, resend it (same client_id). */
  StorageFailed: 'STORAGE_FAILED',
  /** The server is stopping and takes no new requests; resend after reconnecting (same client_id). */
  ShuttingDown: 'SHUTTING_DOWN',
  /** Anything else; details are in the server log, never on the wire. */
  Internal: 'INTERNAL',
  // REST-only codes
  InvalidCredentials: 'INVALID_CREDENTIALS',
  Unauthenticated: 'UNAUTHENTICATED',
  NotFound: 'NOT_FOUND',
  UsernameTaken: 'USERNAME_TAKEN',
  /** A cookie-authenticated REST write without the matching X-XSRF-TOKEN header. */
  CsrfRejected: 'CSRF_REJECTED',
  /** A state-changing request from another site's page (its Origin, or Sec-Fetch-Site: cross-site). */
  CrossSiteRejected: 'CROSS_SITE_REJECTED',
  /** A request body that is not JSON (HTML forms can post other types across sites). */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** The Host header names a server Parley is not (DNS rebinding); see PARLEY_ALLOWED_HOSTS. */
  HostNotAllowed: 'HOST_NOT_ALLOWED',
  /** The new password is too short or too easy to guess; the message says why (zxcvbn feedback). */
  WeakPassword: 'WEAK_PASSWORD',
  /** The change would leave no enabled admin (disabling, demoting or deleting the last one). */
  LastAdmin: 'LAST_ADMIN',
  /** An admin may not disable, demote or delete their own account; another admin must. */
  SelfChange: 'SELF_CHANGE',
  /** A channel with that name exists already (maybe one the asker cannot see). */
  ChannelExists: 'CHANNEL_EXISTS',
  /** The channel is archived: it can be read, not posted to or joined. */
  ChannelArchived: 'CHANNEL_ARCHIVED',
  /**
   * No message with that id that the asker can see (edit, delete, react, reply_to): one that
   * does not exist and one in a conversation the asker is not in get the same answer.
   */
  UnknownMessage: 'UNKNOWN_MESSAGE',
  /** Editing or deleting one's own message after PARLEY_EDIT_WINDOW_MINUTES (0: never allowed). */
  EditWindowClosed: 'EDIT_WINDOW_CLOSED',
  /** The message was deleted: it cannot be edited, reacted to or answered. */
  MessageDeleted: 'MESSAGE_DELETED',
  /**
   * search: the query cannot be run as written (a date that is not YYYY-MM-DD, a filter given
   * twice, nothing to search for, a cursor from another query); the message says which.
   */
  InvalidQuery: 'INVALID_QUERY',
  /**
   * An attachment id that names no file the sender uploaded and has not attached elsewhere, or
   * a file the asker may not download: the same answer for one that does not exist.
   */
  UnknownFile: 'UNKNOWN_FILE',
  /** POST /api/files: larger than PARLEY_FILES_MAX_BYTES; the message says the limit. */
  FileTooLarge: 'FILE_TOO_LARGE',
  /** POST /api/files: the file's type is not in PARLEY_FILES_ALLOWED_TYPES. */
  FileTypeNotAllowed: 'FILE_TYPE_NOT_ALLOWED',
  /** POST /api/files: the upload would take the uploader past PARLEY_FILES_QUOTA_BYTES. */
  QuotaExceeded: 'QUOTA_EXCEEDED',
  /** POST /api/files: no `file` field, an empty file, or an image too large to open safely. */
  InvalidFile: 'INVALID_FILE',
  /** POST /api/me/password: `current_password` is not the account's password. */
  WrongPassword: 'WRONG_PASSWORD',
  /**
   * The account's password (or name and role) lives in the company directory (LDAP) or the
   * single sign-on provider: change it there. Also an admin's role change or password reset of
   * such an account.
   */
  DirectoryAccount: 'DIRECTORY_ACCOUNT',
  /** POST /api/auth/login: the company directory (LDAP) cannot be reached; local accounts still sign in. */
  DirectoryUnavailable: 'DIRECTORY_UNAVAILABLE',
  /**
   * An outgoing webhook's URL names a host or address that PARLEY_WEBHOOK_ALLOWED_HOSTS does not
   * allow (or the list is empty); the message says which and names the variable.
   */
  WebhookAddressNotAllowed: 'WEBHOOK_ADDRESS_NOT_ALLOWED',
  /**
   * The account is a bot: it has no password (it signs in with its API token) and its name is an
   * admin's to change. Setting or changing its password, or its own display name, is refused.
   */
  BotAccount: 'BOT_ACCOUNT',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** With RATE_LIMITED: how long to wait before sending the same request again. */
  retry_after_ms?: number;
}
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };

/** parley_error: a failed request from a client that passed no ack callback (the prototype's pages). */
export interface ParleyErrorPayload extends ErrorBody {
  /** The event that failed. */
  event: string;
}

export type Verification = 'VERIFIED' | 'NOT VERIFIED' | 'NOT AUTHORISED';

// Client -> server payloads are inferred from their validators: see events.ts.

// ---- server -> client payloads ----

/** A stored message as delivered live (message_from_user) and replayed (sync, history). */
export interface WireMessage {
  // The prototype's three fields, unchanged.
  message: string;
  /** Socket id the message was sent from; a prototype client replies to it. */
  sender: string;
  sender_name: string;
  // Parley additions.
  id: number;
  sent_at: string;
  sender_role: Role;
  /** 'group', 'user' (direct), 'team' or 'channel': see conversationIdOf. */
  target_kind: ConversationKind;
  /** The group ('staff'), the recipient's user name, the team's role, or the channel's name. */
  target: string;
  client_id: string | null;
  /** Team messages only: the person outside the role (the conversation is `team:<target>:<guest>`). */
  guest?: string;
  /** Only when it mentions someone: user names, '@here', '@channel' (contract/mentions.ts). */
  mentions?: string[];
  /**
   * Only once the message changed (edited, deleted, reacted to): its place in the stream of
   * changes, above every id and rev before the change. sync replays the message at this place;
   * a client keeps the highest id or rev it has seen as its `since`.
   */
  rev?: number;
  /** Only when edited: when it last was. */
  edited_at?: string;
  /** Only for a deleted message (a tombstone): `message` is '' and nothing else of it is kept. */
  deleted?: true;
  /** Only for a reply: the message it answers. */
  reply_to?: ReplyQuote;
  /** Only when someone reacted: each emoji with who chose it. */
  reactions?: Reaction[];
  /**
   * Only with files: each one's id, name, size and type (images: dimensions and a thumbnail).
   * `message` then ends with a line per file (withAttachmentLines), for clients that show only
   * text; a client reading this field shows textWithoutAttachmentLines(message, attachments).
   */
  attachments?: Attachment[];
  /** Only when a bot account sent it (an admin made it with POST /api/admin/bots): show it as a bot. */
  sender_bot?: true;
}

/** The message a reply answers, as the reply shows it. */
export interface ReplyQuote {
  id: number;
  sender_name: string;
  /** Its first REPLY_EXCERPT_CHARS characters as it now reads ('' once deleted or gone). */
  excerpt: string;
  /** The answered message was deleted, or removed by retention. */
  deleted?: true;
}

export interface VerifyUserAck {
  user: PublicUser;
  /** Highest stored message id; a fresh client can sync from here. */
  latest_id: number;
  /** The server's message size limit, in UTF-8 bytes. */
  max_message_bytes: number;
  /** The groups this user may post to. */
  groups: Role[];
  /** The role groups this user reads (its own, and those it supervises). */
  read_groups: Role[];
  /**
   * For each group in `groups`, the conversation a post there goes to: the group itself when the
   * user reads it, otherwise the user's team conversation with that role ('team:staff:cleo').
   */
  group_conversations: Partial<Record<Role, string>>;
  /**
   * How long after sending one may edit or delete one's own message, in milliseconds: 0 never,
   * null always (PARLEY_EDIT_WINDOW_MINUTES). Admins may delete any message at any time.
   */
  edit_window_ms: number | null;
  /** Whether read receipts ("Seen", "Seen by N") are on for this organisation (PARLEY_READ_RECEIPTS). */
  read_receipts: boolean;
  /** The largest file and the types POST /api/files takes (a client can refuse before sending). */
  file_limits: FileLimits;
}

export interface SendMessageAck {
  id: number;
  sent_at: string;
  client_id: string | null;
  /** True when this client_id was already stored: nothing was stored or delivered again. */
  duplicate: boolean;
  /**
   * Only when the text stored is not the one sent (an extension on the server rewrote it, e.g.
   * masked a word): what was stored and delivered, for the sender to show instead.
   */
  message?: string;
}

export interface MessagePageAck {
  messages: WireMessage[];
  /** More messages wait beyond this page. */
  more: boolean;
}

/**
 * sync's answer: a page of messages, and the state a client away for a while must catch up
 * on besides them: the channels it is in now (one it was removed from is missing) and the
 * announcements it has still to acknowledge (at most PENDING_ANNOUNCEMENTS_MAX, newest first).
 */
export interface SyncAck extends MessagePageAck {
  channels: ChannelInfo[];
  announcements: Announcement[];
  /**
   * Read marks others moved in the receiver's conversations (and the receiver's own, from other
   * devices) within this page of the stream, oldest first; empty when receipts are off.
   */
  receipts: ReadReceipt[];
  /**
   * Where this page of the stream ends: pass it as `since` for the next page (with `more`) or
   * the next sync. Messages come at their id, changed ones at their `rev`, receipts at theirs.
   */
  cursor: number;
}

/** history's answer: a page of one conversation, and on its newest page who has read how far. */
export interface HistoryAck extends MessagePageAck {
  /**
   * The first page only (no `before`), with read receipts on: every other member's read mark in
   * the conversation, for "Seen" and "Seen by N". Later pages and receipts off: [].
   */
  receipts: ReadReceipt[];
}

/** How far one person has read a conversation (read_receipt, and in sync and history). */
export interface ReadReceipt {
  /** The conversation's id as the receiver names it ('user:<the other person>' for a DM). */
  conversation: string;
  user_name: string;
  /** Every message up to this id is read. */
  up_to: number;
  /** The place of this change in the stream (absent in history, which gives the current state). */
  rev?: number;
}

export interface EditMessageAck {
  id: number;
  rev: number;
  edited_at: string;
}
export interface DeleteMessageAck {
  id: number;
  rev: number;
}
export interface ReactAck {
  id: number;
  rev: number;
  reactions: Reaction[];
}
/** reaction_changed: the message as it now is, and the change. */
export interface ReactionChangedPayload extends WireMessage {
  reaction: { emoji: string; user_name: string; on: boolean };
}

/** A conversation as one user sees it. */
export interface ConversationSummary {
  /** 'group:<role>' or 'user:<the other user's name>'. */
  conversation: string;
  /** The newest message; its text cut to CONVERSATION_PREVIEW_CHARS when `last_truncated`. */
  last: WireMessage;
  /** `last.message` is only the start of the message: history and sync send it whole. */
  last_truncated: boolean;
  /** Messages from others after the user's read mark. */
  unread: number;
  /** Of those, the ones that mention the user (by name, @here or @channel). */
  mentions: number;
  last_read_id: number;
  /** The user's notification setting for it (default 'all'). */
  notify: NotifyLevel;
}

export interface ConversationsAck {
  /**
   * At most CONVERSATIONS_MAX conversations, newest first: the newest, or with `{before: id}`
   * those whose newest message id is below `id`.
   */
  conversations: ConversationSummary[];
  /** More (older) conversations exist: ask again with `before` = the last one's `last.id`. */
  more: boolean;
}

/**
 * The most conversations one `conversations` answer lists, and the characters of each preview:
 * together they bound the answer (about 200 × 1 KB) however many conversations a user has, e.g.
 * after a spammer wrote to them from thousands of open-mode accounts.
 */
export const CONVERSATIONS_MAX = 200;
export const CONVERSATION_PREVIEW_CHARS = 300;

export interface DirectoryEntry extends PublicUser {
  online: boolean;
}

export interface DirectoryAck {
  /** One page of the people this user may message directly (not themselves), by user name. */
  users: DirectoryEntry[];
  /** Pass as `after` for the next page; null at the end. */
  next_after: string | null;
}

export interface PresencePayload {
  user_name: string;
  online: boolean;
}

export interface TypingPayload {
  user_name: string;
  target_kind: ConversationKind;
  /** The group, the user being typed to, the team's role or the channel's name (as in WireMessage). */
  target: string;
  /** Team conversations only, as in WireMessage. */
  guest?: string;
}

export interface ReadPayload {
  conversation: string;
  up_to: number;
}

export interface ServerShutdownPayload {
  /** For people: the server is restarting or stopping; the client will reconnect. */
  message: string;
}

/**
 * Why a session ended: an administrator signed the user out everywhere, disabled, deleted or
 * re-roled the account, set a new password, or disconnected this one device from the roster; or
 * the user changed their own password on another device (password_changed); or the company
 * directory removed them or changed their role (directory_disabled, directory_role_changed).
 */
export const SESSION_END_REASONS = [
  'signed_out',
  'disabled',
  'password_reset',
  'disconnected',
  'role_changed',
  'deleted',
  'password_changed',
  // The company directory took the person out of every mapped group or out of the directory
  // (the sync, or a sign-in elsewhere), or moved them to another group.
  'directory_disabled',
  'directory_role_changed',
  // A bot's API token was rotated or revoked by an admin (or the bot was disabled, deleted or re-roled).
  'token_revoked',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface SessionEndedPayload {
  reason: SessionEndReason;
}

export interface PublicUser {
  username: string;
  display_name: string;
  role: Role;
}

/** The prototype's roster entry, field names and spelling kept exactly. */
export interface LegacyRosterEntry {
  IP: string;
  Connected_at: string;
  Varification: Verification;
  user_type: string;
  user_name?: string;
}

export interface UpdateWebAppPayload {
  message: string;
  users: Record<string, LegacyRosterEntry>;
}

export interface RosterEntry {
  socket_id: string;
  user_name: string | null;
  display_name: string | null;
  role: Role | null;
  ip: string;
  user_agent: string;
  connected_at: string;
  verification: Verification;
  /** The Parley node the socket is connected to (PARLEY_NODE_NAME); one name on a single server. */
  node: string;
}

export interface RosterSnapshotAck {
  version: number;
  connections: RosterEntry[];
}

export interface RosterDiffPayload {
  version: number;
  upserted: RosterEntry[];
  removed: string[];
}
