import {
  adminToken,
  closeAllClients,
  connect,
  connectAs,
  createUser,
  emitAck,
  eventually,
  nextEvent,
  record,
  settle,
  type Json,
} from './support/clients';
import { startServer, type TestServer } from './support/server';

describe('the admin roster', () => {
  let server: TestServer;
  let admin: string;
  let staff: string;
  let client: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
    staff = await createUser(server, admin, 'rita', 'staff');
    client = await createUser(server, admin, 'carl', 'client');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('sends the prototype update_web_app map, with its field names and spelling, to admins', async () => {
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const staffSocket = await connect(server, { token: staff });
    const update = nextEvent<Json>(adminSocket, 'update_web_app', (p) => {
      const users = p.users as Record<string, Json>;
      return users[staffSocket.id!]?.Varification === 'VERIFIED';
    });
    await emitAck(staffSocket, 'verify_user', { user_type: 'staff', user_name: 'rita' });
    const payload = await update;
    expect(payload.message).toBe('USER CONNECTED');
    const users = payload.users as Record<string, Json>;
    expect(users[staffSocket.id!]).toEqual({
      IP: '127.0.0.1',
      Connected_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      Varification: 'VERIFIED',
      user_type: 'staff',
      user_name: 'rita',
    });
    expect(users[adminSocket.id!]).toMatchObject({ Varification: 'VERIFIED', user_type: 'admin' });
  });

  it('shows unverified and refused sockets as the prototype did', async () => {
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const stranger = await connect(server);
    const notVerified = await nextEvent<Json>(adminSocket, 'update_web_app', (p) =>
      Boolean((p.users as Record<string, Json>)[stranger.id!]),
    );
    expect((notVerified.users as Record<string, Json>)[stranger.id!]).toMatchObject({
      Varification: 'NOT VERIFIED',
      user_type: 'NULL',
    });
    const refused = nextEvent<Json>(adminSocket, 'update_web_app', (p) =>
      (p.users as Record<string, Json>)[stranger.id!]?.Varification === 'NOT AUTHORISED',
    );
    await emitAck(stranger, 'verify_user', { user_type: 'admin', user_name: 'admin' });
    expect(((await refused).users as Record<string, Json>)[stranger.id!]).toMatchObject({
      user_type: 'admin',
      user_name: 'admin',
    });
  });

  it('never reaches staff, clients or unverified sockets', async () => {
    const staffSocket = await connectAs(server, staff, 'staff', 'rita');
    const clientSocket = await connectAs(server, client, 'client', 'carl');
    const stranger = await connect(server);
    const leaks = [staffSocket, clientSocket, stranger].flatMap((s) => [
      record(s, 'update_web_app'),
      record(s, 'roster_diff'),
    ]);
    await connect(server); // a roster change
    await connectAs(server, staff, 'staff', 'rita');
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([staffSocket, clientSocket, stranger].map(settle));
    expect(leaks.flat()).toEqual([]);
    for (const socket of [staffSocket, clientSocket, stranger]) {
      const ack = await emitAck(socket, 'roster', {});
      expect(ack.ok).toBe(false);
      expect((ack.error as Json).code).toMatch(/FORBIDDEN|NOT_VERIFIED/);
    }
  });

  it('gives a Parley admin a snapshot, then only diffs, and removes a socket on disconnect', async () => {
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const legacy = record(adminSocket, 'update_web_app');
    const snapshot = await emitAck<Json>(adminSocket, 'roster', {});
    expect(snapshot.ok).toBe(true);
    const own = (snapshot.connections as Json[]).find((c) => c.socket_id === adminSocket.id);
    expect(own).toMatchObject({ user_name: 'admin', role: 'admin', verification: 'VERIFIED', ip: '127.0.0.1' });

    const diffs = record<Json>(adminSocket, 'roster_diff');
    const staffSocket = await connectAs(server, staff, 'staff', 'rita');
    await eventually(() =>
      diffs.some((d) => (d.upserted as Json[]).some((e) => e.socket_id === staffSocket.id && e.verification === 'VERIFIED')),
    );
    const staffId = staffSocket.id;
    staffSocket.disconnect();
    await eventually(() => diffs.some((d) => (d.removed as string[]).includes(staffId!)));
    // Versions only grow, so a client can drop stale diffs.
    const versions = diffs.map((d) => d.version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThan(snapshot.version as number);
    // After opting in, no more full maps.
    await settle(adminSocket);
    expect(legacy).toEqual([]);
  });

  // How many diffs a burst costs is a unit test (roster.service.spec.ts, fake timers).
  it('reports every socket of a burst of joins', async () => {
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    await emitAck(adminSocket, 'roster', {});
    const diffs = record<Json>(adminSocket, 'roster_diff');
    const burst = await Promise.all(Array.from({ length: 40 }, () => connect(server)));
    const ids = new Set(burst.map((s) => s.id));
    await eventually(() => {
      const seen = new Set(diffs.flatMap((d) => (d.upserted as Json[]).map((e) => e.socket_id)));
      return [...ids].every((id) => seen.has(id));
    });
    expect(diffs.length).toBeGreaterThan(0);
  });
});
