import type { Role } from './roles';

/**
 * Conversation ids as the wire and the web app name them (docs/architecture.md, "The
 * conversation model"):
 * - `group:<role>`: a role group, read by its members (and by roles the permission table lets
 *   read it, e.g. admins supervising) and written by whoever the table allows;
 * - `team:<role>:<user name>`: a team conversation, one person outside a role with that whole
 *   role ("cleo ↔ staff"); what a post from outside a role to its group becomes;
 * - `channel:<name>`: a channel, read and written by its members;
 * - `user:<user name>`: a direct conversation, named after the other person.
 * Built and parsed only here, so a new kind of conversation is one more case in one file.
 */
export type ConversationId = `group:${Role}` | `user:${string}` | `team:${Role}:${string}` | `channel:${string}`;

export type ConversationKind = 'group' | 'user' | 'team' | 'channel';

const GROUP = 'group:';
const USER = 'user:';
const TEAM = 'team:';
const CHANNEL = 'channel:';

export const ConversationIds = {
  group: (role: Role): ConversationId => `${GROUP}${role}`,
  user: (username: string): ConversationId => `${USER}${username}`,
  /** `guest`: the person outside the role whose conversation with the whole role this is. */
  team: (role: Role, guest: string): ConversationId => `${TEAM}${role}:${guest}`,
  channel: (name: string): ConversationId => `${CHANNEL}${name}`,
} as const;

/** A parsed id. Names are as written: whether they name a role, a user or a channel is the caller's check. */
export type ParsedConversationId =
  | { kind: 'group'; group: string }
  | { kind: 'user'; username: string }
  | { kind: 'team'; group: string; guest: string }
  | { kind: 'channel'; channel: string };

/**
 * What a `group:…` / `user:…` / `team:…` / `channel:…` id names, or null for anything else (a
 * bare group or user name, a socket id: the prototype's forms, which only the server's resolver
 * understands).
 */
export function parseConversationId(id: string): ParsedConversationId | null {
  if (id.startsWith(GROUP)) return { kind: 'group', group: id.slice(GROUP.length) };
  if (id.startsWith(USER)) return { kind: 'user', username: id.slice(USER.length) };
  if (id.startsWith(CHANNEL)) return { kind: 'channel', channel: id.slice(CHANNEL.length) };
  if (id.startsWith(TEAM)) {
    // User names and roles never contain ':', so the first one after the prefix splits them.
    const rest = id.slice(TEAM.length);
    const colon = rest.indexOf(':');
    if (colon <= 0 || colon === rest.length - 1) return null;
    return { kind: 'team', group: rest.slice(0, colon), guest: rest.slice(colon + 1) };
  }
  return null;
}

/** The fields of a message that say where it went; WireMessage and stored rows both have them. */
export interface MessageAddress {
  target_kind: ConversationKind;
  /** The group, the recipient's user name, the team's role, or the channel's name. */
  target: string;
  /** The sender's user name. */
  sender_name: string;
  /** For a team conversation: the person outside the role (`team:<target>:<guest>`). */
  guest?: string | null;
}

/**
 * The conversation a message belongs to as `viewer` (a user name) sees it: its group, team
 * conversation or channel (the same for everyone in it), or for a direct message the other
 * person, whichever side of it the viewer was on.
 */
export function conversationIdOf(message: MessageAddress, viewer: string): ConversationId {
  switch (message.target_kind) {
    // A stored group or team target is always a role; the casts save re-checking it per message.
    case 'group':
      return ConversationIds.group(message.target as Role);
    case 'team':
      return ConversationIds.team(message.target as Role, message.guest ?? '');
    case 'channel':
      return ConversationIds.channel(message.target);
    case 'user':
      return ConversationIds.user(message.sender_name === viewer ? message.target : message.sender_name);
  }
}
