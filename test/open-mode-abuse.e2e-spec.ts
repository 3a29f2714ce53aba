import { io, type Socket } from 'socket.io-client';
import { BareConnectionLimiter } from '../backend/src/rate-limit/bare-connection-limiter.service';
import { UnverifiedSocketLimiter } from '../backend/src/rate-limit/unverified-socket-limiter.service';
import { adminToken, api, closeAllClients, connect, createUser, type Json, request } from './support/clients';
import { eventually } from './support/eventually';
import { CapturedLog } from './support/captured-log';
import { startServer, type TestServer } from './support/server';

/** Issue 10, findings 5 (open-mode account spam) and 13 (unverified socket flood). */
describe('open-mode account spam (finding 5)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The documented default, stated so the figure in docs/security.md is the default's.
    server = await startServer({ PARLEY_AUTH: 'open', PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE: '10' });
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const accounts = async () => ((await api(server, 'GET', '/api/users', { token: await adminToken(server) })).body.users as Json[]).length;

  it('lets one address create 10 accounts a minute, however many sockets it uses; known names still verify', async () => {
    const before = await accounts();
    // The attack from the issue: 20 sockets from one address claiming new names as fast as they can.
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(server)));
    const acks = await Promise.all(
      sockets.flatMap((socket, s) =>
        Array.from({ length: 5 }, (_, i) => request(socket, 'verify_user', { user_type: 'client', user_name: `spam-${s}-${i}` })),
      ),
    );
    const codes = acks.map((ack) => (ack.ok ? 'OK' : ack.error.code));
    expect(codes.filter((code) => code === 'OK')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(90);
    expect(acks.find((ack) => !ack.ok)!.error.message).toMatch(/try again in \d+ s/);
    // Every refusal says when to retry, in milliseconds, like every RATE_LIMITED.
    for (const ack of acks.filter((a) => !a.ok)) expect(ack.error.retry_after_ms).toBeGreaterThan(0);
    expect(await accounts()).toBe(before + 10);

    // Names already created still verify: the limit is on new accounts only.
    const known = acks.findIndex((ack) => ack.ok);
    const name = `spam-${Math.floor(known / 5)}-${known % 5}`;
    const again = await connect(server);
    expect(await request(again, 'verify_user', { user_type: 'client', user_name: name })).toMatchObject({ ok: true });
    expect(await request(again, 'verify_user', { user_type: 'client', user_name: 'one-more-new-name' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
  });
});

describe('unverified socket flood (finding 13)', () => {
  const refusal = (server: TestServer) =>
    connect(server).then(
      () => null,
      (error: Error) => error.message,
    );

  describe('the per-address cap', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ PARLEY_UNVERIFIED_SOCKETS_PER_IP: '3', PARLEY_VERIFY_TIMEOUT_MS: '600000' });
    });
    afterEach(closeAllClients);
    afterAll(() => server.stop());

    it('refuses the handshake once an address holds the maximum unverified sockets, and frees a slot on verify or disconnect', async () => {
      const admin = await adminToken(server);
      const staff = await createUser(server, admin, 'sam', 'staff');
      // A socket with a session is still unverified until verify_user.
      const withSession = await connect(server, { token: staff });
      const idle = [await connect(server), await connect(server)];
      expect(await refusal(server)).toMatch(/Too many unverified connections from this address \(PARLEY_UNVERIFIED_SOCKETS_PER_IP\)/);

      expect(await request(withSession, 'verify_user', { user_type: 'staff', user_name: 'sam' })).toMatchObject({ ok: true });
      const third = await connect(server);
      expect(await refusal(server)).not.toBeNull();

      idle[0].disconnect();
      // The server frees the slot when it sees the disconnect, a moment after the client sends it.
      await eventually(() => server.app.get(UnverifiedSocketLimiter).heldBy('127.0.0.1') === 2);
      const replacement = await connect(server);
      expect(replacement.connected).toBe(true);
      expect(third.connected).toBe(true);
      // Verified sockets never count: the verified one still works.
      expect(await request(withSession, 'directory')).toMatchObject({ ok: true });
    });
  });

  describe('bare engine.io handshakes', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ PARLEY_UNVERIFIED_SOCKETS_PER_IP: '5', PARLEY_VERIFY_TIMEOUT_MS: '600000' });
    });
    afterEach(closeAllClients);
    afterAll(() => server.stop());

    /** One engine.io handshake that never joins the namespace: its session id, or null if refused. */
    const handshake = async () => {
      const response = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
      const body = await response.text();
      return response.status === 200 ? (JSON.parse(body.slice(1)) as { sid: string }).sid : null;
    };
    /** Closes a polling connection the way a client does: a close packet. */
    const close = (sid: string) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: '1' });

    it('refuses handshakes past the cap before any namespace is joined, and admits an honest client once they close', async () => {
      const sids = await Promise.all(Array.from({ length: 30 }, handshake));
      const accepted = sids.filter((sid): sid is string => sid !== null);
      expect(accepted).toHaveLength(5);
      const refused = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('PARLEY_UNVERIFIED_SOCKETS_PER_IP');
      expect(await refusal(server)).not.toBeNull();

      await Promise.all(accepted.map(close));
      await eventually(() => server.app.get(BareConnectionLimiter).heldBy('127.0.0.1') === 0);
      const honest = await connect(server);
      expect(honest.connected).toBe(true);
      // Joined: it counts as an unverified socket now, not as a bare connection.
      expect(server.app.get(BareConnectionLimiter).heldBy('127.0.0.1')).toBe(0);
      expect(server.app.get(UnverifiedSocketLimiter).heldBy('127.0.0.1')).toBe(1);
    });
    it('closes the connection of a socket that leaves the namespace, so join-then-leave cannot keep uncounted connections', async () => {
      const sid = (await handshake())!;
      const post = (body: string) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body });
      const poll = async () => (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`)).text();
      expect((await post('40')).status).toBe(200);
      expect(await poll()).toMatch(/^40/);
      await eventually(() => server.app.get(UnverifiedSocketLimiter).heldBy('127.0.0.1') === 1);
      expect((await post('41')).status).toBe(200);
      await eventually(() => server.app.get(UnverifiedSocketLimiter).heldBy('127.0.0.1') === 0);
      // The engine.io session is closed with it (counted nowhere, it must not stay open): the
      // next poll gets the close packet at once, rather than waiting for the next ping.
      const packets = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { signal: AbortSignal.timeout(3_000) })
        .then((response) => response.text())
        .catch(() => 'no answer');
      expect(packets.split('\x1e')).toContain('1');
      expect((await post('3')).status).toBe(400);
    });
  });

  describe('behind a trusted reverse proxy (PARLEY_TRUST_PROXY)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ PARLEY_TRUST_PROXY: 'loopback', PARLEY_UNVERIFIED_SOCKETS_PER_IP: '2', PARLEY_VERIFY_TIMEOUT_MS: '600000' });
    });
    afterAll(() => server.stop());

    /** A socket as nginx would pass it on: from 127.0.0.1, naming the client in X-Forwarded-For. */
    const via = (client: string) =>
      new Promise<string | null>((resolve) => {
        const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { 'x-forwarded-for': client } });
        opened.push(socket);
        socket.once('connect', () => resolve(null));
        socket.once('connect_error', (error) => resolve(error.message));
      });
    const opened: Socket[] = [];
    afterEach(() => opened.splice(0).forEach((socket) => socket.disconnect()));

    it('counts each client behind the proxy on its own, not the proxy', async () => {
      expect([await via('10.0.0.1'), await via('10.0.0.1')]).toEqual([null, null]);
      expect(await via('10.0.0.1')).toMatch(/PARLEY_UNVERIFIED_SOCKETS_PER_IP/);
      expect(await via('10.0.0.2')).toBeNull();
      expect(server.app.get(UnverifiedSocketLimiter).heldBy('10.0.0.1')).toBe(2);
    });
  });

  describe('the verify deadline', () => {
    const log = new CapturedLog();
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ PARLEY_AUTH: 'open', PARLEY_VERIFY_TIMEOUT_MS: '300' }, [], { log: { destination: log, level: 'warn' }, logger: undefined });
    });
    afterEach(closeAllClients);
    afterAll(() => server.stop());

    it('disconnects a socket that does not verify in time, with a logged reason, and leaves verified ones alone', async () => {
      const verified = await connect(server);
      expect(await request(verified, 'verify_user', { user_type: 'staff', user_name: 'vera' })).toMatchObject({ ok: true });
      const idle = await connect(server);
      const idleId = idle.id;
      const reason = await new Promise<string>((resolve) => idle.once('disconnect', resolve));
      expect(reason).toBe('io server disconnect');
      // The verified socket connected first: its deadline, had it kept one, would have passed too.
      expect(verified.connected).toBe(true);
      expect(await request(verified, 'directory')).toMatchObject({ ok: true });
      expect(log.lines()).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'Disconnected: did not verify within 300 ms (PARLEY_VERIFY_TIMEOUT_MS)', socketId: idleId }),
      );
    });
  });
});
