import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { default as ProviderClass, ProviderConfiguration } from 'oidc-provider';
import { cookieJar, type CookieJar } from './cookie-jar';

/**
 * A real OpenID provider (the oidc-provider package, the certified one) on a free 127.0.0.1
 * port, for whole-server and browser tests of single sign-on: authorization code flow, PKCE
 * required, one confidential client and one public client, people with the claims
 * `{sub, preferred_username, name, groups}`. Its development login pages (devInteractions)
 * take any password: type the person's `sub` as the login.
 *
 * The provider is built at its first request, so Parley can be started with its issuer first
 * and its callback registered after (allowRedirect), once Parley's port is known.
 */
export const OIDC_CLIENT_ID = 'parley';
export const OIDC_CLIENT_SECRET = 'parley-client-secret-for-tests';
/** The same provider's public client: no secret, PKCE alone. */
export const OIDC_PUBLIC_CLIENT_ID = 'parley-public';
export const OIDC_GROUPS = { admin: 'parley-admins', staff: 'parley-staff', client: 'parley-clients' } as const;

export interface OidcPerson {
  /** The subject, and what to type as the login on the provider's page. */
  sub: string;
  preferred_username: string;
  name: string;
  groups: string[];
}

/** The people every provider starts with, by role (none: in no mapped group; badName: a name Parley cannot hold). */
export const OIDC_PEOPLE = {
  admin: { sub: 'idp-olga', preferred_username: 'olga', name: 'Olga Okafor', groups: [OIDC_GROUPS.admin, OIDC_GROUPS.staff] },
  staff: { sub: 'idp-sven', preferred_username: 'sven', name: 'Sven Svensson', groups: [OIDC_GROUPS.staff, 'wiki-editors'] },
  client: { sub: 'idp-cora', preferred_username: 'Cora', name: 'Cora Client', groups: [OIDC_GROUPS.client] },
  none: { sub: 'idp-nils', preferred_username: 'nils', name: 'Nils Nobody', groups: ['wiki-editors'] },
  badName: { sub: 'idp-bad', preferred_username: 'Bad Name!', name: 'Bad Name', groups: [OIDC_GROUPS.staff] },
} as const satisfies Record<string, OidcPerson>;

export interface OidcTestProvider {
  /** The issuer URL (http://127.0.0.1:<port>, or localhost), for PARLEY_OIDC_ISSUER. */
  issuer: string;
  /** Registers a redirect URI with both clients; before the provider's first request. */
  allowRedirect(redirectUri: string): void;
  /** Parley's callback on `parleyUrl`: allowRedirect(`${parleyUrl}/api/auth/oidc/callback`). */
  allowParley(parleyUrl: string): void;
  /** Adds a person or changes one (their groups, their name), as an administrator would at the provider. */
  setPerson(person: OidcPerson): void;
  person(sub: string): OidcPerson | undefined;
  /** How many requests the provider answered at `path` (its userinfo endpoint is /me). */
  requestsTo(path: string): number;
  /** Stops answering (the port closes) until resume(). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface OidcProviderOptions {
  /**
   * The issuer's host name; `localhost` makes the provider another site than a Parley at
   * 127.0.0.1 (cookies' SameSite rules then apply to the redirects, as with a real provider).
   */
  hostname?: '127.0.0.1' | 'localhost';
  /**
   * true: the profile and groups claims are in the ID token too. false (oidc-provider's
   * default, conformIdTokenClaims): the ID token has only `sub`, so Parley must ask userinfo.
   */
  claimsInIdToken?: boolean;
}

/** The settings that point Parley at `provider` with its confidential (or public) client and the three groups. */
export function oidcEnv(provider: Pick<OidcTestProvider, 'issuer'>, client: 'confidential' | 'public' = 'confidential'): Record<string, string> {
  return {
    PARLEY_OIDC_ISSUER: provider.issuer,
    ...(client === 'confidential' ? { PARLEY_OIDC_CLIENT_ID: OIDC_CLIENT_ID, PARLEY_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET } : { PARLEY_OIDC_CLIENT_ID: OIDC_PUBLIC_CLIENT_ID }),
    PARLEY_OIDC_NAME: 'Test Provider',
    PARLEY_OIDC_SCOPES: 'openid profile groups',
    PARLEY_OIDC_ADMIN_GROUP: OIDC_GROUPS.admin,
    PARLEY_OIDC_STAFF_GROUP: OIDC_GROUPS.staff,
    PARLEY_OIDC_CLIENT_GROUP: OIDC_GROUPS.client,
  };
}

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcTestProvider> {
  const people = new Map<string, OidcPerson>(Object.values(OIDC_PEOPLE).map((person) => [person.sub, { ...person, groups: [...person.groups] }]));
  const redirectUris: string[] = [];
  const server = createServer();
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  let provider: ProviderClass | null = null;
  let handler: ReturnType<ProviderClass['callback']> | null = null;
  const served = new Map<string, number>();
  server.on('request', (request, response) => {
    const path = new URL(request.url ?? '/', issuer).pathname;
    served.set(path, (served.get(path) ?? 0) + 1);
    void (async () => {
      handler ??= (provider = await buildProvider(issuer, people, redirectUris, options)).callback();
      handler(request, response);
    })();
  });
  const allowRedirect = (redirectUri: string) => {
    if (provider) throw new Error('register redirect URIs before the provider answers its first request');
    redirectUris.push(redirectUri);
  };
  return {
    issuer,
    allowRedirect,
    allowParley: (parleyUrl) => allowRedirect(`${parleyUrl}/api/auth/oidc/callback`),
    setPerson: (person) => void people.set(person.sub, { ...person, groups: [...person.groups] }),
    person: (sub) => people.get(sub),
    requestsTo: (path) => served.get(path) ?? 0,
    pause: () => close(server),
    resume: () => listen(server, port),
    stop: () => close(server),
  };
}

