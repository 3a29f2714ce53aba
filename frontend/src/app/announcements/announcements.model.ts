import { type AnnouncementAckedPayload, type AnnouncementStatus, type Role, ROLES } from '@parley/contract';

const PLURAL: Record<Role, string> = { admin: 'admins', staff: 'staff', client: 'clients' };

/** "everyone", or the roles it went to: "clients", "staff and clients". */
export function audienceLabel(roles: readonly Role[]): string {
  if (ROLES.every((role) => roles.includes(role))) return 'everyone';
  return roles.map((role) => PLURAL[role]).join(' and ');
}

/** "2 of 5 acknowledged". */
export function ackLabel(status: Pick<AnnouncementStatus, 'acknowledged' | 'audience'>): string {
  return `${status.acknowledged} of ${status.audience} acknowledged`;
}

/** Someone's first acknowledgement: that announcement's count goes up by one (the server sends each once). */
export function applyAck(list: readonly AnnouncementStatus[], ack: AnnouncementAckedPayload): AnnouncementStatus[] {
  return list.map((status) =>
    status.id === ack.id ? { ...status, acknowledged: status.acknowledged + 1 } : status,
  );
}

/** What the form says is wrong before anything is sent; null when it may be posted. */
export function formProblems(message: string, roles: readonly Role[], maxChars: number): { message?: string; roles?: string } | null {
  const problems: { message?: string; roles?: string } = {};
  if (!message.trim()) problems.message = 'Write the announcement first.';
  else if (message.trim().length > maxChars) problems.message = `At most ${maxChars} characters (now ${message.trim().length}).`;
  if (roles.length === 0) problems.roles = 'Pick at least one role.';
  return problems.message || problems.roles ? problems : null;
}

/** Appends an older page, leaving out any already listed (one posted meanwhile shifts the pages). */
export function appendOlder(list: readonly AnnouncementStatus[], older: readonly AnnouncementStatus[]): AnnouncementStatus[] {
  const known = new Set(list.map((a) => a.id));
  return [...list, ...older.filter((a) => !known.has(a.id))];
}
