import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ErrorCodes } from '@parley/contract';
import { adminToken, api, closeAllClients, connectAs, createUser, login, nextEvent, type Json } from './support/clients';
import { CapturedLog } from './support/captured-log';
import { cookieJar, type CookieJar } from './support/cookie-jar';
import { encodeSegment, hostileString } from './support/fuzz-arbitraries';
import {
  OIDC_GROUPS,
  OIDC_PEOPLE,
  answerAtProvider,
  followCallback,
  oidcEnv,
  signInWithProvider,
  startOidcProvider,
  startSignIn,
  type OidcTestProvider,
} from './support/oidc-provider';
import { startServer, type TestServer } from './support/server';

/**
 * Issue 17, single sign-on: Parley signs people in with a real OpenID provider (oidc-provider
 * on 127.0.0.1), through its real login and consent pages, with the authorization code flow and
 * PKCE. Accounts, roles and refusals as the sign-in page and the admin see them.
 */
describe('single sign-on (OpenID Connect)', () => {
  let provider: OidcTestProvider;
  let server: TestServer;
  let admin: string;
  const log = new CapturedLog();

  beforeAll(async () => {
    provider = await startOidcProvider();
    server = await startServer(oidcEnv(provider), [], { log: { destination: log }, logger: undefined });
    provider.allowParley(server.url);
    admin = await adminToken(server);
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await server.stop();
    await provider.stop();
  });

  /** The session token a browser got (its httpOnly cookie), to use as a bearer token. */
  const sessionOf = (jar: CookieJar) => jar.get('parley_session')!;
  const me = (jar: CookieJar) => api(server, 'GET', '/api/me', { headers: { cookie: jar.header() } });
  const account = async (username: string) =>
    ((await api(server, 'GET', `/api/users?q=${username}`, { token: admin })).body.users as Json[]).find((user) => user.username === username);
  const loggedReasons = () => log.lines().filter((line) => line.msg.startsWith('Single sign-on refused')).map((line) => line.msg);

  it('offers the provider on the sign-in page', async () => {
    expect((await api(server, 'GET', '/api/auth/methods')).body).toEqual({
      password: true,
      directory: false,
      sso: { name: 'Test Provider', start_url: '/api/auth/oidc/start' },
    });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, remembered in a short-lived cookie', async () => {
    const jar = cookieJar();
    const response = await fetch(`${server.url}/api/auth/oidc/start`, { redirect: 'manual' });
    jar.take(response.headers);
    expect(response.status).toBe(302);
    const to = new URL(response.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(Object.fromEntries(to.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'parley',
      redirect_uri: `${server.url}/api/auth/oidc/callback`,
      scope: 'openid profile groups',
      state: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('parley_oidc='))!;
    expect(cookie).toMatch(/; Max-Age=600;/);
    expect(cookie).toMatch(/; Path=\/api\/auth\/oidc;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    // The verifier stays in the browser's cookie; the provider sees only its hash.
    const [state, nonce, verifier] = jar.get('parley_oidc')!.split('.');
    expect([state, nonce]).toEqual([to.searchParams.get('state'), to.searchParams.get('nonce')]);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(to.searchParams.get('code_challenge'));
  });

  it('signs a staff member in through the provider: their home page, a working session, an oidc account', async () => {
    const { location, jar } = await signInWithProvider(server.url, OIDC_PEOPLE.staff.sub);
    expect(location).toBe('/staff/sven');
    expect(jar.get('parley_oidc')).toBeUndefined();
    expect(jar.get('XSRF-TOKEN')).toEqual(expect.any(String));
    expect(jar.get('parley_device')).toEqual(expect.any(String));
    expect(await me(jar)).toMatchObject({ status: 200, body: { user: { username: 'sven', display_name: 'Sven Svensson', role: 'staff' }, source: 'oidc' } });
    // This provider puts only `sub` in the ID token (its default): the rest came from userinfo.
    expect(provider.requestsTo('/me')).toBeGreaterThan(0);
    // The session works on the socket too.
    await connectAs(server, sessionOf(jar), 'staff', 'sven');

    // Signing in again is the same account, with a new session.
    const again = await signInWithProvider(server.url, OIDC_PEOPLE.staff.sub);
    expect(again.location).toBe('/staff/sven');
    expect(sessionOf(again.jar)).not.toBe(sessionOf(jar));
    expect((await api(server, 'GET', '/api/users?q=sven', { token: admin })).body.users).toEqual([expect.objectContaining({ username: 'sven', role: 'staff' })]);
  });

  it('makes one account when a new person finishes two sign-ins at once', async () => {
    provider.setPerson({ sub: 'idp-tess', preferred_username: 'tess', name: 'Tess Twice', groups: [OIDC_GROUPS.staff] });
    const browsers = [cookieJar(), cookieJar()];
    const callbacks = await Promise.all(browsers.map(async (jar) => answerAtProvider(await startSignIn(server.url, jar), 'idp-tess', jar)));
    expect(await Promise.all(callbacks.map((callback, i) => followCallback(callback, browsers[i])))).toEqual(['/staff/tess', '/staff/tess']);
    expect((await api(server, 'GET', '/api/users?q=tess', { token: admin })).body.users).toEqual([expect.objectContaining({ username: 'tess', role: 'staff' })]);
    for (const jar of browsers) expect((await me(jar)).body).toMatchObject({ user: { username: 'tess' }, source: 'oidc' });
  });

  it('maps groups to roles, admin over staff, and the user name claim to a lower-case Parley name', async () => {
    expect((await signInWithProvider(server.url, OIDC_PEOPLE.admin.sub)).location).toBe('/admin/olga');
    const cora = await signInWithProvider(server.url, OIDC_PEOPLE.client.sub);
    expect(cora.location).toBe('/client/cora');
    expect((await me(cora.jar)).body).toMatchObject({ user: { username: 'cora', display_name: 'Cora Client', role: 'client' }, source: 'oidc' });
  });

  it('refuses someone in no mapped group, and makes no account', async () => {
    expect((await signInWithProvider(server.url, OIDC_PEOPLE.none.sub)).location).toBe('/login?sso_error=no_role');
    expect(await account('nils')).toBeUndefined();
    expect(loggedReasons()).toContainEqual(expect.stringMatching(/^Single sign-on refused \(no_role\): subject idp-nils \(preferred_username "nils"\) has no groups value mapped to a role$/));
  });

  it('refuses a user name Parley cannot hold, and never takes over a local account of the same name', async () => {
    const bad = await signInWithProvider(server.url, OIDC_PEOPLE.badName.sub);
    expect(bad).toMatchObject({ location: '/login?sso_error=name_unavailable' });
    expect(bad.jar.get('parley_session')).toBeUndefined();

    await createUser(server, admin, 'lena', 'admin');
    provider.setPerson({ sub: 'idp-lena', preferred_username: 'lena', name: 'Another Lena', groups: [OIDC_GROUPS.client] });
    expect((await signInWithProvider(server.url, 'idp-lena')).location).toBe('/login?sso_error=name_unavailable');
    expect(await account('lena')).toMatchObject({ display_name: 'lena', role: 'admin' });
    expect((await api(server, 'GET', '/api/me', { token: await login(server, 'lena', 'lena-passphrase-9') })).body).toMatchObject({ source: 'local' });
    expect(loggedReasons()).toContainEqual('Single sign-on refused (name_unavailable): lena is already a local account; it is never taken over');
  });

  it('keeps a renamed person their account, and does not give it to whoever takes the old name', async () => {
    provider.setPerson({ sub: 'idp-rita', preferred_username: 'rita', name: 'Rita', groups: [OIDC_GROUPS.staff] });
    expect((await signInWithProvider(server.url, 'idp-rita')).location).toBe('/staff/rita');
    provider.setPerson({ sub: 'idp-rita', preferred_username: 'rita.new', name: 'Rita Renamed', groups: [OIDC_GROUPS.staff] });
    const renamed = await signInWithProvider(server.url, 'idp-rita');
    expect(renamed.location).toBe('/staff/rita');
    expect((await me(renamed.jar)).body).toMatchObject({ user: { username: 'rita', display_name: 'Rita Renamed' } });

    provider.setPerson({ sub: 'idp-impostor', preferred_username: 'rita', name: 'Not Rita', groups: [OIDC_GROUPS.admin] });
    expect((await signInWithProvider(server.url, 'idp-impostor')).location).toBe('/login?sso_error=name_unavailable');
    expect(await account('rita')).toMatchObject({ display_name: 'Rita Renamed', role: 'staff' });
  });

  it('answers `expired` to a callback without this browser’s cookie, with another state, or replayed', async () => {
    // Begun in one browser, finished in another (or after the cookie expired).
    const first = cookieJar();
    const callback = await answerAtProvider(await startSignIn(server.url, first), OIDC_PEOPLE.staff.sub, first);
    expect(await followCallback(callback, cookieJar())).toBe('/login?sso_error=expired');

    // A forged state with this browser's cookie; the cookie is used up either way.
    const forged = new URL(callback);
    forged.searchParams.set('state', 'x'.repeat(43));
    expect(await followCallback(forged, first)).toBe('/login?sso_error=expired');
    expect(await followCallback(callback, first)).toBe('/login?sso_error=expired');

    // Another sign-in's answer (another tab, or an attacker's own code) in this browser.
    const victim = cookieJar();
    await startSignIn(server.url, victim);
    const attacker = cookieJar();
    const attackersCallback = await answerAtProvider(await startSignIn(server.url, attacker), OIDC_PEOPLE.admin.sub, attacker);
    expect(await followCallback(attackersCallback, victim)).toBe('/login?sso_error=expired');
    expect(victim.get('parley_session')).toBeUndefined();

    // A replayed code with the right cookie and state: the provider takes each code once.
    const honest = cookieJar();
    const authorization = await startSignIn(server.url, honest);
    const answer = await answerAtProvider(authorization, OIDC_PEOPLE.staff.sub, honest);
    const cookie = honest.get('parley_oidc')!;
    expect(await followCallback(answer, honest)).toBe('/staff/sven');
    honest.set('parley_oidc', cookie);
    expect(await followCallback(answer, honest)).toBe('/login?sso_error=unavailable');
    expect(loggedReasons()).toContainEqual(expect.stringMatching(/^Single sign-on refused \(expired\): no sign-in is pending/));
    expect(loggedReasons()).toContainEqual(expect.stringMatching(/^Single sign-on refused \(expired\): the state does not match/));
  });

  it('answers `refused` when the person cancels at the provider, or the provider says access_denied', async () => {
    expect((await signInWithProvider(server.url, OIDC_PEOPLE.staff.sub, 'cancel')).location).toBe('/login?sso_error=refused');

    const jar = cookieJar();
    const authorization = await startSignIn(server.url, jar);
    const denied = new URL(`${server.url}/api/auth/oidc/callback`);
    denied.search = new URLSearchParams({ error: 'access_denied', state: authorization.searchParams.get('state')!, iss: provider.issuer }).toString();
    expect(await followCallback(denied, jar)).toBe('/login?sso_error=refused');
    expect(loggedReasons()).toContainEqual(expect.stringMatching(/^Single sign-on refused \(refused\): the provider answered access_denied/));
  });

  it('applies a role changed at the provider at the next sign-in, ending the old sessions', async () => {
    provider.setPerson({ sub: 'idp-mo', preferred_username: 'mo', name: 'Mo', groups: [OIDC_GROUPS.staff] });
    const before = await signInWithProvider(server.url, 'idp-mo');
    expect(before.location).toBe('/staff/mo');
    const socket = await connectAs(server, sessionOf(before.jar), 'staff', 'mo');
    const ended = nextEvent(socket, 'session_ended');

    provider.setPerson({ sub: 'idp-mo', preferred_username: 'mo', name: 'Mo', groups: [OIDC_GROUPS.client] });
    const after = await signInWithProvider(server.url, 'idp-mo');
    expect(after.location).toBe('/client/mo');
    expect(await ended).toEqual({ reason: 'directory_role_changed' });
    expect((await me(before.jar)).status).toBe(401);
    expect((await me(after.jar)).body).toMatchObject({ user: { username: 'mo', role: 'client' } });
    const audit = (await api(server, 'GET', '/api/admin/audit?limit=50', { token: admin })).body.entries as Json[];
    expect(audit).toContainEqual(expect.objectContaining({ target: 'mo', details: expect.objectContaining({ source: 'oidc', from: 'staff', to: 'client' }) }));
  });

  it('disables the account of someone taken out of every group when they sign in, and lets them back when put back', async () => {
    provider.setPerson({ sub: 'idp-ida', preferred_username: 'ida', name: 'Ida', groups: [OIDC_GROUPS.staff] });
    const before = await signInWithProvider(server.url, 'idp-ida');
    const ended = nextEvent(await connectAs(server, sessionOf(before.jar), 'staff', 'ida'), 'session_ended');
    provider.setPerson({ sub: 'idp-ida', preferred_username: 'ida', name: 'Ida', groups: [] });
    expect((await signInWithProvider(server.url, 'idp-ida')).location).toBe('/login?sso_error=no_role');
    expect(await ended).toEqual({ reason: 'directory_disabled' });
    expect((await me(before.jar)).status).toBe(401);
    expect(await account('ida')).toMatchObject({ disabled: true });

    provider.setPerson({ sub: 'idp-ida', preferred_username: 'ida', name: 'Ida', groups: [OIDC_GROUPS.client] });
    expect((await signInWithProvider(server.url, 'idp-ida')).location).toBe('/client/ida');
  });

  it('refuses an account an admin disabled, whatever the provider says', async () => {
    provider.setPerson({ sub: 'idp-dan', preferred_username: 'dan', name: 'Dan', groups: [OIDC_GROUPS.staff] });
    const before = await signInWithProvider(server.url, 'idp-dan');
    expect(before.location).toBe('/staff/dan');
    expect((await api(server, 'PATCH', '/api/users/dan', { token: admin, body: { disabled: true } })).status).toBe(200);
    const refused = await signInWithProvider(server.url, 'idp-dan');
    expect(refused.location).toBe('/login?sso_error=disabled');
    expect(refused.jar.get('parley_session')).toBeUndefined();
    expect(await account('dan')).toMatchObject({ disabled: true });
  });

  it('has no Parley password to change or to sign in with, nor a display name to change here', async () => {
    provider.setPerson({ sub: 'idp-pia', preferred_username: 'pia', name: 'Pia', groups: [OIDC_GROUPS.staff] });
    const { jar } = await signInWithProvider(server.url, 'idp-pia');
    const change = await api(server, 'POST', '/api/me/password', { token: sessionOf(jar), body: { current_password: 'anything-at-all', new_password: 'violet-harbour-lantern-42' } });
    expect(change).toMatchObject({ status: 409, body: { code: ErrorCodes.DirectoryAccount } });
    expect((await api(server, 'POST', '/api/auth/login', { body: { username: 'pia', password: 'anything-at-all' } })).status).toBe(401);
    // Nor a name of its own: each sign-in takes the provider's again.
    const rename = await api(server, 'PATCH', '/api/me', { token: sessionOf(jar), body: { display_name: 'Someone Else' } });
    expect(rename).toMatchObject({ status: 409, body: { code: ErrorCodes.DirectoryAccount, message: "pia's name comes from the single sign-on provider: change it there" } });
  });

  it('answers any callback, whatever its query and cookie, with a code on the sign-in page and nothing else', async () => {
    const valid = cookieJar();
    const state = (await startSignIn(server.url, valid)).searchParams.get('state')!;
    const pending = valid.get('parley_oidc')!;
    const short = hostileString.filter((s) => s.length < 300);
    const value = fc.oneof(fc.constantFrom(state, provider.issuer, 'access_denied', 'server_error', ''), short);
    const parameter = fc.constantFrom('code', 'state', 'iss', 'error', 'error_description', '__proto__', 'state[]');
    const answers = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        // Mostly with this browser's cookie, its state and the issuer, so that the rest of the
        // answer (a code, or the provider's refusal) gets checked too.
        fc.constantFrom('stranger', 'code', 'refusal'),
        fc.array(fc.tuple(parameter, value), { maxLength: 6 }),
        fc.oneof(fc.constant(undefined), short.map(encodeSegment)),
        async (kind, query, otherCookie) => {
          const answer = { stranger: [], code: [['state', state], ['iss', provider.issuer]], refusal: [['state', state], ['iss', provider.issuer], ['error', 'access_denied']] }[kind];
          const search = [...answer, ...query].map(([key, v]) => `${key}=${encodeSegment(v)}`).join('&');
          const cookie = kind === 'stranger' ? otherCookie : pending;
          const response = await fetch(`${server.url}/api/auth/oidc/callback?${search}`, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie: `parley_oidc=${cookie}` } });
          const location = response.headers.get('location');
          expect([response.status, location]).toEqual([302, expect.stringMatching(/^\/login\?sso_error=(expired|refused|unavailable)$/)]);
          expect(await response.text()).toBe(`Found. Redirecting to ${location}`);
          expect(response.headers.getSetCookie().filter((line) => !line.startsWith('parley_oidc=;'))).toEqual([]);
          answers.set(location!, (answers.get(location!) ?? 0) + 1);
        },
      ),
      { numRuns: 300 },
    );
    // Past the cookie check to the provider's answer, not only refused at the door.
    expect([...answers.keys()].sort()).toEqual(['/login?sso_error=expired', '/login?sso_error=refused', '/login?sso_error=unavailable']);
    // The reasons went to the log, as one line each, without a stack.
    expect(log.text).not.toMatch(/\n\s+at /);
  });
});

