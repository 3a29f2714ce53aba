import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AccountSource, ChannelVisibility, ConversationKind, NotifyLevel, Role, WebhookDeliveryStatus } from '@parley/contract';

/**
 * Table shapes. Timestamps are epoch milliseconds (bigint in PostgreSQL, integer in SQLite):
 * one representation that sorts, compares and crosses both dialects without time-zone rules.
 */
export interface UsersTable {
  id: Generated<number>;
  /** Lower-case, unique, never changes: messages keep it as the sender's name. */
  username: string;
  display_name: string;
  role: Role;
  /** null: an open-mode account that has never had a password (cannot log in over REST). */
  password_hash: string | null;
  disabled: Generated<number>;
  created_at: number;
  updated_at: number;
  /** Set when an admin deleted the account; the row is then renamed and disabled for good. */
  deleted_at: Generated<number | null>;
  /** Where the password lives: 'local', 'ldap' (company directory) or 'oidc' (single sign-on). */
  source: Generated<AccountSource>;
  /** `ldap:<DN>` or `oidc:<issuer> <sub>`; null for local accounts. Unique. */
  external_id: Generated<string | null>;
  /** 1 when the directory sync disabled the account (signing in again, back in a group, enables it). */
  directory_disabled: Generated<number>;
  /** 1 for a bot account (migration 0013): no password, signed in by its API token; never changes. */
  bot: Generated<number>;
}

