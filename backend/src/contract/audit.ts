/**
 * Admin actions recorded in the audit log, shared with the web app's audit page. Names are
 * stable (stored in the database and filtered on); add, never rename.
 */
export const AuditActions = {
  UserCreated: 'user.created',
  /** Display name, role or disabled changed; details name the fields and new values. */
  UserChanged: 'user.changed',
  UserPasswordReset: 'user.password_reset',
  /** `npm run admin -- reset-password`: new password, enabled (and admin again, for `admin`). */
  UserRecovered: 'user.recovered',
  /** Every session of the user revoked (and their sockets closed). */
  UserSignedOut: 'user.signed_out',
  /** The account was deleted: signed out, renamed to a tombstone, its messages kept. */
  UserDeleted: 'user.deleted',
  /** One live connection closed from the roster. */
  ConnectionKicked: 'connection.kicked',
  /** Parley started with settings different from the last recorded ones. */
  SettingsChanged: 'settings.changed',
  /** An announcement was posted; details give its id and roles (its text is in the announcements table). */
  AnnouncementCreated: 'announcement.created',
  /** A channel was created, renamed, archived or unarchived (details say which). */
  ChannelCreated: 'channel.created',
  ChannelChanged: 'channel.changed',
  /** An admin deleted someone else's message (moderation): details give its id and sender, never its text. */
  MessageModerated: 'message.moderated',
  /** The retention job removed messages; details give how many, the cut-off and which setting. */
  RetentionPurged: 'retention.purged',
  /** An admin set or cleared a conversation's retention; details give the conversation and days. */
  RetentionChanged: 'retention.changed',
  /** An admin exported messages; details give the range, how many, and the SHA-256 of the export. */
  MessagesExported: 'messages.exported',
  /** A directory (LDAP) or single sign-on account signed in for the first time; details give the source and role. */
  DirectoryAccountCreated: 'directory.account_created',
  /** The directory changed an account's role (sync or sign-in); details give the old and new role. */
  DirectoryRoleChanged: 'directory.role_changed',
  /** The directory sync disabled an account: removed from the directory or from every mapped group. */
  DirectoryAccountDisabled: 'directory.account_disabled',
  /** A directory account disabled by the sync signed in again, back in a mapped group. */
  DirectoryAccountEnabled: 'directory.account_enabled',
  /** An outgoing webhook was registered; details give its URL, events and conversations (never its secret). */
  WebhookCreated: 'webhook.created',
  /** An outgoing webhook's URL, events, conversations, note or enabled state changed; details give the new values. */
  WebhookChanged: 'webhook.changed',
  /** A webhook's signing secret was replaced. */
  WebhookSecretRotated: 'webhook.secret_rotated',
  WebhookDeleted: 'webhook.deleted',
  /** An admin asked for a failed delivery to be tried again; details give the delivery and message ids. */
  WebhookDeliveryRetried: 'webhook.delivery_retried',
  /** An admin created a bot account (and its first API token); details give its role and display name. */
  BotCreated: 'bot.created',
  /** A bot's API token was replaced: the old one stopped working, its connections closed. */
  BotTokenRotated: 'bot.token_rotated',
  /** A bot's API token was revoked: the bot has no working token until one is rotated in. */
  BotTokenRevoked: 'bot.token_revoked',
  /** An incoming webhook was created; details give its bot, conversation and name (never its token). */
  IncomingWebhookCreated: 'incoming_webhook.created',
  /** An incoming webhook was revoked: its URL answers 404 from now on. */
  IncomingWebhookRevoked: 'incoming_webhook.revoked',
} as const;
export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions];
export const AUDIT_ACTIONS: readonly AuditAction[] = Object.values(AuditActions);

/** One entry as GET /api/admin/audit returns it. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: AuditAction;
  target: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}
