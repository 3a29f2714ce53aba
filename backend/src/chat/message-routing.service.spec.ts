import { MessageRepository } from '../storage/message.repository';
import { UsersService } from '../users/users.service';
import { MAX_PENDING_PER_SOCKET, MessageRoutingService } from './message-routing.service';
import { createChatTestContext, type ChatTestContext } from './testing/chat-test-module';

describe('MessageRoutingService', () => {
  let ctx: ChatTestContext;
  let routing: MessageRoutingService;

  beforeAll(async () => {
    ctx = await createChatTestContext();
    routing = ctx.module.get(MessageRoutingService);
  });
  beforeEach(() => ctx.broadcaster.emits.splice(0));
  /** The message emits only (verifying test users also emits presence). */
  const sent = () => ctx.broadcaster.emits.filter((e) => e.event === 'message_from_user');
  afterAll(() => ctx.close());

  it('stores a group post and emits it once to the group and the sender\'s devices, sender included', async () => {
    const sam = await ctx.connectUser('sam', 'staff');
    const ack = await routing.send(sam, { message: 'hi staff', recipients: 'staff' });
    expect(sent()).toEqual([
      {
        rooms: ['group:staff', `user:${sam.user.id}`],
        event: 'message_from_user',
        payload: expect.objectContaining({ id: ack.id, message: 'hi staff', sender: sam.socketId, target: 'staff' }),
        except: undefined,
      },
    ]);
    const stored = await ctx.module.get(MessageRepository).findConversationBefore({ conversation: 'group:staff' }, undefined, 10);
    expect(stored.map((m) => m.id)).toContain(ack.id);
  });

  it('leaves out the sending socket when posting to a group it is not in', async () => {
    const ada = await ctx.connectUser('ada', 'admin');
    await routing.send(ada, { message: 'to clients', recipients: 'group:client' });
    expect(sent()[0]).toMatchObject({ rooms: ['group:client', `user:${ada.user.id}`], except: ada.socketId });
  });

  it('sends a DM to every device of both people, except the sending socket', async () => {
    const sam = await ctx.connectUser('sam', 'staff');
    const cal = await ctx.connectUser('cal', 'client');
    await routing.send(sam, { message: 'dm', recipients: 'user:cal' });
    expect(sent()[0]).toMatchObject({
      rooms: [`user:${cal.user.id}`, `user:${sam.user.id}`],
      except: sam.socketId,
      payload: { target_kind: 'user', target: 'cal' },
    });
  });

  it('maps a socket id to its user', async () => {
    const sam = await ctx.connectUser('sam', 'staff');
    const calPhone = await ctx.connectUser('cal', 'client', 'cal-phone');
    await routing.send(sam, { message: 'reply', recipients: 'cal-phone' });
    expect(sent()[0].rooms[0]).toBe(`user:${calPhone.user.id}`);
  });

  it('refuses what the permission table forbids, storing and emitting nothing', async () => {
    const cal = await ctx.connectUser('cal', 'client');
    await ctx.connectUser('cid', 'client');
    const repository = ctx.module.get(MessageRepository);
    const before = await repository.latestId();
    await expect(routing.send(cal, { message: 'x', recipients: 'client' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A user the sender may not reach is answered as unknown (finding 6: no account probing).
    await expect(routing.send(cal, { message: 'x', recipients: 'cid' })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    await expect(routing.send(cal, { message: 'x', recipients: 'nobody' })).rejects.toMatchObject({ code: 'UNKNOWN_RECIPIENT' });
    expect(await repository.latestId()).toBe(before);
    expect(sent()).toEqual([]);
  });

  it('keeps one socket\'s messages in the order sent, even when a lookup waits on the database', async () => {
    const sam = await ctx.connectUser('sam', 'staff');
    await ctx.module.get(UsersService).create({ username: 'newcomer', role: 'client', password: 'newcomer-passphrase-9' });
    // 'newcomer' is not cached yet: resolving it reads the database; 'admin' resolves at once.
    const [first, second] = await Promise.all([
      routing.send(sam, { message: 'A', recipients: 'newcomer' }),
      routing.send(sam, { message: 'B', recipients: 'admin' }),
    ]);
    expect(first.id).toBeLessThan(second.id);
  });

  it('refuses a socket that has too many messages waiting for their ack', async () => {
    const sam = await ctx.connectUser('sam', 'staff');
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
    const sam = await ctx.connectUser('sam', 'staff');
    const first = await routing.send(sam, { message: 'once', recipients: 'admin', client_id: 'k1' });
    const again = await routing.send(sam, { message: 'once', recipients: 'admin', client_id: 'k1' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(sent()).toHaveLength(1);
  });
});
