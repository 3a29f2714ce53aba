import { ConversationIds, type MessagePageAck, type Role } from '@parley/contract';
import type { ReadMarkRow } from '../storage/read-mark.repository';

/** Most receipts one sync answer carries; past it the page ends at the last one taken. */
export const RECEIPTS_PER_SYNC = 500;
/** Most read marks history's first page carries: the most recently moved (a channel of thousands). */
export const RECEIPTS_PER_HISTORY = 1000;

const DM = 'dm:';
const TEAM = 'team:';
const CHANNEL = 'channel:';

/**
 * The conversation of a stored mark as `viewer` names it (contract/conversation-id.ts): a DM by
 * the other person, whichever side of the mark the viewer is; a team conversation by its guest; a
 * channel by its current name; a group by its key. null when that name is gone (a deleted channel).
 */
export function receiptConversation(row: ReadMarkRow, viewer: { id: number }, channelNames: ReadonlyMap<number, string>): string | null {
  const key = row.conversation;
  if (key.startsWith(DM)) {
    const other = row.user_id === viewer.id ? row.peer_username : row.username;
    return other === null ? null : ConversationIds.user(other);
  }
  if (key.startsWith(TEAM)) {
    // 'team:<role>:<guest id>'; the guest's name is the mark's peer.
    const role = key.slice(TEAM.length, key.indexOf(':', TEAM.length)) as Role;
    return row.peer_username === null ? null : ConversationIds.team(role, row.peer_username);
  }
  if (key.startsWith(CHANNEL)) {
    const name = channelNames.get(Number(key.slice(CHANNEL.length)));
    return name === undefined ? null : ConversationIds.channel(name);
  }
  return key;
}

/** The channel ids among marks' conversation keys, to look their names up at once. */
export function channelIdsIn(rows: readonly ReadMarkRow[]): number[] {
  return [...new Set(rows.filter((row) => row.conversation.startsWith(CHANNEL)).map((row) => Number(row.conversation.slice(CHANNEL.length))))];
}

/**
 * One sync page of the stream: its messages, and the marks that moved at positions up to `end`
 * (where the messages' part of the page ends), read with one more than `max`. Too many marks end
 * the page at the last one taken: the messages past it wait for the next page (`more`), so the
 * page is a prefix of the stream and nothing is skipped.
 */
export function endPage<M extends { rev: number | null }>(
  page: MessagePageAck,
  marks: readonly M[],
  end: number,
  max = RECEIPTS_PER_SYNC,
): MessagePageAck & { marks: M[]; cursor: number } {
  if (marks.length <= max) return { ...page, marks: [...marks], cursor: end };
  const taken = marks.slice(0, max);
  const cut = taken[max - 1].rev!;
  return { messages: page.messages.filter((message) => (message.rev ?? message.id) <= cut), more: true, marks: taken, cursor: cut };
}
