import type { Role } from '@parley/contract';
import { UserRegistryService, type VerifiedConnection } from '../registry/user-registry.service';
import type { ChannelRow, MessageRow, NewMessageRow, UserRow } from '../storage/database.types';
import { storedRow, userRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { eventually } from '../../../test/support/eventually';
import { MessageHooks } from '../extensions/message-hooks.service';
import { MAX_PENDING_PER_SOCKET, MessageRoutingService } from './message-routing.service';

describe('MessageRoutingService', () => {
  let routing: MessageRoutingService;
  let mocks: ServiceMocks;
  let registry: UserRegistryService;
  let hooks: MessageHooks;
  let accounts: UserRow[];
  let lastId: number;

  beforeEach(() => {
    const service = newTestService(MessageRoutingService);
    ({ sut: routing, mocks } = service);
    registry = service.get(UserRegistryService);
    hooks = service.get(MessageHooks);
    accounts = [];
    lastId = 0;
    mocks.user.findByUsername.mockImplementation(async (name) => accounts.find((u) => u.username === name));
    mocks.message.findSenderIdOfSocket.mockResolvedValue(undefined);
    // Stores every message of a batch, with ids in batch order, as the repository does.
    mocks.message.insertBatch.mockImplementation(async (batch) => batch.map((row) => ({ row: stored(row), duplicate: false })));
    mocks.broadcaster.emit.mockReturnValue(undefined);
  });

  const stored = (row: NewMessageRow): MessageRow => storedRow(row, ++lastId);

  /** An account with a verified socket. */
  const connect = (username: string, role: Role, socketId = `${username}-sock`): VerifiedConnection => {
    const user = accounts.find((u) => u.username === username) ?? userRow(accounts.length + 1, role, { username });
    if (!accounts.includes(user)) accounts.push(user);
    registry.connect({ socketId, ip: '10.0.0.1', userAgent: 'spec', sessionId: null });
    return registry.verify(socketId, user)!;
  };
  const emits = () => mocks.broadcaster.emit.mock.calls.map(([rooms, event, payload, except]) => ({ rooms, event, payload, except }));

  it("stores a group post and emits it once to the group and the sender's devices, sender included", async () => {
    const sam = connect('sam', 'staff');
    const ack = await routing.send(sam, { message: 'hi staff', recipients: 'staff' });
    expect(emits()).toEqual([
      {
        rooms: ['group:staff', `user:${sam.user.id}`],
        event: 'message_from_user',
        payload: expect.objectContaining({ id: ack.id, message: 'hi staff', sender: sam.socketId, target: 'staff' }),
        except: undefined,
      },
    ]);
    expect(mocks.message.insertBatch).toHaveBeenCalledWith([
      expect.objectContaining({ body: 'hi staff', conversation: 'group:staff', sender_id: sam.user.id, sender_socket: sam.socketId }),
    ]);
  });

  it('leaves out the sending socket when posting to a group it is not in', async () => {
    const ada = connect('ada', 'admin');
    await routing.send(ada, { message: 'to clients', recipients: 'group:client' });
    expect(emits()[0]).toMatchObject({ rooms: ['group:client', `user:${ada.user.id}`], except: ada.socketId });
  });

  it('sends a DM to every device of both people, except the sending socket', async () => {
    const sam = connect('sam', 'staff');
    const cal = connect('cal', 'client');
    await routing.send(sam, { message: 'dm', recipients: 'user:cal' });
    expect(emits()[0]).toMatchObject({
      rooms: [`user:${cal.user.id}`, `user:${sam.user.id}`],
      except: sam.socketId,
      payload: { target_kind: 'user', target: 'cal' },
    });
    expect(mocks.message.insertBatch).toHaveBeenCalledWith([
      expect.objectContaining({ recipient_id: cal.user.id, conversation: `dm:${sam.user.id}:${cal.user.id}` }),
    ]);
  });

  it('maps a socket id to its user', async () => {
    const sam = connect('sam', 'staff');
    const calPhone = connect('cal', 'client', 'cal-phone');
    await routing.send(sam, { message: 'reply', recipients: 'cal-phone' });
    expect(emits()[0].rooms[0]).toBe(`user:${calPhone.user.id}`);
  });

  it('refuses what the permission table forbids, storing and emitting nothing', async () => {
    const cal = connect('cal', 'client');
    connect('cid', 'client');
    await expect(routing.send(cal, { message: 'x', recipients: 'client' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A user the sender may not reach is answered as unknown (finding 6: no account probing).
    await expect(routing.send(cal, { message: 'x', recipients: 'cid' })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    await expect(routing.send(cal, { message: 'x', recipients: 'nobody' })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    expect(mocks.message.insertBatch).not.toHaveBeenCalled();
    expect(mocks.broadcaster.emit).not.toHaveBeenCalled();
  });

  it("keeps one socket's messages in the order sent, even when a lookup waits on the database", async () => {
    const sam = connect('sam', 'staff');
    accounts.push(userRow(50, 'client', { username: 'newcomer' }));
    let answer!: () => void;
    const lookup = new Promise<void>((resolve) => (answer = resolve));
    mocks.user.findByUsername.mockImplementationOnce(async (name) => {
      await lookup;
      return accounts.find((u) => u.username === name);
    });
    // 'newcomer' waits for the database; the group 'admin' resolves at once.
    const first = routing.send(sam, { message: 'A', recipients: 'newcomer' });
    const second = routing.send(sam, { message: 'B', recipients: 'admin' });
    await new Promise((resolve) => setImmediate(resolve));
    answer();
    expect((await first).id).toBeLessThan((await second).id);
    expect(mocks.message.insertBatch.mock.calls.flat(2).map((row) => row.body)).toEqual(['A', 'B']);
  });

  it('refuses a socket that has too many messages waiting for their ack', async () => {
    const sam = connect('sam', 'staff');
    const results = await Promise.allSettled(
      Array.from({ length: MAX_PENDING_PER_SOCKET + 10 }, (_, i) => routing.send(sam, { message: `m${i}`, recipients: 'admin' })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(10);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    // Once acked, the socket may send again.
    await expect(routing.send(sam, { message: 'after', recipients: 'admin' })).resolves.toMatchObject({ duplicate: false });
  });

  it('does not deliver a resent client_id again', async () => {
    const sam = connect('sam', 'staff');
    const first = await routing.send(sam, { message: 'once', recipients: 'admin', client_id: 'k1' });
    // The repository recognises the (sender, client_id) pair and returns the stored row.
    const [[[row]]] = mocks.message.insertBatch.mock.calls;
    mocks.message.insertBatch.mockResolvedValueOnce([{ row: { ...stored({ ...row, client_id: 'k1' }), id: first.id }, duplicate: true }]);
    const again = await routing.send(sam, { message: 'once', recipients: 'admin', client_id: 'k1' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(mocks.broadcaster.emit).toHaveBeenCalledTimes(1);
  });

  describe('team conversations', () => {
    it("turns a post to a group the sender does not read into their team conversation, delivered to the role and the guest", async () => {
      const sam = connect('sam', 'staff');
      const cleo = connect('cleo', 'client');
      await routing.send(cleo, { message: 'help', recipients: 'staff' });
      expect(mocks.message.insertBatch).toHaveBeenCalledWith([
        expect.objectContaining({
          target_kind: 'team',
          target: 'staff',
          guest: 'cleo',
          recipient_id: cleo.user.id,
          conversation: `team:staff:${cleo.user.id}`,
          audience: 'role:staff',
        }),
      ]);
      expect(emits()[0]).toMatchObject({
        rooms: ['role:staff', `user:${cleo.user.id}`, `user:${cleo.user.id}`],
        except: cleo.socketId,
        payload: { target_kind: 'team', target: 'staff', guest: 'cleo' },
      });
      // A staff member's reply by the team id: the same conversation, the same audience.
      await routing.send(sam, { message: 'on it', recipients: 'team:staff:cleo' });
      expect(mocks.message.insertBatch.mock.calls[1][0][0]).toMatchObject({ conversation: `team:staff:${cleo.user.id}`, recipient_id: cleo.user.id });
      expect(emits()[1]).toMatchObject({ rooms: ['role:staff', `user:${cleo.user.id}`, `user:${sam.user.id}`], except: sam.socketId });
    });

    it('lets only the guest and members of the role write to a team conversation, and confirms no account to anyone else', async () => {
      connect('sam', 'staff');
      const cleo = connect('cleo', 'client');
      const cid = connect('cid', 'client');
      const ada = connect('ada', 'admin');
      await expect(routing.send(cleo, { message: 'x', recipients: 'team:staff:cleo' })).resolves.toMatchObject({ duplicate: false });
      for (const [who, to] of [
        [cid, 'team:staff:cleo'],
        [ada, 'team:staff:cleo'],
        [cid, 'team:staff:nobody'],
        [connect('sam', 'staff'), 'team:staff:nobody'],
        [cleo, 'team:managers:cleo'],
      ] as const) {
        await expect(routing.send(who, { message: 'x', recipients: to })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
      }
      // One's own name as the guest of one's own role: nothing to hide, and no such conversation.
      await expect(routing.send(connect('sam', 'staff'), { message: 'x', recipients: 'team:staff:sam' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('posts into a group the sender reads as a supervisor, not into a team conversation', async () => {
      const ada = connect('ada', 'admin');
      await routing.send(ada, { message: 'note', recipients: 'staff' });
      expect(mocks.message.insertBatch.mock.calls[0][0][0]).toMatchObject({ target_kind: 'group', conversation: 'group:staff', audience: 'group:staff' });
      expect(emits()[0]).toMatchObject({ rooms: ['group:staff', `user:${ada.user.id}`], except: ada.socketId });
    });
  });

  describe('channels', () => {
    const channel = (id: number, name: string, fields: Partial<ChannelRow> = {}): ChannelRow => ({
      id,
      name,
      topic: '',
      visibility: 'public',
      created_by: 1,
      created_at: 0,
      updated_at: 0,
      archived_at: null,
      ...fields,
    });
    const channels = [channel(7, 'ops'), channel(8, 'secret', { visibility: 'private' }), channel(9, 'old', { archived_at: 1 })];

    beforeEach(() => {
      mocks.channel.findByName.mockImplementation(async (name) => channels.find((c) => c.name === name));
    });

    it('stores a member\'s post by channel id and delivers it to the channel room', async () => {
      const sam = connect('sam', 'staff');
      mocks.channel.channelIdsOf.mockResolvedValue([7]);
      await routing.send(sam, { message: 'deploy', recipients: 'channel:ops' });
      expect(mocks.message.insertBatch.mock.calls[0][0][0]).toMatchObject({ target_kind: 'channel', target: 'ops', conversation: 'channel:7', audience: 'channel:7' });
      expect(emits()[0]).toMatchObject({ rooms: ['channel:7', `user:${sam.user.id}`], except: sam.socketId });
    });

    it('answers a private channel one is not in exactly as a missing one, and refuses the rest', async () => {
      const sam = connect('sam', 'staff');
      mocks.channel.channelIdsOf.mockResolvedValue([]);
      const missing = await routing.send(sam, { message: 'x', recipients: 'channel:nope' }).catch((e: unknown) => e);
      const hidden = await routing.send(sam, { message: 'x', recipients: 'channel:secret' }).catch((e: unknown) => e);
      expect(hidden).toMatchObject({ code: 'UNKNOWN_RECIPIENT', message: (missing as Error).message.replace('nope', 'secret') });
      await expect(routing.send(sam, { message: 'x', recipients: 'channel:ops' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(routing.send(sam, { message: 'x', recipients: 'channel:old' })).rejects.toMatchObject({ code: 'CHANNEL_ARCHIVED' });
      expect(mocks.message.insertBatch).not.toHaveBeenCalled();
    });
  });

  describe('mentions', () => {
    it('keeps names the sender may reach and @here/@channel outside DMs', async () => {
      const sam = connect('sam', 'staff');
      const cleo = connect('cleo', 'client');
      connect('cid', 'client');
      await routing.send(cleo, { message: '@sam @cid @ghost @here @cleo', recipients: 'staff' });
      expect(mocks.message.insertBatch.mock.calls[0][0][0].mentions).toBe(JSON.stringify(['sam', '@here']));
      await routing.send(sam, { message: 'hi @cleo @here', recipients: 'user:cleo' });
      expect(mocks.message.insertBatch.mock.calls[1][0][0].mentions).toBe(JSON.stringify(['cleo']));
      expect(emits()[1].payload).toMatchObject({ mentions: ['cleo'] });
    });

    it('looks nothing up for a message without @', async () => {
      const sam = connect('sam', 'staff');
      mocks.user.findByUsername.mockClear();
      await routing.send(sam, { message: 'no mentions', recipients: 'admin' });
      expect(mocks.user.findByUsername).not.toHaveBeenCalled();
      expect(mocks.message.insertBatch.mock.calls[0][0][0].mentions).toBeNull();
      expect(emits()[0].payload).not.toHaveProperty('mentions');
    });
  });

  describe('extension hooks', () => {
    it('stores, mention-parses and delivers the text the before-store hooks made, after authorisation', async () => {
      const sam = connect('sam', 'staff');
      connect('cleo', 'client');
      const seen: string[] = [];
      hooks.beforeStore(({ text, target }) => {
        seen.push(target.kind);
        return { text: `${text} @cleo` };
      });
      expect(await routing.send(sam, { message: 'hi', recipients: 'group:staff' })).toMatchObject({ message: 'hi @cleo' });
      expect(mocks.message.insertBatch.mock.calls[0][0][0]).toMatchObject({ body: 'hi @cleo', mentions: JSON.stringify(['cleo']) });
      expect(emits()[0].payload).toMatchObject({ message: 'hi @cleo' });
      // A refused sender never reaches the hooks: a hook cannot be used to probe who exists.
      await expect(routing.send(sam, { message: 'x', recipients: 'user:nobody' })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
      expect(seen).toEqual(['group']);
    });

    it('stores and emits nothing for a refused message', async () => {
      const sam = connect('sam', 'staff');
      hooks.beforeStore(() => ({ refuse: 'No.' }));
      await expect(routing.send(sam, { message: 'hi', recipients: 'group:staff' })).rejects.toMatchObject({ code: 'MESSAGE_REFUSED', message: 'No.' });
      expect(mocks.message.insertBatch).not.toHaveBeenCalled();
      expect(emits()).toEqual([]);
    });

    it("runs after-delivery hooks on a person's message, not on one an extension sent", async () => {
      const sam = connect('sam', 'staff');
      const delivered: string[] = [];
      hooks.afterDelivery(({ message }) => delivered.push(message.message));
      await routing.send(sam, { message: 'from a person', recipients: 'group:staff' });
      await routing.send(sam, { message: 'from an extension', recipients: 'group:staff' }, { fromExtension: true });
      await routing.send(sam, { message: 'from a person again', recipients: 'group:staff' });
      await eventually(() => expect(delivered).toEqual(['from a person', 'from a person again']));
    });
  });
});
