import type { WireMessage } from '@parley/contract';
import { adminToken, closeAllClients, connectAs, createUser, nextEvent, record, request, requestOk, roundTrip } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

type Role = 'admin' | 'staff' | 'client';
const ROLES: Role[] = ['admin', 'staff', 'client'];

/** The default permission table, restated independently of the code under test. */
const MAY_POST_TO_GROUP: Record<Role, Role[]> = {
  admin: ['admin', 'staff', 'client'],
  staff: ['admin', 'staff', 'client'],
  client: ['admin', 'staff'],
};
const MAY_DM: Record<Role, Role[]> = MAY_POST_TO_GROUP;

describe('messaging', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  // Two accounts per role: one sender, one receiver.
  const names: Record<Role, [string, string]> = {
    admin: ['admin', 'ada'],
    staff: ['sam', 'sal'],
    client: ['cal', 'cleo'],
  };
  const roleOf = (name: string) => ROLES.find((r) => names[r].includes(name))!;
  const as = (name: string) => connectAs(server, tokens[name], roleOf(name), name);

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const role of ROLES) {
      for (const name of names[role]) {
        if (name !== 'admin') tokens[name] = await createUser(server, tokens.admin, name, role);
      }
    }
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  describe('the permission table, for every role pair', () => {
    it.each(ROLES.flatMap((from) => ROLES.map((to) => [from, to] as const)))(
      '%s -> %s (group post and DM)',
      async (from, to) => {
        const sender = await as(names[from][0]);
        const groupMember = await as(names[to][1]);
        const inbox = record(groupMember, 'message_from_user');

        const group = await request(sender, 'send_message', { message: `${from} to group ${to}`, recipients: to });
        const dm = await request(sender, 'send_message', { message: `${from} dm ${to}`, recipients: `user:${names[to][1]}` });

        if (MAY_POST_TO_GROUP[from].includes(to)) expect(group).toMatchObject({ ok: true, id: expect.any(Number) });
        else expect(group).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        if (MAY_DM[from].includes(to)) expect(dm).toMatchObject({ ok: true });
        // A user one may not message is answered exactly as a name that does not exist.
        else expect(dm).toEqual({ ok: false, error: { code: 'UNKNOWN_RECIPIENT', message: `No group, user or socket called "user:${names[to][1]}"` } });

        // Both were answered, so every copy was sent before; the round trip brings them in.
        await roundTrip(groupMember);
        const expected = [
          ...(MAY_POST_TO_GROUP[from].includes(to) ? [`${from} to group ${to}`] : []),
          ...(MAY_DM[from].includes(to) ? [`${from} dm ${to}`] : []),
        ];
        expect(inbox.map((m) => m.message)).toEqual(expected);
      },
    );
  });

  it('applies the table to the socket-id form too: a client cannot DM a client by socket id', async () => {
    const cal = await as('cal');
    const cleo = await as('cleo');
    expect(await request(cal, 'send_message', { message: 'psst', recipients: cleo.id! })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_RECIPIENT' },
    });
  });

  it('delivers a DM to every device of the recipient and the sender\'s other devices', async () => {
    const [samPhone, samLaptop] = [await as('sam'), await as('sam')];
    const [calPhone, calLaptop] = [await as('cal'), await as('cal')];
    const inboxes = [samPhone, samLaptop, calPhone, calLaptop].map((s) => record(s, 'message_from_user'));
    const ack = await requestOk(samPhone, 'send_message', { message: 'to all of cal', recipients: 'cal' });
    await eventually(() => inboxes[1].length + inboxes[2].length + inboxes[3].length === 3);
    await roundTrip(samPhone);
    expect(inboxes[0]).toEqual([]); // the sending socket has the ack instead
    for (const inbox of inboxes.slice(1)) {
      expect(inbox).toEqual([
        expect.objectContaining({
          message: 'to all of cal',
          id: ack.id,
          sender: samPhone.id,
          sender_name: 'sam',
          sender_role: 'staff',
          target_kind: 'user',
          target: 'cal',
          sent_at: ack.sent_at,
        }),
      ]);
    }
  });

  it('delivers a group message to every device of every member, once each', async () => {
    const members = [await as('sam'), await as('sam'), await as('sal')];
    const outsider = await as('cal');
    const inboxes = members.map((s) => record(s, 'message_from_user'));
    const outsiderInbox = record(outsider, 'message_from_user');
    const admin = await as('admin');
    const ack = await requestOk(admin, 'send_message', { message: 'staff meeting', recipients: 'group:staff' });
    await eventually(() => inboxes.every((inbox) => inbox.length === 1));
    await roundTrip(outsider);
    expect(inboxes.flat().map((m) => m.id)).toEqual([ack.id, ack.id, ack.id]);
    expect(outsiderInbox).toEqual([]);
  });

  it('maps the socket-id form to its user: every device of that user gets the DM', async () => {
    const salA = await as('sal');
    const salB = await as('sal');
    const inboxB = record(salB, 'message_from_user');
    const admin = await as('admin');
    const ack = await request(admin, 'send_message', { message: 'via socket id', recipients: salA.id! });
    expect(ack).toMatchObject({ ok: true });
    await eventually(() => inboxB.length === 1);
    expect(inboxB[0]).toMatchObject({ target_kind: 'user', target: 'sal' });
  });

  it('stores a client_id once: a resend gets the first id and nobody sees it twice', async () => {
    const sam = await as('sam');
    const sal = await as('sal');
    const inbox = record(sal, 'message_from_user');
    const first = await requestOk(sam, 'send_message', { message: 'once', recipients: 'sal', client_id: 'c-1' });
    const again = await requestOk(sam, 'send_message', { message: 'once', recipients: 'sal', client_id: 'c-1' });
    const racing = await Promise.all(
      [1, 2, 3].map(() => requestOk(sam, 'send_message', { message: 'race', recipients: 'sal', client_id: 'c-2' })),
    );
    expect(first).toMatchObject({ ok: true, duplicate: false, client_id: 'c-1' });
    expect(again).toMatchObject({ ok: true, duplicate: true, id: first.id });
    expect(new Set(racing.map((a) => a.id)).size).toBe(1);
    expect(racing.filter((a) => a.duplicate === false)).toHaveLength(1);
    await roundTrip(sal);
    expect(inbox.map((m) => m.message)).toEqual(['once', 'race']);
  });

  it('replays what an offline user missed through sync, in pages, with nothing doubled', async () => {
    const cleo = await as('cleo');
    const { latest_id: start } = await requestOk(cleo, 'verify_user', { user_type: 'client', user_name: 'cleo' });
    cleo.disconnect();

    const admin = await as('admin');
    const sent: number[] = [];
    for (let i = 0; i < 7; i++) {
      const ack = await requestOk(admin, 'send_message', {
        message: `missed ${i}`,
        recipients: i % 2 ? 'client' : 'cleo',
      });
      sent.push(ack.id);
    }
    // Not for cleo: a DM to someone else and a post to the staff group.
    await request(admin, 'send_message', { message: 'not yours', recipients: 'cal' });
    await request(admin, 'send_message', { message: 'staff only', recipients: 'staff' });

    const back = await as('cleo');
    const replayed: WireMessage[] = [];
    let since = start;
    for (;;) {
      const page = await requestOk(back, 'sync', { since, limit: 3 });
      replayed.push(...page.messages);
      if (!page.more) break;
      since = page.messages.at(-1)!.id;
    }
    expect(replayed.map((m) => m.id)).toEqual(sent);
    expect(replayed.map((m) => m.message)).toEqual(sent.map((_, i) => `missed ${i}`));
  });

  it('pages a conversation backwards with history', async () => {
    const ada = await as('ada');
    const sal = await as('sal');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await requestOk(ada, 'send_message', { message: `h${i}`, recipients: 'sal' })).id);
    }
    const newest = await requestOk(sal, 'history', { conversation: 'ada', limit: 2 });
    expect(newest.more).toBe(true);
    expect(newest.messages.map((m) => m.message)).toEqual(['h3', 'h4']);
    const older = await requestOk(sal, 'history', { conversation: 'user:ada', before: ids[3], limit: 10 });
    expect(older.messages.map((m) => m.message)).toEqual(['h0', 'h1', 'h2']);
    expect(older.more).toBe(false);
    // A client sees only its own posts in a group it may post to but is not in.
    const cal = await as('cal');
    await request(cal, 'send_message', { message: 'cal asks staff', recipients: 'staff' });
    const seen = (await requestOk(cal, 'history', { conversation: 'staff' })).messages;
    expect(seen.at(-1)?.message).toBe('cal asks staff');
    expect(new Set(seen.map((m) => m.sender_name))).toEqual(new Set(['cal']));
  });

  it('forgets a disconnected socket everywhere: its id is no longer a recipient', async () => {
    const sal = await as('sal');
    const id = sal.id!;
    const admin = await as('admin');
    await request(admin, 'roster', {});
    const gone = nextEvent(admin, 'roster_diff', (d) => d.removed.includes(id));
    sal.disconnect();
    await gone;
    const snapshot = await requestOk(admin, 'roster', {});
    expect(snapshot.connections.map((c) => c.socket_id)).not.toContain(id);
    const ack = await request(admin, 'send_message', { message: 'hello?', recipients: id });
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
  });
});

describe('durability', () => {
  it('keeps every acknowledged message across a restart', async () => {
    const server = await startServer();
    try {
      const admin = await adminToken(server);
      const socket = await connectAs(server, admin, 'admin', 'admin');
      const acks = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          requestOk(socket, 'send_message', { message: `durable ${i}`, recipients: 'staff', client_id: `d${i}` }),
        ),
      );
      closeAllClients();
      await server.restart();

      const again = await adminToken(server);
      const back = await connectAs(server, again, 'admin', 'admin');
      const page = await requestOk(back, 'sync', { since: 0, limit: 500 });
      expect(page.messages.map((m) => m.id)).toEqual(acks.map((a) => a.id));
      // The idempotency record survived too.
      const resend = await request(back, 'send_message', { message: 'durable 0', recipients: 'staff', client_id: 'd0' });
      expect(resend).toMatchObject({ duplicate: true, id: acks[0].id });
    } finally {
      closeAllClients();
      await server.stop();
    }
  });
});
