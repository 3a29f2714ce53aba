import { adminToken, closeAllClients, connect, connectAs, createUser, nextEvent, record, request, requestOk, roundTrip } from './support/clients';
import { eventually } from './support/eventually';
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
    const update = nextEvent(adminSocket, 'update_web_app', (p) => p.users[staffSocket.id!]?.Varification === 'VERIFIED');
    await request(staffSocket, 'verify_user', { user_type: 'staff', user_name: 'rita' });
    const payload = await update;
    expect(payload.message).toBe('USER CONNECTED');
    const users = payload.users;
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
    const notVerified = await nextEvent(adminSocket, 'update_web_app', (p) => Boolean(p.users[stranger.id!]));
    expect(notVerified.users[stranger.id!]).toMatchObject({
      Varification: 'NOT VERIFIED',
      user_type: 'NULL',
    });
    const refused = nextEvent(adminSocket, 'update_web_app', (p) => p.users[stranger.id!]?.Varification === 'NOT AUTHORISED');
    await request(stranger, 'verify_user', { user_type: 'admin', user_name: 'admin' });
    expect((await refused).users[stranger.id!]).toMatchObject({
      user_type: 'admin',
      user_name: 'admin',
    });
  });

  it('never reaches staff, clients or unverified sockets', async () => {
    // An admin for each form, so that both go out; one flush sends them together.
    await connectAs(server, admin, 'admin', 'admin');
    const witness = await connectAs(server, admin, 'admin', 'admin');
    await request(witness, 'roster', {});
    const diffs = record(witness, 'roster_diff');
    const staffSocket = await connectAs(server, staff, 'staff', 'rita');
    const clientSocket = await connectAs(server, client, 'client', 'carl');
    const stranger = await connect(server);
    const leaks = [staffSocket, clientSocket, stranger].flatMap((s) => [
      record(s, 'update_web_app'),
      record(s, 'roster_diff'),
    ]);
    await connect(server); // a roster change
    const last = await connectAs(server, staff, 'staff', 'rita');
    // Once the admin has the last change, any copy to the others was sent too.
    await eventually(() => diffs.some((d) => d.upserted.some((e) => e.socket_id === last.id && e.verification === 'VERIFIED')));
    await Promise.all([staffSocket, clientSocket, stranger].map(roundTrip));
    expect(leaks.flat()).toEqual([]);
    for (const socket of [staffSocket, clientSocket, stranger]) {
      const ack = await request(socket, 'roster', {});
      expect(ack).toMatchObject({ ok: false, error: { code: expect.stringMatching(/FORBIDDEN|NOT_VERIFIED/) } });
    }
  });

  it('gives a Parley admin a snapshot, then only diffs, and removes a socket on disconnect', async () => {
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const snapshot = await requestOk(adminSocket, 'roster', {});
    // From the ack on: a map flushed before the opt-in (this socket's own verification, the
    // last test's disconnects) arrives before the ack and is not what this checks.
    const legacy = record(adminSocket, 'update_web_app');
    const own = snapshot.connections.find((c) => c.socket_id === adminSocket.id);
    expect(own).toMatchObject({ user_name: 'admin', role: 'admin', verification: 'VERIFIED', ip: '127.0.0.1' });

    const diffs = record(adminSocket, 'roster_diff');
    const staffSocket = await connectAs(server, staff, 'staff', 'rita');
    await eventually(() =>
      diffs.some((d) => d.upserted.some((e) => e.socket_id === staffSocket.id && e.verification === 'VERIFIED')),
    );
    const staffId = staffSocket.id;
    staffSocket.disconnect();
    await eventually(() => diffs.some((d) => d.removed.includes(staffId!)));
    // Versions only grow, so a client can drop stale diffs.
    const versions = diffs.map((d) => d.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions[0]).toBeGreaterThan(snapshot.version);
    // After opting in, no more full maps: one would go out in the same flush as a diff, and
    // the last diff has come.
    await roundTrip(adminSocket);
    expect(legacy).toEqual([]);
  });

  // How many diffs a burst costs is a unit test (roster.service.spec.ts, fake timers).
  it('reports every socket of a burst of joins', async () => {
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    await request(adminSocket, 'roster', {});
    const diffs = record(adminSocket, 'roster_diff');
    const burst = await Promise.all(Array.from({ length: 40 }, () => connect(server)));
    const ids = new Set(burst.map((s) => s.id!));
    await eventually(() => {
      const seen = new Set(diffs.flatMap((d) => d.upserted.map((e) => e.socket_id)));
      return [...ids].every((id) => seen.has(id));
    });
    expect(diffs.length).toBeGreaterThan(0);
  });
});