async function buildProvider(issuer: string, people: Map<string, OidcPerson>, redirectUris: string[], options: OidcProviderOptions): Promise<ProviderClass> {
  // oidc-provider warns, on Node 20, that it wants Node 22 ("Unsupported runtime"); it works.
  const { default: Provider } = await quietly(() => import('oidc-provider'));
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: ProviderConfiguration = {
    clients: [
      { client_id: OIDC_CLIENT_ID, client_secret: OIDC_CLIENT_SECRET, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'] },
      { client_id: OIDC_PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none', redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'] },
    ],
    findAccount: (_ctx, sub) => {
      const person = people.get(sub);
      // Read at each token and userinfo request: a change made during a test applies to the next sign-in.
      return person && { accountId: sub, claims: () => ({ ...people.get(sub) }) };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    conformIdTokenClaims: !options.claimsInIdToken,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['oidc-test-cookie-key'] },
    jwks: { keys: [{ ...key, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    // Seconds; set, so the provider does not print a notice about each default.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  };
  const provider = await quietly(() => new Provider(issuer, configuration));
  // The pages say only "oops! something went wrong": a failing test should say what.
  provider.on('server_error', (_ctx: unknown, error: unknown) => console.error('oidc-provider server_error:', error));
  return provider;
}

/** Runs `step` without oidc-provider's development notices on the console (they are expected here). */
async function quietly<T>(step: () => T | Promise<T>): Promise<T> {
  const { warn, info } = console;
  const filter = (print: (...args: unknown[]) => void) => (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && args[0].includes('oidc-provider'))) print(...args);
  };
  console.warn = filter(warn);
  console.info = filter(info);
  try {
    return await step();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// ---- a browser without a browser: redirects followed by hand, forms submitted, cookies kept ----

/** One request as a browser would send it (the jar's cookies, no automatic redirects); keeps the cookies it sets. */
export async function browse(url: URL | string, jar: CookieJar, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header() };
  if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.form && new URLSearchParams(init.form).toString(), redirect: 'manual' });
  jar.take(response.headers);
  return response;
}

/** Where a redirect answer sends the browser. */
function locationOf(response: Response, base: URL | string): URL {
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || !location) throw new Error(`expected a redirect from ${String(base)}, got ${response.status}`);
  return new URL(location, base);
}

/** "Sign in with …": GET /api/auth/oidc/start; the provider's authorization URL it redirects to. */
export async function startSignIn(parleyUrl: string, jar: CookieJar): Promise<URL> {
  return locationOf(await browse(`${parleyUrl}/api/auth/oidc/start`, jar), parleyUrl);
}

/**
 * At the provider: signs in as `login` (any password) and consents, or cancels on the consent
 * page. Returns the URL the provider redirects the browser to (Parley's callback, with `code`
 * or `error`), without following it.
 */
export async function answerAtProvider(authorizationUrl: URL, login: string, jar: CookieJar, choice: 'consent' | 'cancel' = 'consent'): Promise<URL> {
  let url = authorizationUrl;
  for (let step = 0; step < 12; step += 1) {
    const response = await browse(url, jar);
    if (response.status !== 200) {
      const next = locationOf(response, url);
      if (next.origin !== authorizationUrl.origin) return next;
      url = next;
      continue;
    }
    const page = await response.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    const action = /<form[^>]* action="([^"]+)"/.exec(page)?.[1];
    if (!prompt || !action) throw new Error(`no login or consent form at ${url.href}: ${page.slice(0, 300)}`);
    if (prompt === 'consent' && choice === 'cancel') {
      url = new URL(/href="([^"]+\/abort)"/.exec(page)![1], url);
      continue;
    }
    const submitted = await browse(new URL(action, url), jar, { method: 'POST', form: prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt } });
    url = locationOf(submitted, url);
    if (url.origin !== authorizationUrl.origin) return url;
  }
  throw new Error('the provider never sent the browser back');
}

/** Opens `callbackUrl` in the jar's browser: where Parley then sends it (/<role>/<name> or /login?sso_error=…), as a path and query. */
export async function followCallback(callbackUrl: URL, jar: CookieJar): Promise<string> {
  const next = locationOf(await browse(callbackUrl, jar), callbackUrl);
  return `${next.pathname}${next.search}`;
}

/** A whole single sign-on in a fresh browser: where Parley sends it at the end, and its cookies. */
export async function signInWithProvider(
  parleyUrl: string,
  login: string,
  choice: 'consent' | 'cancel' = 'consent',
): Promise<{ location: string; jar: CookieJar }> {
  const jar = cookieJar();
  const callback = await answerAtProvider(await startSignIn(parleyUrl, jar), login, jar, choice);
  return { location: await followCallback(callback, jar), jar };
}