describe('single sign-on settings', () => {
  it('is not there when PARLEY_OIDC_ISSUER is unset: 404 NOT_FOUND JSON, and no sso on the sign-in page', async () => {
    const server = await startServer();
    try {
      for (const path of ['/api/auth/oidc/start', '/api/auth/oidc/callback?code=x&state=y']) {
        expect(await api(server, 'GET', path)).toMatchObject({ status: 404, body: { statusCode: 404, code: ErrorCodes.NotFound, message: expect.any(String) } });
      }
      expect((await api(server, 'GET', '/api/auth/methods')).body).toMatchObject({ sso: null });
    } finally {
      await server.stop();
    }
  });

  it('signs in with a public client (PKCE alone) and claims in the ID token, without asking userinfo', async () => {
    const provider = await startOidcProvider({ claimsInIdToken: true });
    const server = await startServer(oidcEnv(provider, 'public'));
    provider.allowParley(server.url);
    try {
      const { location, jar } = await signInWithProvider(server.url, OIDC_PEOPLE.admin.sub);
      expect(location).toBe('/admin/olga');
      expect((await api(server, 'GET', '/api/me', { token: jar.get('parley_session') })).body).toMatchObject({ user: { username: 'olga', display_name: 'Olga Okafor' }, source: 'oidc' });
      expect(provider.requestsTo('/me')).toBe(0);
    } finally {
      await server.stop();
      await provider.stop();
    }
  });

  it('tells the browser the provider is unavailable while it is down, and discovers it once it is back', async () => {
    const provider = await startOidcProvider();
    const server = await startServer(oidcEnv(provider));
    provider.allowParley(server.url);
    await provider.pause();
    try {
      expect(await startSignIn(server.url, cookieJar())).toEqual(new URL('/login?sso_error=unavailable', server.url));
      await provider.resume();
      expect((await signInWithProvider(server.url, OIDC_PEOPLE.staff.sub)).location).toBe('/staff/sven');
    } finally {
      await server.stop();
      await provider.stop();
    }
  });

  it('uses PARLEY_PUBLIC_URL for the redirect URI and marks the cookie Secure behind HTTPS', async () => {
    const provider = await startOidcProvider();
    const server = await startServer({ ...oidcEnv(provider), PARLEY_PUBLIC_URL: 'https://chat.example.lan', PARLEY_COOKIE_SECURE: 'true' });
    try {
      const response = await fetch(`${server.url}/api/auth/oidc/start`, { redirect: 'manual' });
      expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://chat.example.lan/api/auth/oidc/callback');
      expect(response.headers.getSetCookie().find((line) => line.startsWith('parley_oidc='))).toMatch(/; Secure/);
    } finally {
      await server.stop();
      await provider.stop();
    }
  });
});
