import type { ReadReceipt, Role, SyncAck, WireMessage } from '@parley/contract';
import { ChannelRepository } from '../backend/src/storage/channel.repository';
import { DatabaseService } from '../backend/src/storage/database.service';
import { UserRepository } from '../backend/src/storage/user.repository';
import { adminToken, type ClientSocket, closeAllClients, connect, connectAs, createUser, nextEvent, record, request, requestOk, roundTrip } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * Read receipts ("Seen", "Seen by N"): a read mark that moves is told live to everyone else who
 * sees the conversation, named as each of them names it, replayed by sync in stream order with
 * the messages, and given whole by history's first page; PARLEY_READ_RECEIPTS=false turns it off.
 */
describe('read receipts', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const roles: Record<string, Role> = { admin: 'admin', sam: 'staff', sal: 'staff', cleo: 'client', cid: 'client' };

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) if (name !== 'admin') tokens[name] = await createUser(server, tokens.admin, name, role);
    const users = server.app.get(UserRepository);
    const id = async (name: string) => (await users.findByUsername(name))!.id;
    const channels = server.app.get(ChannelRepository);
    const now = Date.now();
    await channels.create({ name: 'ops', topic: '', visibility: 'public', createdBy: await id('admin'), memberIds: [await id('sam'), await id('cleo')], now });
    await channels.create({ name: 'hush', topic: '', visibility: 'private', createdBy: await id('sam'), memberIds: [await id('sal')], now });
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const as = (name: string) => connectAs(server, tokens[name], roles[name], name);
  const receipts = (socket: ClientSocket) => record(socket, 'read_receipt');
  const send = async (from: ClientSocket, recipients: string, message = 'hello') => (await requestOk(from, 'send_message', { message, recipients })).id;
  const markRead = (socket: ClientSocket, conversation: string, up_to: number) => requestOk(socket, 'mark_read', { conversation, up_to });
  /** Proves nothing more came to `sockets`: the server answered each after it sent what it had. */
  const quiet = (...sockets: ClientSocket[]) => Promise.all(sockets.map(roundTrip));

  /** Every page of sync from `since`, `limit` messages at a time, and where each page ended. */
  const syncAll = async (socket: ClientSocket, since: number, limit = 500) => {
    const pages: Array<Extract<SyncAck, object>> = [];
    for (let cursor = since; ; ) {
      const page = await requestOk(socket, 'sync', { since: cursor, limit });
      pages.push(page);
      expect(page.cursor).toBeGreaterThanOrEqual(cursor);
      cursor = page.cursor;
      if (!page.more) break;
    }
    return { pages, messages: pages.flatMap((p) => p.messages), receipts: pages.flatMap((p) => p.receipts), cursor: pages.at(-1)!.cursor };
  };
  const headOf = async (socket: ClientSocket) => (await syncAll(socket, 0)).cursor;

  it('says at verify_user that receipts are on', async () => {
    const admin = await as('admin');
    expect(await requestOk(admin, 'verify_user', { user_type: 'admin', user_name: 'admin' })).toMatchObject({ read_receipts: true });
  });

  it("shows a DM's sender \"Seen\": the other person's devices get it named after the reader, nobody else does", async () => {
    const [sam, samPhone, cleo, cleoPhone, sal] = [await as('sam'), await as('sam'), await as('cleo'), await as('cleo'), await as('sal')];
    const [toSam, toSamPhone, toCleo, toCleoPhone, toSal] = [receipts(sam), receipts(samPhone), receipts(cleo), receipts(cleoPhone), receipts(sal)];
    const read = record(cleoPhone, 'read');
    const first = await send(sam, 'user:cleo', 'are you there?');
    const second = await send(sam, 'user:cleo', 'hello?');

    await markRead(cleo, 'user:sam', first);
    await eventually(() => expect(toSam).toEqual([{ conversation: 'user:cleo', user_name: 'cleo', up_to: first, rev: expect.any(Number) }]));
    await eventually(() => expect(toSamPhone).toEqual(toSam));
    expect(toSam[0].rev).toBeGreaterThan(second);
    // The reader's own devices are told `read`, not a receipt.
    await eventually(() => expect(read).toEqual([{ conversation: 'user:sam', up_to: first }]));
    // A mark that does not move (again, or backwards) tells no one.
    await markRead(cleo, 'user:sam', first);
    await markRead(cleoPhone, 'user:sam', first - 1);
    await markRead(cleo, 'user:sam', second);
    await eventually(() => expect(toSam.map((r) => r.up_to)).toEqual([first, second]));
    await quiet(cleo, cleoPhone, sal);
    expect([toCleo, toCleoPhone, toSal]).toEqual([[], [], []]);

    // Opening the conversation shows it at once; each side names it after the other.
    expect((await requestOk(sam, 'history', { conversation: 'user:cleo' })).receipts).toEqual([{ conversation: 'user:cleo', user_name: 'cleo', up_to: second }]);
    expect((await requestOk(cleo, 'history', { conversation: 'sam' })).receipts).toEqual([]);
    await markRead(samPhone, 'cleo', second);
    await eventually(() => expect(toCleo).toEqual([{ conversation: 'user:sam', user_name: 'sam', up_to: second, rev: expect.any(Number) }]));
    expect((await requestOk(cleo, 'history', { conversation: 'user:sam' })).receipts).toEqual([{ conversation: 'user:sam', user_name: 'sam', up_to: second }]);
    // Older pages carry none: the first page has the state.
    expect((await requestOk(cleo, 'history', { conversation: 'user:sam', before: second })).receipts).toEqual([]);
  });

  it('shows a group, a team conversation and a channel "Seen by" their readers, and never to anyone outside them', async () => {
    const [sam, sal, admin, cleo, cid] = [await as('sam'), await as('sal'), await as('admin'), await as('cleo'), await as('cid')];
    const [toSam, toSal, toAdmin, toCleo, toCid] = [receipts(sam), receipts(sal), receipts(admin), receipts(cleo), receipts(cid)];
    const since = await headOf(cleo);

    // The staff group: its members and its supervisors (admins); a client never learns of it.
    const meeting = await send(sam, 'group:staff', 'meeting at 3');
    await markRead(sal, 'staff', meeting);
    const salRead = { conversation: 'group:staff', user_name: 'sal', up_to: meeting, rev: expect.any(Number) };
    await eventually(() => expect(toSam).toEqual([salRead]));
    await eventually(() => expect(toAdmin).toEqual([salRead]));
    await markRead(admin, 'group:staff', meeting);
    await eventually(() => expect(toSam).toEqual([salRead, { ...salRead, user_name: 'admin' }]));
    const byName = (list: ReadReceipt[]) => [...list].sort((a, b) => a.user_name.localeCompare(b.user_name));
    expect(byName((await requestOk(sam, 'history', { conversation: 'group:staff' })).receipts)).toEqual([
      { conversation: 'group:staff', user_name: 'admin', up_to: meeting },
      { conversation: 'group:staff', user_name: 'sal', up_to: meeting },
    ]);

    // Cleo's conversation with the staff: every staff member and Cleo; not the admins, not Cid.
    const asked = await send(cleo, 'staff', 'where is my order?');
    await markRead(sam, 'team:staff:cleo', asked);
    const samRead = { conversation: 'team:staff:cleo', user_name: 'sam', up_to: asked, rev: expect.any(Number) };
    await eventually(() => expect(toCleo).toEqual([samRead]));
    await eventually(() => expect(toSal).toEqual([{ ...salRead, user_name: 'admin' }, samRead]));
    await markRead(cleo, 'staff', asked);
    await eventually(() => expect(toSam.at(-1)).toEqual({ conversation: 'team:staff:cleo', user_name: 'cleo', up_to: asked, rev: expect.any(Number) }));
    await eventually(() => expect(toSal.at(-1)).toMatchObject({ conversation: 'team:staff:cleo', user_name: 'cleo' }));
    expect((await requestOk(cleo, 'history', { conversation: 'staff' })).receipts).toEqual([{ conversation: 'team:staff:cleo', user_name: 'sam', up_to: asked }]);

    // A private channel's members only; a public one's members, not those who could join.
    const hushed = await send(sam, 'channel:hush', 'between us');
    await markRead(sal, 'channel:hush', hushed);
    await eventually(() => expect(toSam.at(-1)).toEqual({ conversation: 'channel:hush', user_name: 'sal', up_to: hushed, rev: expect.any(Number) }));
    const opsPost = await send(sam, 'channel:ops', 'deploying');
    await markRead(cleo, 'channel:ops', opsPost);
    await eventually(() => expect(toSam.at(-1)).toEqual({ conversation: 'channel:ops', user_name: 'cleo', up_to: opsPost, rev: expect.any(Number) }));
    expect(await request(cid, 'history', { conversation: 'channel:hush' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });

    await quiet(sam, sal, admin, cleo, cid);
    // The admin created #ops, so is in it.
    expect(toAdmin.map((r) => [r.conversation, r.user_name])).toEqual([
      ['group:staff', 'sal'],
      ['channel:ops', 'cleo'],
    ]);
    expect(toCleo).toEqual([samRead]);
    expect(toCid).toEqual([]);
    expect(toSal.map((r) => r.conversation)).toEqual(['group:staff', 'team:staff:cleo', 'team:staff:cleo']);
    // And sync replays the same to each: Cleo her team conversation, nothing of the staff group
    // or the private channel; Cid nothing at all.
    expect((await syncAll(cleo, since)).receipts.map((r) => [r.conversation, r.user_name])).toEqual([
      ['team:staff:cleo', 'sam'],
      ['team:staff:cleo', 'cleo'],
      ['channel:ops', 'cleo'],
    ]);
    expect((await syncAll(cid, since)).receipts).toEqual([]);
    expect((await syncAll(admin, since)).receipts.map((r) => [r.conversation, r.user_name])).toEqual([
      ['group:staff', 'sal'],
      ['group:staff', 'admin'],
      ['channel:ops', 'cleo'],
    ]);
  });

  it('replays receipts to a device that was away exactly once, in stream order with the messages, page by page', async () => {
    const [sam, sal, admin, cleo] = [await as('sam'), await as('sal'), await as('admin'), await as('cleo')];
    const away = await as('sam');
    const since = await headOf(away);
    away.disconnect();

    // The stream as it happens: [kind, position] in the order it was written.
    const written: Array<[string, number]> = [];
    const posted = async (from: ClientSocket, to: string, text: string) => {
      const id = await send(from, to, text);
      written.push([`message ${text}`, id]);
      return id;
    };
    const liveOnSam = receipts(sam);
    const seenBy = async (reader: ClientSocket, name: string, conversation: string, upTo: number, expected: string) => {
      await markRead(reader, conversation, upTo);
      const receipt = await eventually(() => liveOnSam.find((r) => r.user_name === name && r.up_to === upTo && r.conversation === expected) ?? false);
      written.push([`${name} read ${expected}`, receipt.rev!]);
    };
    const one = await posted(sam, 'staff', 'one');
    await seenBy(sal, 'sal', 'staff', one, 'group:staff');
    const two = await posted(sal, 'staff', 'two');
    await seenBy(admin, 'admin', 'group:staff', two, 'group:staff');
    const three = await posted(cleo, 'user:sam', 'three');
    await seenBy(cleo, 'cleo', 'user:sam', three, 'user:cleo');
    // Sam's own mark, from another device: the device away learns it too.
    await markRead(sam, 'user:cleo', three);
    const own = await eventually(async () => (await syncAll(sam, since)).receipts.find((r) => r.user_name === 'sam') ?? false);
    written.push(['sam read user:cleo', own.rev!]);
    await posted(sal, 'staff', 'four');

    const back = await as('sam');
    const stream = (messages: WireMessage[], received: ReadReceipt[]) =>
      [
        ...messages.map((m): [string, number] => [`message ${m.message}`, m.rev ?? m.id]),
        ...received.map((r): [string, number] => [`${r.user_name} read ${r.conversation}`, r.rev!]),
      ].sort((a, b) => a[1] - b[1]);
    for (const limit of [500, 1]) {
      const replay = await syncAll(back, since, limit);
      expect(stream(replay.messages, replay.receipts)).toEqual(written);
      // Each page is a prefix of the stream: what it holds sits at or below its cursor, what the
      // next holds above it.
      let floor = since;
      for (const page of replay.pages) {
        for (const [, position] of stream(page.messages, page.receipts)) {
          expect(position).toBeGreaterThan(floor);
          expect(position).toBeLessThanOrEqual(page.cursor);
        }
        floor = page.cursor;
      }
      if (limit === 1) expect(replay.pages.length).toBeGreaterThanOrEqual(4);
      expect(replay.cursor).toBeGreaterThanOrEqual(written.at(-1)![1]);
      // Caught up: nothing more from where it ended.
      expect(await requestOk(back, 'sync', { since: replay.cursor })).toMatchObject({ messages: [], receipts: [], more: false, cursor: replay.cursor });
    }
  });

  it('ends a whole page past positions the viewer does not see, so a later receipt is not held back', async () => {
    const [cleo, sam] = [await as('cleo'), await as('sam')];
    const since = await headOf(cleo);
    // Someone else's traffic, then a receipt Cleo sees, with no message of hers after it.
    await send(sam, 'staff', 'staff only');
    const mine = await send(cleo, 'user:sam', 'ping');
    await markRead(sam, 'user:cleo', mine);
    const page = await requestOk(cleo, 'sync', { since });
    expect(page.messages.map((m) => m.id)).toEqual([mine]);
    expect(page.receipts).toEqual([{ conversation: 'user:sam', user_name: 'sam', up_to: mine, rev: expect.any(Number) }]);
    expect(page.cursor).toBe(page.receipts[0].rev);
    expect(page.more).toBe(false);
  });

  it('with PARLEY_READ_RECEIPTS=false, tells and stores no receipt', async () => {
    // Open mode: accounts without passwords, so this second server costs no password hashing.
    const off = await startServer({ PARLEY_READ_RECEIPTS: 'false', PARLEY_AUTH: 'open' });
    try {
      const [amy, bob] = [await connect(off), await connect(off)];
      expect(await requestOk(amy, 'verify_user', { user_type: 'staff', user_name: 'amy' })).toMatchObject({ read_receipts: false });
      await requestOk(bob, 'verify_user', { user_type: 'staff', user_name: 'bob' });
      const toAmy = receipts(amy);
      const dm = await send(amy, 'user:bob');
      const group = await send(amy, 'staff');
      await markRead(bob, 'user:amy', dm);
      await markRead(bob, 'staff', group);
      // Anything told about those marks would have come before this message.
      const after = nextEvent(amy, 'message_from_user');
      await send(bob, 'user:amy', 'done');
      await after;
      expect(toAmy).toEqual([]);
      expect(await requestOk(amy, 'sync', { since: 0 })).toMatchObject({ receipts: [] });
      expect((await requestOk(amy, 'history', { conversation: 'user:bob' })).receipts).toEqual([]);
      // Stored as before receipts: the marks moved, with no place in the stream and no audience.
      const marks = await off.app.get(DatabaseService).db.selectFrom('read_marks').select(['last_read_id', 'rev', 'audience', 'peer_id']).orderBy('last_read_id').execute();
      expect(marks).toEqual([
        { last_read_id: dm, rev: null, audience: null, peer_id: null },
        { last_read_id: group, rev: null, audience: null, peer_id: null },
      ]);
    } finally {
      closeAllClients();
      await off.stop();
    }
  });
});
