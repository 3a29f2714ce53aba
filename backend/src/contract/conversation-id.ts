import type { Role } from './roles';

/**
 * Conversation ids as the wire and the web app name them: `group:<role>` for a role group,
 * `user:<user name>` for a direct conversation, named after the other person. Built and parsed
 * only here, so a new kind of conversation (channels) is one more case in one file.
 */
export type ConversationId = `group:${Role}` | `user:${string}`;

const GROUP = 'group:';
const USER = 'user:';

export const ConversationIds = {
  group: (role: Role): ConversationId => `${GROUP}${role}`,
  user: (username: string): ConversationId => `${USER}${username}`,
} as const;

/** A parsed id. The group is as written: whether it names a role is the caller's check. */
export type ParsedConversationId = { kind: 'group'; group: string } | { kind: 'user'; username: string };

/**
 * What a `group:…` / `user:…` id names, or null for anything else (a bare group or user name,
 * a socket id: the prototype's forms, which only the server's resolver understands).
 */
export function parseConversationId(id: string): ParsedConversationId | null {
  if (id.startsWith(GROUP)) return { kind: 'group', group: id.slice(GROUP.length) };
  if (id.startsWith(USER)) return { kind: 'user', username: id.slice(USER.length) };
  return null;
}

/** The fields of a message that say where it went; WireMessage and stored rows both have them. */
export interface MessageAddress {
  target_kind: 'group' | 'user';
  /** The group, or the recipient's user name. */
  target: string;
  /** The sender's user name. */
  sender_name: string;
}

/**
 * The conversation a message belongs to as `viewer` (a user name) sees it: its group, or for a
 * direct message the other person, whichever side of it the viewer was on.
 */
export function conversationIdOf(message: MessageAddress, viewer: string): ConversationId {
  // A stored group target is always a role; the cast saves re-checking it per message.
  if (message.target_kind === 'group') return ConversationIds.group(message.target as Role);
  return ConversationIds.user(message.sender_name === viewer ? message.target : message.sender_name);
}
