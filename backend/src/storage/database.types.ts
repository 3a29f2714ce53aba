import type { Generated, Insertable, Selectable } from 'kysely';
import type { Role } from '@parley/contract';

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
  target_kind: 'group' | 'user';
  /** Group name, or the recipient's user name. */
  target: string;
  recipient_id: number | null;
  /** 'group:<role>' or 'dm:<lower id>:<higher id>'; history pages along it. */
  conversation: string;
  body: string;
  sent_at: number;
}

export interface ReadMarksTable {
  user_id: number;
  /** The storage key ('group:staff', 'dm:1:2'), as in messages.conversation. */
  conversation: string;
  last_read_id: number;
  updated_at: number;
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

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  messages: MessagesTable;
  read_marks: ReadMarksTable;
  audit_log: AuditLogTable;
  server_secrets: ServerSecretsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
export type NewMessageRow = Insertable<MessagesTable>;
