import { adminToken, api, closeAllClients, connectAs, createUser, nextEvent, record, request, requestOk, roundTrip } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

describe('conversations, read marks, directory, presence, typing and admin actions', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    tokens.sam = await createUser(server, tokens.admin, 'sam', 'staff');
    tokens.cal = await createUser(server, tokens.admin, 'cal', 'client');
    tokens.cid = await createUser(server, tokens.admin, 'cid', 'client');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const as = (name: string, role: string) => connectAs(server, tokens[name], role, name);

  it('lists conversations with the last message and unread counts that read marks clear on every device', async () => {
    const sam = await as('sam', 'staff');
    const calPhone = await as('cal', 'client');
    const calLaptop = await as('cal', 'client');
    await request(sam, 'send_message', { message: 'one', recipients: 'cal' });
    const two = await requestOk(sam, 'send_message', { message: 'two', recipients: 'cal' });
    await request(sam, 'send_message', { message: 'hello clients', recipients: 'client' });

    const listed = await requestOk(calPhone, 'conversations', {});
    const byName = Object.fromEntries(listed.conversations.map((c) => [c.conversation, c]));
    expect(byName['user:sam']).toMatchObject({ unread: 2, last: { message: 'two' } });
    expect(byName['group:client']).toMatchObject({ unread: 1, last: { message: 'hello clients' } });

    const read = nextEvent(calLaptop, 'read');
    expect(await request(calPhone, 'mark_read', { conversation: 'sam', up_to: two.id })).toEqual({
      ok: true,
      conversation: 'user:sam',
    });
    expect(await read).toEqual({ conversation: 'user:sam', up_to: two.id });
    const after = await requestOk(calLaptop, 'conversations', {});
    expect(after.conversations.find((c) => c.conversation === 'user:sam')).toMatchObject({
      unread: 0,
      last_read_id: two.id,
    });
  });

  it('offers each user exactly the people the permission table lets them message, with presence', async () => {
    const sam = await as('sam', 'staff');
    const cal = await as('cal', 'client');
    const samSees = await requestOk(sam, 'directory', {});
    expect(samSees.users.map((u) => u.username).sort()).toEqual(['admin', 'cal', 'cid']);
    expect(samSees.users.find((u) => u.username === 'cal')).toMatchObject({ online: true, role: 'client' });
    const calSees = await requestOk(cal, 'directory', {});
    expect(calSees.users.map((u) => u.username).sort()).toEqual(['admin', 'sam']);
  });

  it('announces presence to those who may message the user, and not to other clients', async () => {
    const sam = await as('sam', 'staff');
    const cid = await as('cid', 'client');
    const samSees = record(sam, 'presence');
    const cidSees = record(cid, 'presence');
    const cal = await as('cal', 'client');
    await eventually(() => samSees.some((p) => p.user_name === 'cal' && p.online === true));
    cal.disconnect();
    await eventually(() => samSees.some((p) => p.user_name === 'cal' && p.online === false));
    // Both changes went to every watcher in one emit each; sam has both.
    await roundTrip(cid);
    expect(cidSees.filter((p) => p.user_name === 'cal')).toEqual([]);
  });

  it('relays typing to the conversation\'s members only, when the sender may write there', async () => {
    const sam = await as('sam', 'staff');
    const cal = await as('cal', 'client');
    const cid = await as('cid', 'client');
    const cidSees = record(cid, 'typing');
    const typing = nextEvent(cal, 'typing');
    expect(await request(sam, 'typing', { conversation: 'user:cal' })).toEqual({ ok: true });
    expect(await typing).toEqual({ user_name: 'sam', target_kind: 'user', target: 'cal' });
    expect(await request(cal, 'typing', { conversation: 'group:client' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // cal's copy came, and cal's own refused try was answered: anything for cid was sent.
    await roundTrip(cid);
    expect(cidSees).toEqual([]);
  });

  it("lets an admin end one device's session or sign a user out everywhere; nobody else may", async () => {
    const samA = await as('sam', 'staff');
    // Another device: its own session, which Disconnect of device A leaves alone.
    const otherDevice = (await api(server, 'POST', '/api/auth/login', { body: { username: 'sam', password: 'sam-passphrase-9' } })).body.token as string;
    const samB = await connectAs(server, otherDevice, 'staff', 'sam');
    const closedA = new Promise((r) => samA.on('disconnect', r));
    expect((await api(server, 'POST', `/api/admin/connections/${samA.id}/disconnect`, { token: tokens.admin })).status).toBe(204);
    await closedA;
    await roundTrip(samB);
    expect(samB.connected).toBe(true);
    tokens.sam = otherDevice;
    expect(await api(server, 'POST', `/api/admin/connections/${samB.id}/disconnect`, { token: tokens.cal })).toMatchObject({
      status: 403,
    });
    expect(await api(server, 'POST', '/api/admin/connections/no-such-socket/disconnect', { token: tokens.admin })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });

    const closedB = new Promise((r) => samB.on('disconnect', r));
    expect((await api(server, 'POST', '/api/users/sam/sign-out', { token: tokens.admin })).status).toBe(204);
    await closedB;
    expect((await api(server, 'GET', '/api/me', { token: tokens.sam })).status).toBe(401);
    tokens.sam = (await api(server, 'POST', '/api/auth/login', { body: { username: 'sam', password: 'sam-passphrase-9' } })).body
      .token as string;
  });
});
