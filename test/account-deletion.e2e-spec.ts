import { adminToken, api, closeAllClients, connect, connectAs, createUser, type Json, login, request, requestOk } from './support/clients';
import { startServer, type TestServer } from './support/server';

/** Issue 10, finding 5: admins delete accounts; the messages stay, under a deleted user. */
describe('deleting an account (DELETE /api/users/:username)', () => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const users = async () => (await api(server, 'GET', '/api/users', { token: admin })).body.users as Json[];

  it("signs the user out everywhere, keeps their messages under a tombstone name, audits it, and frees the name", async () => {
    const sam = await createUser(server, admin, 'sam', 'staff');
    const cleo = await createUser(server, admin, 'cleo', 'client');
    const [samPhone, samLaptop] = [await connectAs(server, sam, 'staff', 'sam'), await connectAs(server, sam, 'staff', 'sam')];
    const cleoSocket = await connectAs(server, cleo, 'client', 'cleo');
    expect(await request(samPhone, 'send_message', { message: 'hello cleo', recipients: 'user:cleo' })).toMatchObject({ ok: true });
    expect(await request(cleoSocket, 'send_message', { message: 'hello sam', recipients: 'user:sam' })).toMatchObject({ ok: true });
    expect(await request(samPhone, 'send_message', { message: 'to the clients', recipients: 'group:client' })).toMatchObject({ ok: true });
    const closed = [samPhone, samLaptop].map((socket) => new Promise((resolve) => socket.once('disconnect', resolve)));

    const response = await api(server, 'DELETE', '/api/users/sam', { token: admin });
    expect(response.status).toBe(204);
    await Promise.all(closed);
    expect((await api(server, 'GET', '/api/me', { token: sam })).status).toBe(401);
    expect((await users()).map((u) => u.username)).not.toContain('sam');

    // Cleo keeps the conversation; both sides of it now name the deleted account, not "sam".
    const { conversations } = await requestOk(cleoSocket, 'conversations');
    const dm = conversations.find((c) => c.conversation.startsWith('user:'))!;
    expect(dm.conversation).toMatch(/^user:deleted#\d+$/);
    const history = await requestOk(cleoSocket, 'history', { conversation: dm.conversation });
    const tombstone = dm.conversation.slice('user:'.length);
    expect(history.messages.map((m) => [m.sender_name, m.target, m.message])).toEqual([
      [tombstone, 'cleo', 'hello cleo'],
      ['cleo', tombstone, 'hello sam'],
    ]);
    const synced = (await requestOk(cleoSocket, 'sync', { since: 0 })).messages;
    expect(synced.map((m) => m.sender_name)).not.toContain('sam');
    // Nobody can write to the deleted account.
    expect(await request(cleoSocket, 'send_message', { message: 'x', recipients: `user:${tombstone}` })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_RECIPIENT' },
    });

    const audit = (await api(server, 'GET', '/api/admin/audit?action=user.deleted', { token: admin })).body.entries as Json[];
    expect(audit).toEqual([expect.objectContaining({ actor: 'admin', action: 'user.deleted', target: 'sam', details: { role: 'staff' } })]);

    // The name is free: a new "sam" is a new person who inherits nothing.
    const newSam = await createUser(server, admin, 'sam', 'staff');
    const newSamSocket = await connectAs(server, newSam, 'staff', 'sam');
    // Only the client group, which every staff member reads (supervision), with the old post under the tombstone.
    const inherited = (await requestOk(newSamSocket, 'conversations')).conversations;
    expect(inherited.map((c) => [c.conversation, c.last.sender_name])).toEqual([['group:client', tombstone]]);
    expect((await requestOk(newSamSocket, 'history', { conversation: 'user:cleo' })).messages).toEqual([]);
  });

  it('answers 404 for an unknown name and 409 SELF_CHANGE for your own account', async () => {
    expect(await api(server, 'DELETE', '/api/users/nobody-here', { token: admin })).toMatchObject({
      status: 404,
      body: { statusCode: 404, code: 'NOT_FOUND' },
    });
    expect(await api(server, 'DELETE', '/api/users/admin', { token: admin })).toMatchObject({
      status: 409,
      body: { statusCode: 409, code: 'SELF_CHANGE' },
    });
    expect((await users()).map((u) => u.username)).toContain('admin');
  });

  it('lets another admin delete an admin, and the deleted one can no longer sign in', async () => {
    const ann = await createUser(server, admin, 'ann', 'admin');
    await createUser(server, admin, 'bert', 'admin');
    expect((await api(server, 'DELETE', '/api/users/bert', { token: ann })).status).toBe(204);
    await expect(login(server, 'bert', 'bert-passphrase-9')).rejects.toThrow(/401/);
  });

  it('ends an open-mode account too, whose name a socket may then claim afresh', async () => {
    const open = await startServer({ PARLEY_AUTH: 'open' });
    try {
      const socket = await connect(open);
      expect(await request(socket, 'verify_user', { user_type: 'client', user_name: 'Olga' })).toMatchObject({ ok: true });
      const openAdmin = await adminToken(open);
      const closed = new Promise((resolve) => socket.once('disconnect', resolve));
      expect((await api(open, 'DELETE', '/api/users/olga', { token: openAdmin })).status).toBe(204);
      await closed;
      const again = await connect(open);
      expect(await request(again, 'verify_user', { user_type: 'staff', user_name: 'Olga' })).toMatchObject({ ok: true, user: { role: 'staff' } });
    } finally {
      await open.stop();
    }
  });
});
