/**
 * @mentions. A message's `mentions` lists the user names it mentions that the sender may reach
 * (so a mention never confirms that an account the sender could not message exists), plus
 * '@here' (the people in the conversation who are online) and '@channel' (everyone in it).
 * The '@' keeps those two apart from accounts called "here" or "channel".
 */
export const MENTION_HERE = '@here';
export const MENTION_CHANNEL = '@channel';

/** `@name` in text: preceded by start or a non-name character, a user-name-shaped word. */
export const MENTION_PATTERN = /(^|[^a-z0-9._-])@([a-z0-9][a-z0-9._-]{0,31})/gi;

/** The distinct lower-case names written as @name in a text (including 'here' and 'channel'). */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION_PATTERN)) names.add(match[2].toLowerCase().replace(/[._-]+$/, ''));
  names.delete('');
  return [...names];
}

/** Whether a message's mentions reach `username` (by name, @here or @channel). */
export function mentionsUser(mentions: readonly string[] | undefined, username: string): boolean {
  return !!mentions && (mentions.includes(username) || mentions.includes(MENTION_HERE) || mentions.includes(MENTION_CHANNEL));
}

/** How a person wants to hear about new messages in one conversation. */
export type NotifyLevel = 'all' | 'mentions' | 'nothing';
export const NOTIFY_LEVELS = ['all', 'mentions', 'nothing'] as const satisfies readonly NotifyLevel[];

export interface NotifyChangedPayload {
  conversation: string;
  notify: NotifyLevel;
}
