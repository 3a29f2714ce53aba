import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';
import { api, login } from './support/clients';
import { cookieJar, type CookieJar } from './support/cookie-jar';

/**
 * Issue 10, finding 4: a stranger sharing the user's address (NAT, guest Wi-Fi, a proxy that is
 * not trusted) must not be able to lock the user out. Every request here comes from 127.0.0.1.
 */
const LIMITS = {
  PARLEY_LOGIN_LIMIT_PER_USER: '10',
  PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '100',
  // The limit across names is not under test here; these tests make more than 30 attempts.
  PARLEY_LOGIN_LIMIT_PER_IP: '1000',
};

const passwordOf = (username: string) => `${username}-passphrase-9`;

/** A sign-in as a browser would send it: with the jar's cookies, keeping what it sets. */
async function signInAt(target: TestServer, username: string, password: string, jar?: CookieJar, headers: Record<string, string> = {}) {
  const cookies: Record<string, string> = jar ? { cookie: jar.header(), 'x-xsrf-token': jar.get('XSRF-TOKEN') ?? '' } : {};
  const response = await api(target, 'POST', '/api/auth/login', { body: { username, password }, headers: { ...cookies, ...headers } });
  jar?.take(response.headers);
  return response.status;
}

describe('sign-in limits a stranger cannot turn against the user (device cookies)', () => {
  let server: TestServer;
  let admin: string;

  const signIn = (username: string, password: string, jar?: CookieJar, headers: Record<string, string> = {}) =>
    signInAt(server, username, password, jar, headers);
  /** A stranger without cookies guessing `username`, spelling it three ways. */
  const strangerGuesses = async (username: string, count: number, headers: Record<string, string> = {}) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      statuses.push(await signIn([username, username.toUpperCase(), `${username} `][i % 3], `guess-${i}-wrong`, undefined, headers));
    }
    return statuses;
  };
  const newUser = async (username: string) => {
    const created = await api(server, 'POST', '/api/users', { token: admin, body: { username, role: 'staff', password: passwordOf(username) } });
    expect(created.status).toBe(201);
  };

  beforeAll(async () => {
    server = await startServer(LIMITS);
    admin = await login(server, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => server.stop());

  it('sets an httpOnly, SameSite=Strict, long-lived parley_device cookie at sign-in', async () => {
    const response = await api(server, 'POST', '/api/auth/login', { body: { username: 'ADMIN ', password: ADMIN_PASSWORD } });
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('parley_device='));
    expect(cookie).toMatch(/^parley_device=admin\.[\w-]{22}\.[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie!)![1]);
    expect(expires - Date.now()).toBeGreaterThan(300 * 24 * 3_600_000);
  });

  it("does not let a stranger at the user's own address lock them out of a browser they signed in from", async () => {
    await newUser('desk');
    const browser = cookieJar();
    expect(await signIn('desk', passwordOf('desk'), browser)).toBe(200);
    expect(browser.get('parley_device')).toBeDefined();
    // Ten wrong guesses from the same address, then it is refused: guessing stays slow.
    expect(await strangerGuesses('desk', 12)).toEqual([...Array(10).fill(401), 429, 429]);
    expect(await signIn('desk', passwordOf('desk'))).toBe(429);
    // The user's browser carries its device cookie: not refused, and signs in.
    expect(await signIn('desk', passwordOf('desk'), browser)).toBe(200);
    expect(await signIn('desk', passwordOf('desk'), browser)).toBe(200);
  });

  it("gives no exemption for a forged cookie or another user's", async () => {
    await newUser('erin');
    await newUser('fay');
    const erins = cookieJar();
    const fays = cookieJar();
    expect(await signIn('erin', passwordOf('erin'), erins)).toBe(200);
    expect(await signIn('fay', passwordOf('fay'), fays)).toBe(200);
    expect(await strangerGuesses('erin', 10)).toEqual(Array(10).fill(401));

    const [, nonce, mac] = fays.get('parley_device')!.split('.');
    const forgeries = [
      fays.get('parley_device')!, // fay's own cookie, presented for erin
      `erin.${nonce}.${mac}`, // fay's nonce and MAC under erin's name
      `erin.${nonce}.${'A'.repeat(43)}`, // a MAC made up
      erins.get('parley_device')!.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A')), // erin's, altered
    ];
    for (const forged of forgeries) {
      const jar = cookieJar();
      jar.set('parley_device', forged);
      expect(await signIn('erin', passwordOf('erin'), jar)).toBe(429);
    }
    expect(await signIn('erin', passwordOf('erin'), erins)).toBe(200);
  });

  it("limits a device cookie's own failures (a stolen cookie cannot brute-force), apart from the address's", async () => {
    await newUser('gus');
    const browser = cookieJar();
    expect(await signIn('gus', passwordOf('gus'), browser)).toBe(200);
    const withCookie: number[] = [];
    for (let i = 0; i < 11; i++) withCookie.push(await signIn('gus', `guess-${i}-wrong`, browser));
    expect(withCookie).toEqual([...Array(10).fill(401), 429]);
    expect(await signIn('gus', passwordOf('gus'), browser)).toBe(429);
    // Those failures were the device's only: the address without the cookie is not refused.
    expect(await signIn('gus', passwordOf('gus'))).toBe(200);
  });

  it('keeps a bearer client (no cookies) at the address it signed in from, as before', async () => {
    await newUser('script');
    expect(await signIn('script', passwordOf('script'))).toBe(200);
    expect(await strangerGuesses('script', 11)).toEqual([...Array(10).fill(401), 429]);
    expect(await signIn('script', passwordOf('script'))).toBe(429);
  });

  it("exempts the user's browser from the per-address limit across names, too", async () => {
    const strict = await startServer({ ...LIMITS, PARLEY_LOGIN_LIMIT_PER_IP: '5' });
    try {
      const attempt = (username: string, password: string, jar?: CookieJar) => signInAt(strict, username, password, jar);
      const browser = cookieJar();
      expect(await attempt('admin', ADMIN_PASSWORD, browser)).toBe(200);
      // With that sign-in, a stranger's four names at the same address make five: the address is
      // refused for everyone...
      for (let i = 0; i < 4; i++) expect(await attempt(`name-${i}`, 'guess-wrong-1')).toBe(401);
      expect(await attempt('admin', ADMIN_PASSWORD)).toBe(429);
      // ...except a browser carrying a device cookie for the name it signs in as.
      expect(await attempt('admin', ADMIN_PASSWORD, browser)).toBe(200);
      expect(await attempt('someone-else', ADMIN_PASSWORD, browser)).toBe(429);
    } finally {
      await strict.stop();
    }
  });

  describe('behind a trusted proxy, from many addresses', () => {
    let proxied: TestServer;
    beforeAll(async () => {
      // An account budget of 10 for new addresses: one address may spend at most 1 of it.
      proxied = await startServer({ ...LIMITS, PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '10', PARLEY_TRUST_PROXY: 'loopback' });
    });
    afterAll(() => proxied.stop());
    const from = (address: string, password: string) =>
      api(proxied, 'POST', '/api/auth/login', { body: { username: 'admin', password }, headers: { 'x-forwarded-for': address } });

    it('does not let one address use up the per-account budget for new addresses', async () => {
      const attacker: number[] = [];
      for (let i = 0; i < 11; i++) attacker.push((await from('10.6.6.6', `guess-${i}-wrong`)).status);
      // Its one share spent, the address waits for the account window: no free guessing at the
      // per-minute rate either.
      expect(attacker).toEqual([401, ...Array(10).fill(429)]);
      // The admin, at an address new to them, still signs in.
      expect((await from('10.0.0.2', ADMIN_PASSWORD)).status).toBe(200);
      // Ten addresses together do use it up (guessing spread wide still slows down)...
      for (let i = 0; i < 9; i++) expect((await from(`10.7.7.${i}`, `guess-${i}-wrong`)).status).toBe(401);
      expect((await from('10.0.0.3', ADMIN_PASSWORD)).status).toBe(429);
      // ...but not for an address the admin signed in from.
      expect((await from('10.0.0.2', ADMIN_PASSWORD)).status).toBe(200);
    });
  });
});
