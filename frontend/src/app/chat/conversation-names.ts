import { type PublicUser, shownName } from '@parley/contract';
import type { Conversation } from './chat.model';

/** Who is who, by login name: display name and role, from the directory pages loaded so far. */
export type People = ReadonlyMap<string, Pick<PublicUser, 'display_name' | 'role'>>;

/** "Staff": a role as the name of a team. */
export function roleTitle(role: string): string {
  return `${role.charAt(0).toUpperCase()}${role.slice(1)}`;
}

/** "Staff group": a group never reads like a person, even where a user has the same name. */
export function groupTitle(group: string): string {
  return `${roleTitle(group)} group`;
}

export function peopleOf(directory: readonly PublicUser[]): People {
  return new Map(directory.map((person) => [person.username, { display_name: person.display_name, role: person.role }]));
}

/** A person's display name, their login name when not in the loaded directory, "Deleted user" for a tombstone. */
export function personName(username: string, people: People): string {
  return people.get(username)?.display_name ?? shownName(username);
}

/**
 * A conversation as people should read it:
 * - a group: "Staff group";
 * - a team conversation, for its guest: the team ("Staff", their line to the staff team); for
 *   the team's members, the guest and what they are ("Cleo · client"), one entry per guest;
 * - a channel: "#news";
 * - a direct conversation: the other person's name.
 * `me`: the viewer's user name.
 */
export function conversationTitle(conversation: Pick<Conversation, 'kind' | 'name' | 'guest'>, people: People, me: string | null = null): string {
  switch (conversation.kind) {
    case 'group':
      return groupTitle(conversation.name);
    case 'team': {
      const guest = conversation.guest ?? '';
      if (guest === me) return roleTitle(conversation.name);
      return `${personName(guest, people)} · ${people.get(guest)?.role ?? 'guest'}`;
    }
    case 'channel':
      return `#${conversation.name}`;
    case 'user':
      return personName(conversation.name, people);
  }
}

/** The team conversations a viewer shares with a whole role (not their own line to a team): marked as shared. */
export function isTeamInbox(conversation: Pick<Conversation, 'kind' | 'guest'>, me: string | null): boolean {
  return conversation.kind === 'team' && conversation.guest !== me;
}

/**
 * A notification's title: who wrote, and where unless it was to the viewer alone: "Sam Staff",
 * "Sam Staff in #ops", "Sam Staff in Staff" (the viewer's line to the staff team), "Cleo
 * Client to the Staff team" (a guest writing to the viewer's team).
 */
export function notificationTitle(conversation: Pick<Conversation, 'kind' | 'name' | 'guest'>, sender: string, people: People, me: string): string {
  const who = personName(sender, people);
  if (conversation.kind === 'user') return who;
  if (isTeamInbox(conversation, me) && conversation.guest === sender) return `${who} to the ${roleTitle(conversation.name)} team`;
  return `${who} in ${conversationTitle(conversation, people, me)}`;
}
