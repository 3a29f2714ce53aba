import type { Role } from '@parley/contract';
import type { ChannelRow, UserRow } from '../storage/database.types';
import { userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { MessageHistoryService } from './message-history.service';

/** Which stored conversation a `history` request reads, for whom: the read side's decisions. */
describe('MessageHistoryService (which conversation a viewer reads)', () => {
  let history: MessageHistoryService;
  let mocks: ServiceMocks;
  const accounts: UserRow[] = [];
  const user = (id: number, username: string, role: Role) => {
    const row = userRow(id, role, { username });
    accounts.push(row);
    return row;
  };
  const [ada, sam, cleo, cid] = [user(1, 'ada', 'admin'), user(2, 'sam', 'staff'), user(3, 'cleo', 'client'), user(4, 'cid', 'client')];
  const channel = (id: number, name: string, visibility: 'public' | 'private'): ChannelRow => ({
    id,
    name,
    topic: '',
    visibility,
    created_by: 1,
    created_at: 0,
    updated_at: 0,
    archived_at: null,
  });
  const channels = [channel(7, 'ops', 'public'), channel(8, 'secret', 'private')];

  beforeEach(() => {
    ({ sut: history, mocks } = newTestService(MessageHistoryService));
    mocks.user.findByUsername.mockImplementation(async (name) => accounts.find((u) => u.username === name));
    mocks.message.findConversationBefore.mockResolvedValue([]);
    mocks.channel.findByName.mockImplementation(async (name) => channels.find((c) => c.name === name));
    mocks.channel.channelIdsOf.mockImplementation(async (userId) => (userId === sam.id ? [7] : []));
  });

  /** The storage key the request read, or the error code it was answered with. */
  const reads = async (viewer: UserRow, conversation: string): Promise<string> => {
    mocks.message.findConversationBefore.mockClear();
    try {
      await history.history(viewer, { conversation, limit: 50 });
    } catch (error) {
      return (error as { code: string }).code;
    }
    return mocks.message.findConversationBefore.mock.calls[0][0].conversation;
  };

  it('reads a whole group for its readers, supervisors included, and a writer-only group as their team conversation', async () => {
    expect(await reads(ada, 'group:staff')).toBe('group:staff');
    expect(await reads(sam, 'client')).toBe('group:client');
    expect(await reads(cleo, 'staff')).toBe(`team:staff:${cleo.id}`);
  });

  it('opens a team conversation to its guest and its role only, answering everyone else as for no such name', async () => {
    expect(await reads(cleo, 'team:staff:cleo')).toBe(`team:staff:${cleo.id}`);
    expect(await reads(sam, 'team:staff:cleo')).toBe(`team:staff:${cleo.id}`);
    expect(await reads(ada, 'team:staff:cleo')).toBe('UNKNOWN_RECIPIENT');
    expect(await reads(cid, 'team:staff:cleo')).toBe('UNKNOWN_RECIPIENT');
    expect(await reads(sam, 'team:staff:nobody')).toBe('UNKNOWN_RECIPIENT');
    expect(await reads(sam, 'team:staff:sam')).toBe(`team:staff:${sam.id}`);
  });

  it("reads a channel by id for members; a private one is unknown to others, a public one needs joining", async () => {
    expect(await reads(sam, 'channel:ops')).toBe('channel:7');
    expect(await reads(cleo, 'channel:ops')).toBe('FORBIDDEN');
    expect(await reads(cleo, 'channel:secret')).toBe('UNKNOWN_RECIPIENT');
    expect(await reads(cleo, 'channel:nope')).toBe('UNKNOWN_RECIPIENT');
  });
});