/** A bot's API token: only its SHA-256 is stored. At most one per bot has revoked_at null. */
export interface BotTokensTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_at: number;
  /** The admin who created or rotated it in (their user name then). */
  created_by: string;
  /** Updated at most once a minute per token, so a busy bot costs no write per request. */
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SessionsTable {
  id: Generated<number>;
  /** sha256 of the token: a stolen database does not yield usable sessions. */
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface MessagesTable {
  /** Monotonic; clients sync from the last id they saw. */
  id: Generated<number>;
  client_id: string | null;
  sender_id: number;
  sender_username: string;
  sender_role: Role;
  /** Socket the message came from: the prototype's `sender`, which its clients reply to. */
  sender_socket: string;
  target_kind: ConversationKind;
  /** Group name, the recipient's user name, the team's role, or the channel's name (rewritten on rename). */
  target: string;
  /** A DM's recipient; a team conversation's guest (so the guest finds it like a DM). */
  recipient_id: number | null;
  /**
   * The storage key, history pages along it: 'group:<role>', 'dm:<lower id>:<higher id>',
   * 'team:<role>:<guest id>', 'channel:<channel id>'.
   */
  conversation: string;
  /**
   * Who reads it as a member, indexed with the id for sync: 'group:<role>' (the role and its
   * supervisors), 'role:<role>' (a team conversation's team), 'channel:<channel id>'; null for a DM.
   */
  audience: string | null;
  /** Team conversations: the guest's user name (WireMessage.guest). */
  guest: string | null;
  /** JSON array of mentioned names (contract/mentions.ts), or null for none. */
  mentions: string | null;
  body: string;
  sent_at: number;
  /**
   * The stream position of the latest change (edit, delete, reaction), from the same counter as
   * ids; null until the first. sync replays a changed message at its rev, not its id.
   */
  rev: Generated<number | null>;
  edited_at: Generated<number | null>;
  /** A tombstone: body '' and mentions null; its reactions are gone too. */
  deleted_at: Generated<number | null>;
  /** The id of the message this one answers (same conversation). */
  reply_to: Generated<number | null>;
  /**
   * JSON contract Attachment[] of the files it carries, or null for none; set once, when sent
   * (a tombstone clears it). Optional on insert: most messages have none.
   */
  attachments: ColumnType<string | null, string | null | undefined, string | null>;
  /** 1 when a bot sent it (migration 0013), else null. */
  sender_bot: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface MessageReactionsTable {
  message_id: number;
  user_id: number;
  username: string;
  emoji: string;
  reacted_at: number;
}

export interface RetentionOverridesTable {
  /** The storage key, as in messages.conversation. */
  conversation: string;
  /** 0: kept forever. */
  days: number;
  updated_at: number;
  updated_by: string;
}

export interface ReadMarksTable {
  user_id: number;
  /** The storage key ('group:staff', 'dm:1:2'), as in messages.conversation. */
  conversation: string;
  last_read_id: number;
  updated_at: number;
  /** Stream position of the latest move (read receipts in sync); null for marks older than receipts. */
  rev: Generated<number | null>;
  /** Who else sees this mark, as messages.audience (null for a DM). */
  audience: Generated<string | null>;
  /** A DM's other person; a team conversation's guest. */
  peer_id: Generated<number | null>;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** null when Parley itself acted (settings read at start-up). */
  actor_id: number | null;
  actor_username: string;
  action: string;
  target: string | null;
  /** A JSON object. */
  details: string;
  ip: string | null;
}

/** Secrets every node must share (generated once, by whichever node starts first). */
export interface ServerSecretsTable {
  name: string;
  /** base64url random bytes. */
  value: string;
  created_at: number;
}

export interface ChannelsTable {
  id: Generated<number>;
  /** Unique, lower-case; a rename rewrites messages.target of its messages. */
  name: string;
  topic: string;
  visibility: ChannelVisibility;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

export interface ChannelMembersTable {
  channel_id: number;
  user_id: number;
  added_at: number;
}

export interface AnnouncementsTable {
  id: Generated<number>;
  author_id: number;
  author_username: string;
  body: string;
  /** Space-separated roles ('admin staff client' for everyone). */
  roles: string;
  created_at: number;
}

export interface AnnouncementAcksTable {
  announcement_id: number;
  user_id: number;
  acked_at: number;
}

export interface ConversationSettingsTable {
  user_id: number;
  /** The storage key, as in messages.conversation. */
  conversation: string;
  notify: NotifyLevel;
  updated_at: number;
}

/** SQLite only: messages with an id below `below` are not in the search index yet (SearchIndexBuilder). */
export interface SearchBackfillTable {
  id: number;
  below: number;
}

export interface FilesTable {
  /** 128 random bits, base64url: the address under /api/files/. */
  id: string;
  /** The stored bytes' address (file_blobs). */
  sha256: string;
  name: string;
  size: number;
  content_type: string;
  uploader_id: number;
  created_at: number;
  width: number | null;
  height: number | null;
  /** An image's preview, stored as a blob of its own. */
  thumb_sha256: string | null;
  /** The message carrying it; null until sent. */
  message_id: number | null;
}

/** Every stored copy of some bytes, by SHA-256 (FileStore's file name). */
export interface FileBlobsTable {
  sha256: string;
  created_at: number;
}

/** An outgoing webhook (migration 0014). */
export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  /** Space-separated contract WebhookEvent names. */
  events: string;
  /** JSON array of storage keys (as messages.conversation); null: every conversation but DMs. */
  conversations: string | null;
  description: Generated<string>;
  /** The HMAC key deliveries are signed with (base64url); readable only by the sender, never answered. */
  secret: string;
  enabled: Generated<number>;
  /** The last message id looked at for this webhook; new messages above it are still to be queued. */
  cursor: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  secret_rotated_at: Generated<number | null>;
}

/** A webhook's delivery of one event: the durable queue and its history. */
export interface WebhookDeliveriesTable {
  /** A UUID: X-Parley-Delivery, stable across attempts. */
  id: string;
  webhook_id: number;
  event: string;
  message_id: number;
  status: WebhookDeliveryStatus;
  attempts: Generated<number>;
  created_at: number;
  /** When pending: the earliest next attempt. */
  next_attempt_at: number | null;
  last_attempt_at: Generated<number | null>;
  /** The receiver's HTTP status on the last attempt, if it answered. */
  last_status: Generated<number | null>;
  last_error: Generated<string | null>;
  delivered_at: Generated<number | null>;
}

/** An incoming webhook (migration 0015): a secret URL posting as one bot into one conversation. */
export interface IncomingWebhooksTable {
  id: Generated<number>;
  name: Generated<string>;
  /** The bot account it posts as. */
  bot_user_id: number;
  /** The wire conversation id ('group:staff', 'channel:ops', 'user:sam'), sent as `recipients`. */
  conversation: string;
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  token_hash: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
  /** Updated at most once a minute per hook, so a busy hook costs no extra write per post. */
  last_used_at: number | null;
}

/** One start that applied migrations (migration 0016): which Parley left the schema where. */
export interface SchemaHistoryTable {
  id: Generated<number>;
  /** The root package.json version of the Parley that migrated. */
  parley_version: string;
  /** The last migration applied then (e.g. '0016-schema-history'). */
  schema: string;
  migrated_at: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  messages: MessagesTable;
  read_marks: ReadMarksTable;
  audit_log: AuditLogTable;
  server_secrets: ServerSecretsTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  announcements: AnnouncementsTable;
  announcement_acks: AnnouncementAcksTable;
  conversation_settings: ConversationSettingsTable;
  message_reactions: MessageReactionsTable;
  retention_overrides: RetentionOverridesTable;
  search_backfill: SearchBackfillTable;
  files: FilesTable;
  file_blobs: FileBlobsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  bot_tokens: BotTokensTable;
  incoming_webhooks: IncomingWebhooksTable;
  schema_history: SchemaHistoryTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type BotTokenRow = Selectable<BotTokensTable>;
export type MessageRow = Selectable<MessagesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
export type NewMessageRow = Insertable<MessagesTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type AnnouncementRow = Selectable<AnnouncementsTable>;
export type FileRow = Selectable<FilesTable>;
export type NewFileRow = Insertable<FilesTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type IncomingWebhookRow = Selectable<IncomingWebhooksTable>;
