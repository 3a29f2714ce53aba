import { request as httpRequest } from 'node:http';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { MetricsServer } from '../backend/src/metrics/metrics-server.service';
import { createParleyApp } from '../backend/src/app.factory';
import { CapturedLog } from './support/captured-log';
import { adminToken, api, type ClientSocket, closeAllClients, type Json, request } from './support/clients';
import { cookieJar, type CookieJar } from './support/cookie-jar';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
}

/** One HTTP request with headers fetch() will not let a test choose (Host). */
function raw(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text.startsWith('{') ? (JSON.parse(text) as Json) : {} }),
      );
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Opens a websocket with the given handshake headers; resolves with how it ended. */
function handshake(server: TestServer, headers: Record<string, string>): Promise<'connected' | 'refused'> {
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: headers });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', () => {
      socket.disconnect();
      resolve('refused');
    });
  });
}

const loginBody = (username: string, password: string) => JSON.stringify({ username, password });

async function signIn(server: TestServer, jar: CookieJar = cookieJar()): Promise<CookieJar> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: jar.header(), 'x-xsrf-token': jar.get('XSRF-TOKEN') ?? '' },
    body: loginBody('admin', ADMIN_PASSWORD),
  });
  expect(response.status).toBe(200);
  jar.take(response.headers);
  return jar;
}

const whoIs = async (server: TestServer, jar: CookieJar) =>
  ((await (await fetch(`${server.url}/api/session`, { headers: { cookie: jar.header() } })).json()) as { user: Json | null }).user?.username ?? null;

