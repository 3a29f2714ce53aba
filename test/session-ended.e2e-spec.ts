import type { SessionEndReason } from '@parley/contract';
import { adminToken, api, closeAllClients, connect, connectAs, createUser, login, record, request, roundTrip, type ClientSocket } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * An administrator's action that ends sessions tells exactly the sockets it closes why
 * (session_ended), so the page can say it, and no other socket hears of it.
 */
describe('session_ended: the affected page learns why it was signed out', () => {
  let server: TestServer;
  let admin: string;
  let bystanderToken: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
    bystanderToken = await createUser(server, admin, 'bea', 'staff');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  /** A socket with what it was told and how it closed. */
  function watch(socket: ClientSocket) {
    const reasons = record(socket, 'session_ended');
    const closed: string[] = [];
    socket.on('disconnect', (why) => closed.push(why));
    return { socket, reasons, closed };
  }

  /** Two devices (two sessions) of a new user, the first with a second tab and an unverified socket. */
  async function twoDevices(name: string) {
    const deviceA = await createUser(server, admin, name, 'staff');
    const deviceB = await login(server, name, `${name}-passphrase-9`);
    return {
      deviceA,
      deviceB,
      tabA1: watch(await connectAs(server, deviceA, 'staff', name)),
      tabA2: watch(await connectAs(server, deviceA, 'staff', name)),
      unverifiedA: watch(await connect(server, { token: deviceA })),
      tabB: watch(await connectAs(server, deviceB, 'staff', name)),
    };
  }

  const everywhere: Array<[SessionEndReason, (name: string) => Promise<{ status: number }>]> = [
    ['signed_out', (name) => api(server, 'POST', `/api/users/${name}/sign-out`, { token: admin })],
    ['disabled', (name) => api(server, 'PATCH', `/api/users/${name}`, { token: admin, body: { disabled: true } })],
    ['password_reset', (name) => api(server, 'POST', `/api/users/${name}/password`, { token: admin, body: { password: 'a brand new passphrase 7' } })],
    ['role_changed', (name) => api(server, 'PATCH', `/api/users/${name}`, { token: admin, body: { role: 'client' } })],
    ['deleted', (name) => api(server, 'DELETE', `/api/users/${name}`, { token: admin })],
  ];

  it.each(everywhere)('%s: every socket of the user is told once, then closed; nobody else hears it', async (reason, act) => {
    const name = `u-${reason.replace('_', '-')}`;
    const user = await twoDevices(name);
    const bystander = watch(await connectAs(server, bystanderToken, 'staff', 'bea'));
    const adminSocket = watch(await connectAs(server, admin, 'admin', 'admin'));
    expect((await act(name)).status).toBeLessThan(300);
    const affected = [user.tabA1, user.tabA2, user.unverifiedA, user.tabB];
    await eventually(() => affected.every((s) => s.closed.length === 1));
    for (const s of affected) {
      expect(s.reasons).toEqual([{ reason }]);
      expect(s.closed).toEqual(['io server disconnect']);
    }
    // The same broadcast would have reached them by now.
    await roundTrip(bystander.socket);
    await roundTrip(adminSocket.socket);
    expect(bystander.reasons).toEqual([]);
    expect(adminSocket.reasons).toEqual([]);
  });

  it("disconnected: Disconnect ends that device's session (its tabs close, it must sign in again); the user's other device stays", async () => {
    const user = await twoDevices('dora');
    const bystander = watch(await connectAs(server, bystanderToken, 'staff', 'bea'));
    const socketId = user.tabA1.socket.id!;
    const kicked = await api(server, 'POST', `/api/admin/connections/${socketId}/disconnect`, { token: admin });
    expect(kicked.status).toBe(204);
    const deviceA = [user.tabA1, user.tabA2, user.unverifiedA];
    await eventually(() => deviceA.every((s) => s.closed.length === 1));
    for (const s of deviceA) {
      expect(s.reasons).toEqual([{ reason: 'disconnected' }]);
      expect(s.closed).toEqual(['io server disconnect']);
    }
    // Device B is untouched and still works; device A's session is over.
    await roundTrip(user.tabB.socket);
    await roundTrip(bystander.socket);
    expect(user.tabB.reasons).toEqual([]);
    expect(user.tabB.socket.connected).toBe(true);
    expect(bystander.reasons).toEqual([]);
    expect((await api(server, 'GET', '/api/session', { token: user.deviceB })).body).toMatchObject({ user: { username: 'dora' } });
    expect((await api(server, 'GET', '/api/session', { token: user.deviceA })).body).toMatchObject({ user: null });
    const again = await connect(server, { token: user.deviceA });
    expect(await request(again, 'verify_user', { user_type: 'staff', user_name: 'dora' })).toMatchObject({ ok: false });
    // Recorded as before.
    const audit = await api(server, 'GET', '/api/admin/audit?action=connection.kicked', { token: admin });
    expect(JSON.stringify(audit.body)).toContain(socketId);
  });

  it('disconnected: a socket without a session is told and closed, and may come back', async () => {
    const stranger = watch(await connect(server));
    const bystander = watch(await connectAs(server, bystanderToken, 'staff', 'bea'));
    expect((await api(server, 'POST', `/api/admin/connections/${stranger.socket.id}/disconnect`, { token: admin })).status).toBe(204);
    await eventually(() => stranger.closed.length === 1);
    expect(stranger.reasons).toEqual([{ reason: 'disconnected' }]);
    await roundTrip(bystander.socket);
    expect(bystander.reasons).toEqual([]);
    expect((await connect(server)).connected).toBe(true);
  });

  it("a user's own sign-out closes that session's sockets without a session_ended", async () => {
    const token = await createUser(server, admin, 'otto', 'staff');
    const tab = watch(await connectAs(server, token, 'staff', 'otto'));
    expect((await api(server, 'POST', '/api/auth/logout', { token })).status).toBeLessThan(300);
    await eventually(() => tab.closed.length === 1);
    expect(tab.reasons).toEqual([]);
  });
});
