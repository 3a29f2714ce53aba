import { ErrorCodes } from '@parley/contract';
import type { ChannelRow, MessageRow, UserRow } from '../storage/database.types';
import { newTestService } from '../testing/new-test-service';
import { ConversationNames, conversationNameOf } from './conversation-names.service';

const users = [
  { id: 3, username: 'sam' },
  { id: 5, username: 'amy' },
  { id: 9, username: 'cleo' },
] as UserRow[];
const ops = { id: 4, name: 'ops' } as ChannelRow;

function setUp() {
  const test = newTestService(ConversationNames);
  test.mocks.user.findByUsername.mockImplementation(async (name) => users.find((u) => u.username === name));
  test.mocks.user.findById.mockImplementation(async (id) => users.find((u) => u.id === id));
  test.mocks.channel.findByName.mockImplementation(async (name) => (name === 'ops' ? ops : undefined));
  test.mocks.channel.findById.mockImplementation(async (id) => (id === 4 ? ops : undefined));
  return test;
}

describe('ConversationNames', () => {
  it('turns the names admins use into storage keys (ids for people and channels, a DM in either order) and back', async () => {
    const { sut } = setUp();
    const pairs = [
      ['group:staff', 'group:staff'],
      ['channel:ops', 'channel:4'],
      ['team:staff:cleo', 'team:staff:9'],
      ['dm:sam:amy', 'dm:3:5'],
      ['dm:amy:sam', 'dm:3:5'],
      ['dm:SAM:amy', 'dm:3:5'],
    ];
    for (const [name, key] of pairs) expect([name, await sut.toKey(name)]).toEqual([name, key]);
    for (const key of ['group:staff', 'channel:4', 'team:staff:9', 'dm:3:5']) expect(await sut.toName(key)).toBe(pairs.find(([, k]) => k === key)![0].replace('dm:sam:amy', 'dm:amy:sam'));
    // What a key pointed at is gone: the key itself.
    expect(await sut.toName('channel:99')).toBe('channel:99');
  });

  it('answers NOT_FOUND for anything that names no conversation', async () => {
    const { sut } = setUp();
    for (const name of ['group:boss', 'group:', 'channel:nope', 'channel:a:b', 'team:staff:nobody', 'team:boss:cleo', 'team:staff', 'dm:sam:sam', 'dm:sam', 'dm:sam:amy:cleo', 'dm::sam', 'user:sam', 'sam', '']) {
      await expect(sut.toKey(name)).rejects.toMatchObject({ code: ErrorCodes.NotFound });
    }
  });

  it('names a stored message\'s conversation from the row alone', () => {
    const row = (over: Partial<MessageRow>) => ({ target_kind: 'group', target: 'staff', guest: null, sender_username: 'sam', ...over }) as MessageRow;
    expect(conversationNameOf(row({}))).toBe('group:staff');
    expect(conversationNameOf(row({ target_kind: 'channel', target: 'ops' }))).toBe('channel:ops');
    expect(conversationNameOf(row({ target_kind: 'team', target: 'staff', guest: 'cleo', sender_username: 'sam' }))).toBe('team:staff:cleo');
    expect(conversationNameOf(row({ target_kind: 'user', target: 'amy', sender_username: 'sam' }))).toBe('dm:amy:sam');
    expect(conversationNameOf(row({ target_kind: 'user', target: 'sam', sender_username: 'amy' }))).toBe('dm:amy:sam');
  });
});