describe('the HTTP and socket edge', () => {
  let server: TestServer;
  let origin: string;
  beforeAll(async () => {
    server = await startServer({ PARLEY_AUTH: 'open', PARLEY_ALLOWED_HOSTS: 'chat.example.lan' });
    origin = new URL(server.url).origin;
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  describe('Finding 2: login CSRF', () => {
    let attacker: string;
    beforeAll(async () => {
      const admin = await adminToken(server);
      await api(server, 'POST', '/api/users', { token: admin, body: { username: 'mallory', role: 'client', password: 'mallory-password' } });
      attacker = 'mallory';
    });

    it.each([
      ['application/x-www-form-urlencoded', `username=${'admin'}&password=${ADMIN_PASSWORD}`],
      ['text/plain', loginBody('admin', ADMIN_PASSWORD)],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nadmin\r\n--x--`],
    ])('refuses a %s sign-in with 415 and sets no session', async (type, body) => {
      const response = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('JSON') });
      expect(response.headers.getSetCookie().some((c) => c.startsWith('parley_session='))).toBe(false);
    });

    it.each([
      ['an Origin of another site', { origin: 'http://evil.example' }],
      ['an Origin of another port', { origin: 'http://127.0.0.1:1' }],
      ['a sandboxed page (Origin: null)', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ])('refuses a JSON sign-in with %s (403) and sets no session', async (_, headers) => {
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: loginBody(attacker, 'mallory-password'),
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ statusCode: 403, code: 'CROSS_SITE_REJECTED', message: expect.any(String) });
      expect(response.headers.getSetCookie().some((c) => c.startsWith('parley_session='))).toBe(false);
    });

    it("signs in from Parley's own page (same Origin, Sec-Fetch-Site: same-origin), and from scripts without either", async () => {
      const pages: Array<Record<string, string>> = [
        { origin, 'sec-fetch-site': 'same-origin' },
        { origin: 'http://chat.example.lan:8080', host: 'chat.example.lan:8080' },
        {},
      ];
      for (const headers of pages) {
        const response = await raw(server.url, '/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: loginBody(attacker, 'mallory-password'),
        });
        expect(response.status).toBe(200);
      }
    });

    it("a forged sign-in does not replace a signed-in admin's session, and a forged sign-out does not end it", async () => {
      const victim = await signIn(server);
      const forged = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        // What a form on evil.example sends, auto-submitted: the cookie is not sent cross-site,
        // but a Set-Cookie in the answer would be kept.
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
        body: 'username=mallory&password=mallory-password',
      });
      victim.take(forged.headers);
      expect(forged.status).toBe(403);
      expect(await whoIs(server, victim)).toBe('admin');
      const logout = await fetch(`${server.url}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: victim.header(), 'x-xsrf-token': victim.get('XSRF-TOKEN')!, origin: 'http://evil.example' },
      });
      expect(logout.status).toBe(403);
      expect(await whoIs(server, victim)).toBe('admin');
    });

    it('signs out from its own page without a body (what the web app sends)', async () => {
      const jar = await signIn(server);
      const response = await fetch(`${server.url}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: jar.header(), 'x-xsrf-token': jar.get('XSRF-TOKEN')!, origin, 'sec-fetch-site': 'same-origin' },
      });
      expect(response.status).toBe(204);
      jar.take(response.headers);
      expect(await whoIs(server, jar)).toBeNull();
    });
  });

  describe('Finding 3: DNS rebinding (the Host header)', () => {
    it.each(['evil.example:8080', 'evil.example', 'localhost.evil.example', 'chat.example.lan.evil.example'])(
      'refuses REST with Host %s: 421 naming PARLEY_ALLOWED_HOSTS',
      async (host) => {
        const response = await raw(server.url, '/api/session', { headers: { host } });
        expect(response.status).toBe(421);
        expect(response.body).toEqual({ statusCode: 421, code: 'HOST_NOT_ALLOWED', message: expect.stringContaining('PARLEY_ALLOWED_HOSTS') });
        // Not the web app either.
        expect((await raw(server.url, '/', { headers: { host } })).status).toBe(421);
      },
    );

    it.each(['localhost', 'LOCALHOST:8080', 'app.localhost:1', '127.0.0.1:9', '[::1]:8080', '192.168.1.20', hostname(), 'chat.example.lan', 'Chat.Example.Lan:443'])(
      'answers with Host %s',
      async (host) => {
        expect((await raw(server.url, '/api/session', { headers: { host } })).status).toBe(200);
      },
    );

    it('refuses the socket handshake of a rebound page (Host and Origin both evil.example), as staff or otherwise', async () => {
      expect(await handshake(server, { host: 'evil.example:8080', origin: 'http://evil.example:8080' })).toBe('refused');
      expect(await handshake(server, { host: 'evil.example:8080' })).toBe('refused');
      // Parley's own names still connect, and can verify (open mode).
      expect(await handshake(server, { host: 'chat.example.lan:8080', origin: 'http://chat.example.lan:8080' })).toBe('connected');
      const socket: ClientSocket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { host: `localhost:${new URL(server.url).port}` } });
      try {
        await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
        expect(await request(socket, 'verify_user', { user_type: 'staff', user_name: 'stu' })).toMatchObject({ ok: true });
      } finally {
        socket.disconnect();
      }
    });

    it('answers a refused socket handshake with a body naming PARLEY_ALLOWED_HOSTS (polling clients read it)', async () => {
      const refused = await raw(server.url, '/socket.io/?EIO=4&transport=polling', { headers: { host: 'evil.example:8080' } });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ message: expect.stringContaining('PARLEY_ALLOWED_HOSTS') });
      const port = new URL(server.url).port;
      expect((await raw(server.url, '/socket.io/?EIO=4&transport=polling', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    });

    it('takes PARLEY_PUBLIC_URL as a name and an origin, and PARLEY_ALLOWED_HOSTS=* turns the check off', async () => {
      const behindProxy = await startServer({ PARLEY_PUBLIC_URL: 'https://parley.example.org:8443' });
      const open = await startServer({ PARLEY_ALLOWED_HOSTS: '*' });
      try {
        const host = 'parley.example.org';
        expect((await raw(behindProxy.url, '/api/session', { headers: { host } })).status).toBe(200);
        // A proxy passing `Host: $host` drops the public port; the public origin still may write.
        const login = await raw(behindProxy.url, '/api/auth/login', {
          method: 'POST',
          headers: { host, origin: 'https://parley.example.org:8443', 'content-type': 'application/json' },
          body: loginBody('admin', ADMIN_PASSWORD),
        });
        expect(login.status).toBe(200);
        expect((await raw(behindProxy.url, '/api/session', { headers: { host: 'evil.example' } })).status).toBe(421);
        expect((await raw(open.url, '/api/session', { headers: { host: 'evil.example' } })).status).toBe(200);
      } finally {
        await behindProxy.stop();
        await open.stop();
      }
    });

    it('checks the Host on the metrics port too', async () => {
      const withMetrics = await startServer({ PARLEY_METRICS_PORT: '0', PARLEY_METRICS_HOST: '127.0.0.1' });
      try {
        const url = `http://127.0.0.1:${withMetrics.app.get(MetricsServer).address()!.port}`;
        expect((await raw(url, '/metrics')).status).toBe(200);
        const refused = await raw(url, '/metrics', { headers: { host: 'evil.example' } });
        expect(refused.status).toBe(421);
        expect(refused.body.code).toBe('HOST_NOT_ALLOWED');
      } finally {
        await withMetrics.stop();
      }
    });

    it.each([
      [{ PARLEY_PUBLIC_URL: 'ftp://parley.example.org' }, /PARLEY_PUBLIC_URL: must be an http/],
      [{ PARLEY_ALLOWED_HOSTS: 'http://chat.example.lan' }, /PARLEY_ALLOWED_HOSTS\.0: host names/],
      [{ PARLEY_ALLOWED_HOSTS: 'chat.example.lan:8080' }, /PARLEY_ALLOWED_HOSTS\.0: host names/],
    ])('refuses to start with %p', async (env, message) => {
      const sqlite = join(mkdtempSync(join(tmpdir(), 'parley-bad-env-')), 'parley.sqlite');
      await expect(createParleyApp({ env: { PARLEY_SQLITE_PATH: sqlite, ...env }, logger: false })).rejects.toThrow(message);
      rmSync(join(sqlite, '..'), { recursive: true, force: true });
    });
  });

  describe('Finding 10: CSRF tokens bound to the session, and only a working bearer token skips them', () => {
    const createUser = (jar: CookieJar, username: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header(), ...headers },
        body: JSON.stringify({ username, role: 'staff', password: 'quiet-harbor-lamp-42' }),
      });
    const exists = async (username: string) => {
      const users = (await api(server, 'GET', '/api/users', { token: await adminToken(server) })).body.users as Json[];
      return users.some((u) => u.username === username);
    };

    it('checks the cookie-authenticated write when the bearer token does not authenticate', async () => {
      const jar = await signIn(server);
      for (const [name, authorization] of [
        ['long-bearer', `Bearer ${'x'.repeat(300)}`],
        ['bogus-bearer', 'Bearer not-a-session-token'],
        ['empty-bearer', 'Bearer '],
      ]) {
        const response = await createUser(jar, name, { authorization });
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ code: 'CSRF_REJECTED' });
        expect(await exists(name)).toBe(false);
      }
    });

    it('skips the check when the bearer token is what authenticates', async () => {
      const jar = await signIn(server);
      const response = await createUser(jar, 'by-bearer-with-cookie', { authorization: `Bearer ${await adminToken(server)}` });
      expect(response.status).toBe(201);
    });

    it("refuses a token chosen by an attacker or another session's token", async () => {
      const jar = await signIn(server);
      const other = await signIn(server);
      expect(other.get('XSRF-TOKEN')).not.toBe(jar.get('XSRF-TOKEN'));
      // A cookie planted by a sibling host, echoed in the header: plain double submit accepts it.
      jar.set('XSRF-TOKEN', 'planted-by-the-attacker');
      expect((await createUser(jar, 'planted', { 'x-xsrf-token': 'planted-by-the-attacker' })).status).toBe(403);
      expect((await createUser(jar, 'planted', { 'x-xsrf-token': other.get('XSRF-TOKEN')! })).status).toBe(403);
      expect(await exists('planted')).toBe(false);
      // The next answer puts the session's own token back in the cookie.
      jar.take((await fetch(`${server.url}/api/session`, { headers: { cookie: jar.header() } })).headers);
      expect(jar.get('XSRF-TOKEN')).not.toBe('planted-by-the-attacker');
      expect((await createUser(jar, 'own-token', { 'x-xsrf-token': jar.get('XSRF-TOKEN')! })).status).toBe(201);
    });

    it('issues a new token with every sign-in, and keeps it valid across a restart (the key is in the database)', async () => {
      const jar = await signIn(server);
      const first = jar.get('XSRF-TOKEN');
      await signIn(server, jar);
      expect(jar.get('XSRF-TOKEN')).not.toBe(first);
      const restarting = await startServer();
      try {
        const kept = await signIn(restarting);
        await restarting.restart();
        const response = await fetch(`${restarting.url}/api/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: kept.header(), 'x-xsrf-token': kept.get('XSRF-TOKEN')! },
          body: JSON.stringify({ username: 'after-restart', role: 'staff', password: 'quiet-harbor-lamp-42' }),
        });
        expect(response.status).toBe(201);
      } finally {
        await restarting.stop();
      }
    });
  });

  describe('Finding 12: no caching of sign-in and user data', () => {
    it('sends Cache-Control: no-store on /api answers, refusals included', async () => {
      const token = await adminToken(server);
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: loginBody('admin', ADMIN_PASSWORD),
      });
      expect(login.headers.get('cache-control')).toBe('no-store');
      for (const path of ['/api/session', '/api/me', '/api/users', '/API/ME', '/api/nothing-here']) {
        const response = await api(server, 'GET', path, { token });
        expect([path, response.headers.get('cache-control')]).toEqual([path, 'no-store']);
      }
      expect((await raw(server.url, '/api/me', { headers: { host: 'evil.example' } })).headers['cache-control']).toBe('no-store');
    });
  });
});

describe('Finding 11: data files only for Parley', () => {
  const mode = (path: string) => statSync(path).mode & 0o777;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-modes-'));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the data folder 0700 and the database, WAL and SHM 0600', async () => {
    const file = join(dir, 'data', 'parley.sqlite');
    const server = await startServer({ PARLEY_SQLITE_PATH: file });
    try {
      await adminToken(server);
      expect(mode(join(dir, 'data'))).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, mode(path)]).toEqual([path, 0o600]);
    } finally {
      await server.stop();
    }
  });

  it('tightens looser modes at start, with a log line for each', async () => {
    const folder = join(dir, 'data');
    const file = join(folder, 'parley.sqlite');
    const log = new CapturedLog();
    const server = await startServer({ PARLEY_SQLITE_PATH: file }, [], { log: { destination: log, level: 'warn' } });
    try {
      await adminToken(server);
      chmodSync(folder, 0o755);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
      await server.restart();
      expect(mode(folder)).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, mode(path)]).toEqual([path, 0o600]);
      // SQLite removes the WAL and SHM files on a clean close and makes new ones with the
      // database file's mode, so only these two had to be changed.
      const fixed = log.lines().filter((line) => line.msg.startsWith('Made '));
      expect(fixed.map((line) => line.msg)).toEqual([`Made ${folder} private: mode 0755 → 0700`, `Made ${file} private: mode 0644 → 0600`]);
    } finally {
      await server.stop();
    }
  });

  it('leaves a folder shared with other files as it is, and says so', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not Parley’s');
    const file = join(dir, 'parley.sqlite');
    const log = new CapturedLog();
    const server = await startServer({ PARLEY_SQLITE_PATH: file }, [], { log: { destination: log, level: 'warn' } });
    try {
      expect(mode(dir)).toBe(0o755);
      expect(mode(file)).toBe(0o600);
      expect(log.text).toContain('give the database a folder of its own');
    } finally {
      await server.stop();
    }
  });
});
