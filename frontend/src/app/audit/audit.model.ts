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
  'directory.account_created': 'Directory account signed in for the first time',
  'directory.role_changed': 'Directory changed the role',
  'directory.account_disabled': 'Directory disabled the account',
  'directory.account_enabled': 'Directory account enabled again',
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
