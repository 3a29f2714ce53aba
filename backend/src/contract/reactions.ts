/**
 * The reactions Parley offers: a small set, bundled with the app (no emoji font or image is
 * fetched from anywhere), the same on every client. `react` refuses anything else, so a
 * message's reactions stay a short list a person can read at a glance.
 */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '✅', '👀', '🚀'] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

/** For people and screen readers: what each reaction means. */
export const REACTION_NAMES: Record<ReactionEmoji, string> = {
  '👍': 'thumbs up',
  '❤️': 'heart',
  '😂': 'laughing',
  '🎉': 'party',
  '😮': 'surprised',
  '😢': 'sad',
  '🙏': 'thanks',
  '✅': 'done',
  '👀': 'looking',
  '🚀': 'rocket',
};

/** One emoji on a message and who chose it (user names, in the order they reacted). */
export interface Reaction {
  emoji: ReactionEmoji;
  users: string[];
}

/** The start of the answered message a reply carries, so a client can show the quote. */
export const REPLY_EXCERPT_CHARS = 200;
