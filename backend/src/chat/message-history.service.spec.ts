import type { Role } from '@parley/contract';
import type { VerifiedConnection } from '../registry/user-registry.service';
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
    // history's first page carries the conversation's read marks (read receipts are on by default).
    mocks.readMark.marksIn.mockResolvedValue([]);
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

  describe('mark_read with read receipts', () => {
    const reader = (user: UserRow): VerifiedConnection => ({
      socketId: `${user.username}-sock`,
      ip: '10.0.0.1',
      userAgent: 'spec',
      connectedAt: new Date(0),
      verification: 'VERIFIED',
      user,
      claimedType: null,
      claimedName: null,
      sessionId: null,
    });
    /** What the mark stored (key, who else sees it) and every emit, for one mark_read that moved the mark to rev 500. */
    const markRead = async (user: UserRow, conversation: string) => {
      mocks.readMark.moveInStream.mockResolvedValue(500);
      mocks.message.conversationExists.mockResolvedValue(true);
      mocks.broadcaster.emit.mockReturnValue(undefined);
      await history.markRead(reader(user), { conversation, up_to: 42 });
      const [, key, upTo, scope] = mocks.readMark.moveInStream.mock.calls[0];
      const emits = mocks.broadcaster.emit.mock.calls.map(([rooms, event, payload, except]) => ({ rooms, event, payload, except }));
      return { key, upTo, scope, emits };
    };

    it("tells a DM's other person, naming the conversation after the reader, and the reader's devices `read`", async () => {
      expect(await markRead(sam, 'user:cleo')).toEqual({
        key: `dm:${sam.id}:${cleo.id}`,
        upTo: 42,
        scope: { audience: null, peerId: cleo.id },
        emits: [
          { rooms: [`user:${cleo.id}`], event: 'read_receipt', payload: { conversation: 'user:sam', user_name: 'sam', up_to: 42, rev: 500 }, except: undefined },
          { rooms: [`user:${sam.id}`], event: 'read', payload: { conversation: 'user:cleo', up_to: 42 }, except: 'sam-sock' },
        ],
      });
    });

    it("tells a group's, a channel's and a team conversation's readers (the guest too), never the reader's own devices", async () => {
      expect(await markRead(sam, 'staff')).toMatchObject({
        scope: { audience: 'group:staff', peerId: null },
        emits: [{ rooms: ['group:staff'], payload: { conversation: 'group:staff', user_name: 'sam' }, except: `user:${sam.id}` }, { event: 'read' }],
      });
      jest.clearAllMocks();
      expect(await markRead(sam, 'channel:ops')).toMatchObject({
        scope: { audience: 'channel:7', peerId: null },
        emits: [{ rooms: ['channel:7'], payload: { conversation: 'channel:ops' }, except: `user:${sam.id}` }, { event: 'read' }],
      });
      jest.clearAllMocks();
      expect(await markRead(sam, 'team:staff:cleo')).toMatchObject({
        key: `team:staff:${cleo.id}`,
        scope: { audience: 'role:staff', peerId: cleo.id },
        emits: [{ rooms: ['role:staff', `user:${cleo.id}`], payload: { conversation: 'team:staff:cleo', user_name: 'sam' }, except: `user:${sam.id}` }, { event: 'read' }],
      });
      jest.clearAllMocks();
      // The guest reading their own: the team is told; the guest's devices have `read`.
      expect(await markRead(cleo, 'staff')).toMatchObject({
        key: `team:staff:${cleo.id}`,
        scope: { audience: 'role:staff', peerId: cleo.id },
        emits: [{ rooms: ['role:staff'], payload: { conversation: 'team:staff:cleo', user_name: 'cleo' }, except: `user:${cleo.id}` }, { event: 'read' }],
      });
    });

    it('tells no one else when the mark did not move', async () => {
      mocks.readMark.moveInStream.mockResolvedValue(null);
      mocks.broadcaster.emit.mockReturnValue(undefined);
      await history.markRead(reader(sam), { conversation: 'staff', up_to: 1 });
      expect(mocks.broadcaster.emit.mock.calls.map(([, event]) => event)).toEqual(['read']);
    });

    it('stores the mark as before, telling no one else, with PARLEY_READ_RECEIPTS=false', async () => {
      const off = newTestService(MessageHistoryService, { env: { PARLEY_READ_RECEIPTS: 'false' } });
      off.mocks.readMark.markRead.mockResolvedValue(undefined);
      off.mocks.broadcaster.emit.mockReturnValue(undefined);
      off.mocks.message.findConversationBefore.mockResolvedValue([]);
      await off.sut.markRead(reader(sam), { conversation: 'staff', up_to: 7 });
      expect(off.mocks.readMark.markRead).toHaveBeenCalledWith(sam.id, 'group:staff', 7, expect.any(Number));
      expect(off.mocks.broadcaster.emit.mock.calls.map(([, event]) => event)).toEqual(['read']);
      expect((await off.sut.history(sam, { conversation: 'staff', limit: 50 })).receipts).toEqual([]);
    });
  });
});
