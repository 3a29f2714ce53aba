import type { RosterDiffPayload, RosterEntry } from '@parley/contract';

export type RosterColumn = 'user_name' | 'role' | 'ip' | 'connected_at' | 'verification' | 'node';

export function applyRosterDiff(current: RosterEntry[], diff: RosterDiffPayload): RosterEntry[] {
  const removed = new Set(diff.removed);
  const byId = new Map(current.filter((c) => !removed.has(c.socket_id)).map((c) => [c.socket_id, c]));
  for (const entry of diff.upserted) byId.set(entry.socket_id, entry);
  return [...byId.values()];
}

export function sortRoster(rows: RosterEntry[], column: RosterColumn, direction: 'asc' | 'desc'): RosterEntry[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => sign * String(a[column] ?? '').localeCompare(String(b[column] ?? '')));
}

/** More than one node on the roster: the table shows which node each connection is on. */
export function spansNodes(rows: readonly RosterEntry[]): boolean {
  return rows.some((row) => row.node !== rows[0].node);
}

/** "1 connection", "3 connections". */
export function connectionsLabel(count: number): string {
  return `${count} ${count === 1 ? 'connection' : 'connections'}`;
}
