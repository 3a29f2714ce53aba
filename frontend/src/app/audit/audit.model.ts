import type { AuditAction, AuditEntry } from '@parley/contract';

/** How each recorded action reads in the table. */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'user.created': 'Created user',
  'user.changed': 'Changed user',
  'user.password_reset': 'Reset password',
  'user.recovered': 'Recovered account (command line)',
  'user.signed_out': 'Signed user out',
  'user.deleted': 'Deleted user',
  'connection.kicked': 'Disconnected a connection',
  'settings.changed': 'Settings changed',
  'announcement.created': 'Posted an announcement',
  'channel.created': 'Created a channel',
  'channel.changed': 'Changed a channel',
  'message.moderated': "Deleted someone's message",
  'retention.purged': 'Removed old messages (retention)',
  'retention.changed': 'Changed retention',
  'messages.exported': 'Exported messages',
  'directory.account_created': 'First sign-in from the directory',
  'directory.role_changed': 'Role changed by the directory',
  'directory.account_disabled': 'Disabled by the directory',
  'directory.account_enabled': 'Enabled again by the directory',
  'webhook.created': 'Registered a webhook',
  'webhook.changed': 'Changed a webhook',
  'webhook.secret_rotated': "Replaced a webhook's secret",
  'webhook.deleted': 'Removed a webhook',
  'webhook.delivery_retried': 'Retried a webhook delivery',
  'bot.created': 'Created a bot',
  'bot.token_rotated': "Rotated a bot's token",
  'bot.token_revoked': "Revoked a bot's token",
  'incoming_webhook.created': 'Created an incoming webhook',
  'incoming_webhook.revoked': 'Revoked an incoming webhook',
};

const SOURCE_LABELS: Record<string, string> = { ldap: 'company directory', oidc: 'single sign-on' };
const REMOVAL_LABELS: Record<string, string> = {
  not_in_directory: 'no longer in the directory',
  in_no_group: 'in no Parley group',
  name_taken_by_local_account: 'the name is a local account',
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action as AuditAction] ?? action;
}

/** One line for the details column: what changed, in the entry's own terms. */
export function describeDetails(entry: Pick<AuditEntry, 'action' | 'details'>): string {
  const details = entry.details;
  switch (entry.action) {
    case 'settings.changed': {
      const changed = Array.isArray(details['changed']) ? (details['changed'] as unknown[]).map(String) : [];
      return changed.length > 0 ? `changed: ${changed.join(', ')}` : '';
    }
    case 'user.changed':
      return Object.entries(details)
        .map(([key, value]) => (key === 'disabled' ? (value ? 'disabled' : 'enabled') : `${key.replace('_', ' ')} → ${String(value)}`))
        .join(', ');
    case 'directory.account_created':
    case 'directory.account_enabled':
      return `${SOURCE_LABELS[String(details['source'])] ?? String(details['source'])} · ${String(details['role'])}`;
    case 'directory.role_changed':
      return `${SOURCE_LABELS[String(details['source'])] ?? String(details['source'])} · ${String(details['from'])} → ${String(details['to'])}`;
    case 'directory.account_disabled':
      return `${SOURCE_LABELS[String(details['source'])] ?? String(details['source'])} · ${REMOVAL_LABELS[String(details['reason'])] ?? String(details['reason'])}`;
    case 'connection.kicked':
      return [details['username'], details['role'], details['ip']].filter((part) => part !== null && part !== undefined).join(' · ');
    default:
      return Object.entries(details)
        .map(([key, value]) => `${key.replace('_', ' ')}: ${String(value)}`)
        .join(', ');
  }
}

/** Appends an older page, dropping ids already shown (a page fetched twice must not double). */
export function appendPage(shown: readonly AuditEntry[], page: readonly AuditEntry[]): AuditEntry[] {
  const seen = new Set(shown.map((entry) => entry.id));
  return [...shown, ...page.filter((entry) => !seen.has(entry.id))];
}
