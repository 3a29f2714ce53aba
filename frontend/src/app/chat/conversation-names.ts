import { type DirectoryEntry, shownName } from '@parley/contract';
import type { Conversation } from './chat.model';

/** "Staff group": a group never reads like a person, even where a user has the same name. */
export function groupTitle(group: string): string {
  return `${group.charAt(0).toUpperCase()}${group.slice(1)} group`;
}

/** Who is who, by login name, from the directory pages loaded so far. */
export function displayNames(directory: readonly DirectoryEntry[]): ReadonlyMap<string, string> {
  return new Map(directory.map((person) => [person.username, person.display_name]));
}

/**
 * A conversation as people should read it: a group's title, or the other person's display name
 * (their login name when they are not in the loaded directory, "Deleted user" for a tombstone).
 */
export function conversationTitle(conversation: Pick<Conversation, 'kind' | 'name'>, names: ReadonlyMap<string, string>): string {
  if (conversation.kind === 'group') return groupTitle(conversation.name);
  return names.get(conversation.name) ?? shownName(conversation.name);
}

