import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';
import {
  api,
  type ClientSocket,
  closeAllClients,
  connectAs,
  createUser,
  login,
  nextEvent,
  request,
  roundTrip,
  sendWithoutAck,
} from './support/clients';
import { eventually } from './support/eventually';

/** The documented defaults (env.schema.ts), stated here so the test server uses them. */
const DEFAULT_LIMITS = {
  PARLEY_RATE_LIMIT_PER_SECOND: '20',
  PARLEY_RATE_LIMIT_BURST: '60',
  PARLEY_RATE_LIMIT_DISCONNECT_AFTER: '100',
  PARLEY_HTTP_RATE_LIMIT_PER_MINUTE: '600',
  PARLEY_LOGIN_LIMIT_PER_USER: '10',
  PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '100',
  PARLEY_LOGIN_LIMIT_PER_IP: '30',
};

describe('rate limits', () => {
  describe('socket events', () => {
    let server: TestServer;
    const tokens: Record<string, string> = {};

    beforeAll(async () => {
      // Logins are lifted here; only the socket limits are under test.
      server = await startServer({ ...DEFAULT_LIMITS, PARLEY_LOGIN_LIMIT_PER_IP: '1000', PARLEY_LOGIN_LIMIT_PER_USER: '1000' });
      const admin = await login(server, 'admin', ADMIN_PASSWORD);
      for (const name of ['flo', 'bea', 'bob', 'multi', 'rex']) tokens[name] = await createUser(server, admin, name, 'staff');
    });
    afterEach(closeAllClients);
    afterAll(() => server.stop());

    it('refuses a flooding socket with RATE_LIMITED, then disconnects it, while others chat on', async () => {
      const flooder = await connectAs(server, tokens.flo, 'staff', 'flo');
      const bea = await connectAs(server, tokens.bea, 'staff', 'bea');
      const bob = await connectAs(server, tokens.bob, 'staff', 'bob');
      const disconnected = new Promise<string>((resolve) => flooder.once('disconnect', resolve));
      const floodSeen: string[] = [];
      bea.on('message_from_user', (m) => {
        if (String(m.message).startsWith('flood ')) floodSeen.push(String(m.message));
      });

      // 300 sends at once: the burst (60) is admitted, then refusals until the 100th.
      const noAck = { ok: false, error: { code: 'NO_ACK', message: '' } } as const;
      // The bucket refills at 20/s meanwhile; on a slow run that admits one or two more.
      const floodStarted = Date.now();
      const acks = Array.from({ length: 300 }, (_, i) =>
        request(flooder, 'send_message', { message: `flood ${i}`, recipients: 'user:bea', client_id: `f${i}` }).catch(() => noAck),
      );
      // The bystanders talk while the flood is going on.
      const received = nextEvent(bob, 'message_from_user', (m) => m.message === 'still here');
      const sent = await request(bea, 'send_message', { message: 'still here', recipients: 'user:bob' });
      expect(sent.ok).toBe(true);
      await received;

      const results = await Promise.all(acks);
      const refilled = Math.ceil(((Date.now() - floodStarted) / 1000) * Number(DEFAULT_LIMITS.PARLEY_RATE_LIMIT_PER_SECOND));
      const codes = results.map((r) => (r.ok ? 'OK' : r.error.code));
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(99);
      // Past the threshold the server closes the socket: later sends never get an ack.
      expect(codes.at(-1)).toBe('NO_ACK');
      expect(await disconnected).toBe('io server disconnect');
      const limited = results.find((r) => !r.ok && r.error.code === 'RATE_LIMITED');
      expect(limited).toMatchObject({ error: { message: expect.stringMatching(/slow down|disconnecting/) } });
      // Every acknowledged flood message was stored and delivered, once. At most the burst
      // (less verify_user's token) and what refilled during the flood got through; admitted events still queued when the socket
      // closed were dropped unacknowledged, for the client to resend with the same client_id.
      const acked = results.flatMap((r, i) => (r.ok ? [`flood ${i}`] : []));
      await eventually(() => acked.every((text) => floodSeen.includes(text)));
      // Whatever else was delivered went out before now; the round trip brings it in.
      await roundTrip(bea);
      expect(floodSeen.length).toBeLessThanOrEqual(59 + refilled);
      expect(new Set(floodSeen).size).toBe(floodSeen.length);

      // The bystanders are unaffected afterwards too.
      const again = nextEvent(bea, 'message_from_user', (m) => m.message === 'and after');
      expect((await request(bob, 'send_message', { message: 'and after', recipients: 'user:bea' })).ok).toBe(true);
      await again;
    }, 20_000);

    it('answers an event without an ack callback with parley_error RATE_LIMITED', async () => {
      const socket = await connectAs(server, tokens.bob, 'staff', 'bob');
      const error = nextEvent(socket, 'parley_error', (e) => e.code === 'RATE_LIMITED');
      for (let i = 0; i < 70; i++) sendWithoutAck(socket, 'typing', { conversation: 'staff' });
      expect(await error).toMatchObject({ event: 'typing', code: 'RATE_LIMITED' });
    });

    it('counts edit_message, delete_message and react like any other event', async () => {
      const rex = await connectAs(server, tokens.rex, 'staff', 'rex');
      const sent = await request(rex, 'send_message', { message: 'to change', recipients: 'staff' });
      if (!sent.ok) throw new Error('not sent');
      // 70 changes at once: the burst (60, less verify_user and the send) is admitted, then refusals.
      const acks = await Promise.all(
        Array.from({ length: 70 }, (_, i) =>
          i % 3 === 0
            ? request(rex, 'edit_message', { id: sent.id, message: `change ${i}` })
            : i % 3 === 1
              ? request(rex, 'react', { id: sent.id, emoji: '👍', on: i % 2 === 0 })
              : request(rex, 'delete_message', { id: 999_999_999 }),
        ),
      );
      const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'RATE_LIMITED');
      expect(limited.length).toBeGreaterThanOrEqual(10);
      expect(limited[0]).toMatchObject({ error: { retry_after_ms: expect.any(Number) } });
    });

    it("limits one user's sockets together, each within its own burst", async () => {
      const sockets: ClientSocket[] = [];
      for (let i = 0; i < 4; i++) sockets.push(await connectAs(server, tokens.multi, 'staff', 'multi'));
      // 4 × 55 = 220 events: every socket is under its burst of 60, the account's is 180.
      const acks = await Promise.all(
        sockets.flatMap((socket) => Array.from({ length: 55 }, () => request(socket, 'typing', { conversation: 'staff' }))),
      );
      const limited = acks.filter((ack) => !ack.ok && ack.error.code === 'RATE_LIMITED').length;
      expect(limited).toBeGreaterThan(0);
      expect(acks.filter((ack) => ack.ok).length).toBeGreaterThanOrEqual(180 - 4 * 4); // verify_user took 4
    });
  });

  describe('reads', () => {
    let server: TestServer;

    beforeAll(async () => {
      // A slow refill (1 token a second), so only the burst is measured.
      server = await startServer({ ...DEFAULT_LIMITS, PARLEY_RATE_LIMIT_PER_SECOND: '1' });
    });
    afterEach(closeAllClients);
    afterAll(() => server.stop());

    it('charges a read (sync, history, conversations, directory, search) 10 tokens, a small event 1', async () => {
      const token = await createUser(server, await login(server, 'admin', ADMIN_PASSWORD), 'reader', 'staff');
      const socket = await connectAs(server, token, 'staff', 'reader');
      // The burst of 60, less verify_user's token: 5 reads, then 9 tokens left.
      const reads: string[] = [];
      const kinds = [
        () => request(socket, 'sync', { since: 0 }),
        () => request(socket, 'history', { conversation: 'staff' }),
        () => request(socket, 'conversations', {}),
        () => request(socket, 'directory', {}),
        () => request(socket, 'search', { q: 'anything' }),
      ];
      for (let i = 0; i < 6; i++) {
        const ack = await kinds[i % kinds.length]();
        reads.push(ack.ok ? 'OK' : ack.error.code);
      }
      expect(reads).toEqual([...Array(5).fill('OK'), 'RATE_LIMITED']);
      // What is left still admits small events.
      expect((await request(socket, 'typing', { conversation: 'staff' })).ok).toBe(true);
    });
  });

  describe('REST', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startServer(DEFAULT_LIMITS);
    });
    afterAll(() => server.stop());

    it('limits sign-in attempts per user name from one address, with 429, RATE_LIMITED and Retry-After', async () => {
      const attempts = [];
      for (let i = 0; i < 11; i++) {
        attempts.push(await api(server, 'POST', '/api/auth/login', { body: { username: 'admin', password: `guess-${i}` } }));
      }
      expect(attempts.slice(0, 10).map((a) => a.status)).toEqual(Array(10).fill(401));
      const refused = attempts[10];
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      expect(refused.body.message).toMatch(/Too many sign-in attempts; try again in \d+ s/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Even the right password is refused from this address until the window passes: guessing
      // cannot race it. Other spellings of the name are the same name.
      for (const username of ['ADMIN', 'admin ']) {
        const right = await api(server, 'POST', '/api/auth/login', { body: { username, password: ADMIN_PASSWORD } });
        expect(right.status).toBe(429);
      }
    });

    it('limits sign-in attempts per IP address across user names', async () => {
      // The 13 attempts on "admin" above count against this address too (30 per minute).
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push((await api(server, 'POST', '/api/auth/login', { body: { username: `nobody-${i}`, password: 'whatever1' } })).status);
      }
      expect(statuses).toEqual([...Array(17).fill(401), 429, 429, 429]);
    });

    it('limits every REST request per IP address', async () => {
      const small = await startServer({ ...DEFAULT_LIMITS, PARLEY_HTTP_RATE_LIMIT_PER_MINUTE: '5' });
      try {
        const statuses = [];
        for (let i = 0; i < 6; i++) statuses.push((await api(small, 'GET', '/api/session')).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
        const refused = await api(small, 'GET', '/api/session');
        expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/Too many requests/) });
      } finally {
        await small.stop();
      }
    });
  });

  describe('behind a reverse proxy', () => {
    const attempts = async (server: TestServer, forwardedFor: string, count: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++) {
        const response = await api(server, 'POST', '/api/auth/login', {
          body: { username: `someone-${forwardedFor}-${i}`, password: 'whatever1' },
          headers: { 'x-forwarded-for': forwardedFor },
        });
        statuses.push(response.status);
      }
      return statuses;
    };

    it('counts per client address from X-Forwarded-For when the proxy is trusted (PARLEY_TRUST_PROXY)', async () => {
      const server = await startServer({ ...DEFAULT_LIMITS, PARLEY_LOGIN_LIMIT_PER_IP: '3', PARLEY_TRUST_PROXY: 'loopback' });
      try {
        expect(await attempts(server, '10.0.0.1', 4)).toEqual([401, 401, 401, 429]);
        // Another client behind the same proxy is not blocked by the first one.
        expect(await attempts(server, '10.0.0.2', 1)).toEqual([401]);
      } finally {
        await server.stop();
      }
    });

    it("does not let a stranger's failures lock a user out (issue 10, finding 4)", async () => {
      const server = await startServer({ ...DEFAULT_LIMITS, PARLEY_TRUST_PROXY: 'loopback' });
      const signIn = (from: string, username: string, password: string) =>
        api(server, 'POST', '/api/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': from } });
      try {
        // The admin signed in from their desk before.
        expect((await signIn('10.0.0.1', 'admin', ADMIN_PASSWORD)).status).toBe(200);
        // An attacker fails 30 times, spelling the name three ways: after 10, that address is refused.
        const attacker: number[] = [];
        for (let i = 0; i < 30; i++) attacker.push((await signIn('10.6.6.6', ['admin', 'ADMIN', 'admin '][i % 3], `guess-${i}`)).status);
        expect(attacker).toEqual([...Array(10).fill(401), ...Array(20).fill(429)]);
        expect((await signIn('10.6.6.6', 'admin', ADMIN_PASSWORD)).status).toBe(429);
        // The admin still signs in from their desk, and from an address new to them.
        expect((await signIn('10.0.0.1', 'admin', ADMIN_PASSWORD)).status).toBe(200);
        expect((await signIn('10.0.0.2', 'admin', ADMIN_PASSWORD)).status).toBe(200);
      } finally {
        await server.stop();
      }
    });

    it('slows guessing one account from many addresses, but not at addresses it signed in from', async () => {
      const server = await startServer({ ...DEFAULT_LIMITS, PARLEY_TRUST_PROXY: 'loopback', PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '20' });
      const signIn = (from: string, password: string) =>
        api(server, 'POST', '/api/auth/login', { body: { username: 'admin', password }, headers: { 'x-forwarded-for': from } });
      try {
        expect((await signIn('10.0.0.1', ADMIN_PASSWORD)).status).toBe(200);
        // Twenty addresses, one guess each: 20 failures from addresses new to admin (one address
        // may spend at most a tenth of the budget; see test/login-lockout.e2e-spec.ts).
        for (let i = 0; i < 20; i++) expect((await signIn(`10.6.6.${i}`, `guess-${i}`)).status).toBe(401);
        const refused = await signIn('10.7.7.7', ADMIN_PASSWORD);
        expect(refused).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
        expect((await signIn('10.0.0.1', ADMIN_PASSWORD)).status).toBe(200);
      } finally {
        await server.stop();
      }
    });

    it('ignores X-Forwarded-For from an untrusted peer (a client cannot choose its address)', async () => {
      const server = await startServer({ ...DEFAULT_LIMITS, PARLEY_LOGIN_LIMIT_PER_IP: '3' });
      try {
        expect(await attempts(server, '10.0.0.1', 3)).toEqual([401, 401, 401]);
        expect(await attempts(server, '10.0.0.2', 1)).toEqual([429]);
      } finally {
        await server.stop();
      }
    });
  });
});
