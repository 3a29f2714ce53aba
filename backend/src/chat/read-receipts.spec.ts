import type { WireMessage } from '@parley/contract';
import type { ReadMarkRow } from '../storage/read-mark.repository';
import { channelIdsIn, endPage, receiptConversation } from './read-receipts';

describe('read receipts: naming and paging', () => {
  const mark = (fields: Partial<ReadMarkRow>): ReadMarkRow => ({
    conversation: 'group:staff',
    user_id: 2,
    username: 'bob',
    last_read_id: 10,
    rev: 11,
    audience: 'group:staff',
    peer_id: null,
    peer_username: null,
    ...fields,
  });
  const channels = new Map([[7, 'ops']]);

  it('names a mark as each viewer names the conversation: a DM after the other person, whichever side they are on', () => {
    const dm = mark({ conversation: 'dm:1:2', audience: null, peer_id: 1, peer_username: 'amy' });
    expect(receiptConversation(dm, { id: 1 }, channels)).toBe('user:bob');
    expect(receiptConversation(dm, { id: 2 }, channels)).toBe('user:amy');
    const team = mark({ conversation: 'team:staff:5', audience: 'role:staff', peer_id: 5, peer_username: 'cleo' });
    expect(receiptConversation(team, { id: 5 }, channels)).toBe('team:staff:cleo');
    expect(receiptConversation(team, { id: 9 }, channels)).toBe('team:staff:cleo');
    expect(receiptConversation(mark({ conversation: 'channel:7', audience: 'channel:7' }), { id: 9 }, channels)).toBe('channel:ops');
    expect(receiptConversation(mark({ conversation: 'channel:8', audience: 'channel:8' }), { id: 9 }, channels)).toBeNull();
    expect(receiptConversation(mark({}), { id: 9 }, channels)).toBe('group:staff');
    expect(channelIdsIn([mark({ conversation: 'channel:7' }), mark({ conversation: 'channel:7' }), mark({}), mark({ conversation: 'channel:3' })])).toEqual([7, 3]);
  });

  const message = (id: number, rev?: number) => ({ id, ...(rev ? { rev } : {}) }) as WireMessage;

  it('keeps a page whole when its receipts fit, ending where the messages part ends', () => {
    const page = { messages: [message(3), message(1, 6)], more: false };
    expect(endPage(page, [{ rev: 4 }, { rev: 9 }], 12, 2)).toEqual({ ...page, marks: [{ rev: 4 }, { rev: 9 }], cursor: 12 });
  });

  it('ends a page at its last receipt when there are too many, leaving later messages for the next page', () => {
    const page = { messages: [message(3), message(1, 6), message(7), message(10)], more: false };
    expect(endPage(page, [{ rev: 4 }, { rev: 8 }, { rev: 9 }], 12, 2)).toEqual({
      messages: [message(3), message(1, 6), message(7)],
      more: true,
      marks: [{ rev: 4 }, { rev: 8 }],
      cursor: 8,
    });
  });
});
