import type { LegacyRosterEntry, RosterEntry } from '@parley/contract';
import type { Connection } from '../registry/user-registry.service';

const pad = (n: number) => String(n).padStart(2, '0');

/** The prototype's `datetime.now().strftime("%Y-%m-%d %H:%M:%S")`: server-local time. */
export function prototypeTimestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

export function toLegacyEntry(connection: Connection): LegacyRosterEntry {
  const entry: LegacyRosterEntry = {
    IP: connection.ip,
    Connected_at: prototypeTimestamp(connection.connectedAt),
    Varification: connection.verification,
    // The prototype shows 'NULL' until a socket claims a type.
    user_type: connection.user?.role ?? connection.claimedType ?? 'NULL',
  };
  const name = connection.user?.username ?? connection.claimedName;
  if (name !== null) entry.user_name = name;
  return entry;
}

/** The prototype's shape for an entry known only as a roster entry (one on another node). */
export function legacyFromRosterEntry(entry: RosterEntry): LegacyRosterEntry {
  const legacy: LegacyRosterEntry = {
    IP: entry.ip,
    Connected_at: prototypeTimestamp(new Date(entry.connected_at)),
    Varification: entry.verification,
    user_type: entry.role ?? 'NULL',
  };
  if (entry.user_name !== null) legacy.user_name = entry.user_name;
  return legacy;
}

export function toRosterEntry(connection: Connection, node: string): RosterEntry {
  return {
    socket_id: connection.socketId,
    user_name: connection.user?.username ?? null,
    display_name: connection.user?.display_name ?? null,
    role: connection.user?.role ?? null,
    ip: connection.ip,
    user_agent: connection.userAgent,
    connected_at: connection.connectedAt.toISOString(),
    verification: connection.verification,
    node,
  };
}
