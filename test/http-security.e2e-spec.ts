import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { createParleyApp } from '../backend/src/app.factory';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';
import { api, type ClientSocket, closeAllClients, login, type Json, request } from './support/clients';
import { cookieJar } from './support/cookie-jar';

describe('HTTP hardening', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it.each(['/', '/api/session', '/admin/someone'])('sends security headers on %s', async (path) => {
    const response = await fetch(`${server.url}${path}`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Plain http on a LAN: nothing may send browsers to an https that is not there.
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps CORS closed: another origin gets no Access-Control-Allow-Origin', async () => {
    const preflight = await fetch(`${server.url}/api/users`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${server.url}/api/session`, { headers: { origin: 'http://evil.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('CSRF for cookie-authenticated writes', () => {
    const signIn = async () => {
      const jar = cookieJar();
      const first = await fetch(`${server.url}/api/session`);
      jar.take(first.headers);
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header() },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      expect(response.status).toBe(200);
      jar.take(response.headers);
      expect(jar.get('parley_session')).toBeDefined();
      expect(jar.get('XSRF-TOKEN')).toMatch(/^[\w-]{20,}$/);
      return jar;
    };
    const createUser = (jar: ReturnType<typeof cookieJar>, username: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header(), ...headers },
        body: JSON.stringify({ username, role: 'staff', password: 'staff-passphrase-9' }),
      });

    it('sets a readable XSRF-TOKEN cookie at sign-in (Angular HttpClient echoes it as X-XSRF-TOKEN)', async () => {
      const response = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const line = response.headers.getSetCookie().find((c) => c.startsWith('XSRF-TOKEN='))!;
      expect(line).toMatch(/SameSite=Strict/i);
      expect(line).not.toMatch(/HttpOnly/i);
    });

    it('refuses a write that carries the session cookie but not the token, and does nothing', async () => {
      const jar = await signIn();
      const forged = await createUser(jar, 'forged');
      expect(forged.status).toBe(403);
      expect(await forged.json()).toMatchObject({ statusCode: 403, code: 'CSRF_REJECTED' });
      const wrong = await createUser(jar, 'forged', { 'x-xsrf-token': 'not-the-token' });
      expect(wrong.status).toBe(403);
      // Express routes ignore case; the check must not.
      const upper = await fetch(`${server.url}/API/USERS`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: jar.header() },
        body: JSON.stringify({ username: 'forged', role: 'staff', password: 'staff-passphrase-9' }),
      });
      expect(upper.status).toBe(403);
      const admin = await login(server, 'admin', ADMIN_PASSWORD);
      const users = (await api(server, 'GET', '/api/users', { token: admin })).body.users as Json[];
      expect(users.map((u) => u.username)).not.toContain('forged');
      // A forged sign-out does not end the session either.
      const logout = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: jar.header() } });
      expect(logout.status).toBe(403);
      const me = await fetch(`${server.url}/api/me`, { headers: { cookie: jar.header() } });
      expect(me.status).toBe(200);
    });

    it('accepts the write with the token echoed in the header', async () => {
      const jar = await signIn();
      const response = await createUser(jar, 'with-token', { 'x-xsrf-token': jar.get('XSRF-TOKEN')! });
      expect(response.status).toBe(201);
    });

    it('does not ask bearer-token clients for it (no ambient credential)', async () => {
      const token = await login(server, 'admin', ADMIN_PASSWORD);
      const response = await api(server, 'POST', '/api/users', {
        token,
        body: { username: 'by-bearer', role: 'client', password: 'staff-passphrase-9' },
      });
      expect(response.status).toBe(201);
    });
  });
});

describe('TLS (PARLEY_TLS_CERT / PARLEY_TLS_KEY)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let server: TestServer;
  let ca: string;

  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-keyout', key, '-out', cert, '-subj', '/CN=parley-test', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'ignore' });
    ca = readFileSync(cert, 'utf8');
    server = await startServer({ PARLEY_TLS_CERT: cert, PARLEY_TLS_KEY: key, PARLEY_AUTH: 'open' });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, body?: unknown) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const request = httpsRequest(`${server.url}${path}`, { ca, method: body ? 'POST' : 'GET', headers: body ? { 'content-type': 'application/json' } : {} }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      });
      request.on('error', reject);
      request.end(body ? JSON.stringify(body) : undefined);
    });

  it('serves HTTPS with HSTS, and Secure cookies', async () => {
    expect(server.url).toMatch(/^https:/);
    const page = await get('/api/session');
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(String(page.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    const signedIn = await get('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(signedIn.status).toBe(200);
    const cookies = signedIn.headers['set-cookie'] as string[];
    expect(cookies.find((c) => c.startsWith('parley_session='))).toMatch(/; Secure/i);
  });

  it('serves socket.io over WSS on the same port', async () => {
    const socket: ClientSocket = io(server.url, { ca, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const ack = await request(socket, 'verify_user', { user_type: 'staff', user_name: 'tls-user' });
    expect(ack).toMatchObject({ ok: true, user: { username: 'tls-user' } });
    socket.disconnect();
  });

  it('sends plain http on the same port to https, and hands out no CA (it is not its own)', async () => {
    const plain = (path: string) =>
      new Promise<{ status: number; location?: string }>((resolve, reject) => {
        httpGet(`${server.url.replace('https:', 'http:')}${path}`, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, location: response.headers.location });
        }).on('error', reject);
      });
    expect(await plain('/api/session')).toEqual({ status: 308, location: `${server.url}/api/session` });
    expect((await plain('/ca.crt')).status).toBe(308);
    expect((await get('/ca.crt')).status).toBe(404);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(fetch(`${server.url}/api/session`)).rejects.toThrow();
  });

  it.each([
    [{ PARLEY_TLS_CERT: 'x' }, /PARLEY_TLS_KEY: set both/],
    [{ PARLEY_TLS_KEY: 'x' }, /PARLEY_TLS_CERT: set both/],
    [{ PARLEY_TLS_CERT: '/nonexistent/cert.pem', PARLEY_TLS_KEY: '/nonexistent/key.pem' }, /PARLEY_TLS_CERT: cannot read \/nonexistent\/cert.pem \(ENOENT\)/],
  ])('refuses to start with %p', async (env, message) => {
    await expect(createParleyApp({ env: { PARLEY_SQLITE_PATH: join(dir, 'bad.sqlite'), ...env }, logger: false })).rejects.toThrow(message);
  });
});
