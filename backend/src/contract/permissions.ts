import { ROLES, type Role } from './roles';

/**
 * Who may send to whom: for each sender role, the groups it may post to and the roles of the
 * users it may message directly. Imported by the server (PermissionPolicy) and by the web app
 * (which targets it offers), so the two can never disagree.
 */
export interface RolePermissions {
  readonly groups: readonly Role[];
  readonly users: readonly Role[];
}
export type PermissionTable = Readonly<Record<Role, RolePermissions>>;

export const DEFAULT_PERMISSIONS: PermissionTable = {
  admin: { groups: ['admin', 'staff', 'client'], users: ['admin', 'staff', 'client'] },
  staff: { groups: ['admin', 'staff', 'client'], users: ['admin', 'staff', 'client'] },
  // Clients reach the organisation, not each other.
  client: { groups: ['admin', 'staff'], users: ['admin', 'staff'] },
};

export function canSendToGroup(table: PermissionTable, from: Role, group: Role): boolean {
  return table[from].groups.includes(group);
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
}

export const CAPABILITIES: Readonly<Record<Role, RoleCapabilities>> = {
  admin: { manageUsers: true, watchRoster: true, readAuditLog: true, readMetrics: true },
  staff: { manageUsers: false, watchRoster: false, readAuditLog: false, readMetrics: false },
  client: { manageUsers: false, watchRoster: false, readAuditLog: false, readMetrics: false },
};

export function hasCapability(role: Role, capability: keyof RoleCapabilities): boolean {
  return CAPABILITIES[role][capability];
}
