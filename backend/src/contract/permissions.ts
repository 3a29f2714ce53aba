import { ROLES, type Role } from './roles';

/**
 * Who may send to whom: for each sender role, the groups it may post to, the roles of the
 * users it may message directly, the role groups it reads besides its own, and what it may do
 * with channels. Imported by the server (PermissionPolicy) and by the web app (which targets it
 * offers), so the two can never disagree.
 *
 * A post to a group the sender reads (its own, or one in `reads`) goes into that group. A post
 * to a group the sender may write to but not read (a client writing to staff) becomes the
 * sender's team conversation with that role (`team:staff:cleo`), which the sender and the whole
 * role share; see docs/architecture.md, "The conversation model".
 */
export interface RolePermissions {
  readonly groups: readonly Role[];
  readonly users: readonly Role[];
  /** Role groups this role reads (and is in the room of) besides its own: supervision. */
  readonly reads: readonly Role[];
  /** May create channels (and so manage the ones it created). */
  readonly createChannels: boolean;
  /** May find and join public channels by itself; without it, only an invitation lets one in. */
  readonly joinChannels: boolean;
}
export type PermissionTable = Readonly<Record<Role, RolePermissions>>;

export const DEFAULT_PERMISSIONS: PermissionTable = {
  // Admins supervise: they read every role group.
  admin: { groups: ['admin', 'staff', 'client'], users: ['admin', 'staff', 'client'], reads: ['staff', 'client'], createChannels: true, joinChannels: true },
  // Staff read what goes out to clients, so a colleague's post to the client group is no surprise.
  staff: { groups: ['admin', 'staff', 'client'], users: ['admin', 'staff', 'client'], reads: ['client'], createChannels: true, joinChannels: true },
  // Clients reach the organisation, not each other: no channel browsing, only invitations.
  client: { groups: ['admin', 'staff'], users: ['admin', 'staff'], reads: [], createChannels: false, joinChannels: false },
};

export function canSendToGroup(table: PermissionTable, from: Role, group: Role): boolean {
  return table[from].groups.includes(group);
}

/** Whether a role reads a group as its members do: its own, or one the table lets it supervise. */
export function canReadGroup(table: PermissionTable, role: Role, group: Role): boolean {
  return role === group || table[role].reads.includes(group);
}

/** Role groups a role reads, in the canonical role order. */
export function readableGroups(table: PermissionTable, role: Role): Role[] {
  return ROLES.filter((group) => canReadGroup(table, role, group));
}

export function canSendToUser(table: PermissionTable, from: Role, toRole: Role): boolean {
  return table[from].users.includes(toRole);
}

/** Groups a role may post to, in the canonical role order (for menus). */
export function groupsFor(table: PermissionTable, role: Role): Role[] {
  return ROLES.filter((group) => canSendToGroup(table, role, group));
}

/** What each role may do beyond messaging; the REST guards and the web app both read this. */
export interface RoleCapabilities {
  readonly manageUsers: boolean;
  readonly watchRoster: boolean;
  readonly readAuditLog: boolean;
  /** GET /metrics on the main port (Prometheus text: connection and message counts, errors). */
  readonly readMetrics: boolean;
  /** Post announcements and see who has acknowledged them. */
  readonly announce: boolean;
  /** Delete anyone's message they can see, at any time (moderation, audited as message.moderated). */
  readonly moderateMessages: boolean;
  /** Set how long each conversation's messages are kept (retention overrides). */
  readonly manageRetention: boolean;
  /** Export any conversation's messages (GET /api/admin/export): every DM included, so apart from the rest. */
  readonly exportMessages: boolean;
  /** Register outgoing webhooks (which may carry any conversation's messages out) and see their deliveries. */
  readonly manageWebhooks: boolean;
}

export const CAPABILITIES: Readonly<Record<Role, RoleCapabilities>> = {
  admin: { manageUsers: true, watchRoster: true, readAuditLog: true, readMetrics: true, announce: true, moderateMessages: true, manageRetention: true, exportMessages: true, manageWebhooks: true },
  staff: { manageUsers: false, watchRoster: false, readAuditLog: false, readMetrics: false, announce: false, moderateMessages: false, manageRetention: false, exportMessages: false, manageWebhooks: false },
  client: { manageUsers: false, watchRoster: false, readAuditLog: false, readMetrics: false, announce: false, moderateMessages: false, manageRetention: false, exportMessages: false, manageWebhooks: false },
};

export function hasCapability(role: Role, capability: keyof RoleCapabilities): boolean {
  return CAPABILITIES[role][capability];
}
