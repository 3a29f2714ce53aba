import { MENTION_CHANNEL, MENTION_HERE } from '@parley/contract';

/** Someone '@' may suggest. */
export interface MentionOption {
  username: string;
  display_name: string;
}

/** A suggestion as shown: what goes after '@', and what it is. */
export interface MentionChoice extends MentionOption {
  insert: string;
  label: string;
}

/** At most this many suggestions: a short list one reads at a glance; typing more narrows it. */
export const MENTION_OPTIONS_MAX = 8;

/** '@' and what follows it up to the caret, when '@' starts a word (not "mail@sam"). */
const TYPED_MENTION = /(^|[^a-z0-9._-])@([a-z0-9._-]{0,32})$/i;

/** The @name being typed before `caret` (its text without '@', and where '@' starts), or null. */
export function mentionQuery(text: string, caret: number): { text: string; start: number; end: number } | null {
  const match = TYPED_MENTION.exec(text.slice(0, caret));
  if (!match) return null;
  return { text: match[2], start: caret - match[2].length - 1, end: caret };
}

/**
 * People whose user name or display name starts with what was typed (then those containing
 * it), and '@here' / '@channel' where `broadcast` allows, at most MENTION_OPTIONS_MAX.
 */
export function mentionOptions(typed: string, people: readonly MentionOption[], broadcast: boolean): MentionChoice[] {
  const query = typed.toLowerCase();
  const rank = (person: MentionOption): number => {
    const names = [person.username.toLowerCase(), person.display_name.toLowerCase()];
    if (names.some((name) => name.startsWith(query))) return 0;
    if (names.some((name) => name.includes(query))) return 1;
    return -1;
  };
  const found = people
    .map((person) => ({ person, rank: rank(person) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.person.username.localeCompare(b.person.username))
    .map(({ person }): MentionChoice => ({ ...person, insert: person.username, label: person.display_name }));
  const everyone: MentionChoice[] = broadcast
    ? [
        { username: MENTION_HERE, display_name: 'here', insert: 'here', label: 'Everyone here who is online' },
        { username: MENTION_CHANNEL, display_name: 'channel', insert: 'channel', label: 'Everyone in this conversation' },
      ].filter((option) => option.insert.startsWith(query))
    : [];
  return [...found, ...everyone].slice(0, MENTION_OPTIONS_MAX);
}
