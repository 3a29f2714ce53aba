import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { PublicUser } from '@parley/contract';
import { memoryCopies, OFFLINE_COPY_STORAGE, type OfflineCopyStorage } from '../chat/offline-copy';
import { AuthService } from './auth.service';
import { SESSION_STORAGE, STORAGE } from './tokens';

const cal: PublicUser = { username: 'cal', display_name: 'Cal', role: 'client' };
const sam: PublicUser = { username: 'sam', display_name: 'Sam', role: 'staff' };

describe('AuthService', () => {
  let http: HttpTestingController;
  let storage: Map<string, string>;
  let copies: OfflineCopyStorage;

  beforeEach(() => {
    storage = new Map();
    copies = memoryCopies();
    const asStorage = (map: Map<string, string>) => ({
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    });
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: STORAGE, useValue: asStorage(storage) },
        { provide: SESSION_STORAGE, useValue: asStorage(new Map()) },
        { provide: OFFLINE_COPY_STORAGE, useValue: copies },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  /** One page load: a fresh service asking who is signed in, answered by `answer`. */
  async function pageLoad(answer: (request: ReturnType<HttpTestingController['expectOne']>) => void): Promise<{ auth: AuthService; user: PublicUser | null }> {
    const auth = TestBed.runInInjectionContext(() => new AuthService());
    const asking = auth.whoAmI();
    answer(http.expectOne('/api/session'));
    return { auth, user: await asking };
  }
  const offline = (request: ReturnType<HttpTestingController['expectOne']>) => request.error(new ProgressEvent('error'), { status: 0 });
  const savedFor = async (user: string) => copies.save({ user, savedAt: 'x', cursor: 1, conversations: [], people: [], channels: [] });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('starts as the person last signed in here when the server is out of reach, and says so', async () => {
    await pageLoad((r) => r.flush({ user: cal }));
    const { auth, user } = await pageLoad(offline);
    expect(user).toEqual(cal);
    expect(auth.user()).toEqual(cal);
    expect(auth.unreachable()).toBe(true);
  });

  it('treats a proxy\'s 502/503/504 as out of reach, and any other failure as signed out', async () => {
    await pageLoad((r) => r.flush({ user: cal }));
    expect((await pageLoad((r) => r.flush('', { status: 502, statusText: 'Bad Gateway' }))).user).toEqual(cal);
    const refused = await pageLoad((r) => r.flush({ message: 'no' }, { status: 500, statusText: 'Error' }));
    expect(refused.user).toBeNull();
    expect(refused.auth.unreachable()).toBe(false);
  });

  it('opens nothing offline once the session has ended, and removes the saved copy', async () => {
    const ends = Date.now() + 60_000;
    await pageLoad((r) => r.flush({ user: cal, expires_at: new Date(ends).toISOString() }));
    await savedFor('cal');
    expect((await pageLoad(offline)).user).toEqual(cal);
    jest.spyOn(Date, 'now').mockReturnValue(ends + 1);
    try {
      const { user, auth } = await pageLoad(offline);
      expect(user).toBeNull();
      expect(auth.unreachable()).toBe(false);
      await settle();
      expect(await copies.load('cal')).toBeNull();
      expect(storage.has('parley.signedIn')).toBe(false);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it("remembers when a signed-in session ends, from the sign-in's answer", async () => {
    const { auth } = await pageLoad((r) => r.flush({ user: null, expires_at: null }));
    const signingIn = auth.login('sam', 'secret');
    http.expectOne('/api/auth/login').flush({ user: sam, token: 't', expires_at: '2999-01-01T00:00:00.000Z' });
    await signingIn;
    expect(JSON.parse(storage.get('parley.signedIn')!)).toEqual({ ...sam, expires_at: '2999-01-01T00:00:00.000Z' });
    expect((await pageLoad(offline)).user).toEqual(sam);
  });

  it('starts signed out offline when nobody is remembered', async () => {
    const { user, auth } = await pageLoad(offline);
    expect(user).toBeNull();
    expect(auth.unreachable()).toBe(false);
  });

  it('forgets the person and removes their saved copy when the server says nobody is signed in', async () => {
    await pageLoad((r) => r.flush({ user: cal }));
    await savedFor('cal');
    await pageLoad((r) => r.flush({ user: null }));
    await settle();
    expect(await copies.load('cal')).toBeNull();
    expect((await pageLoad(offline)).user).toBeNull();
  });

  it('removes the previous person\'s copy when someone else signs in on this browser', async () => {
    await pageLoad((r) => r.flush({ user: cal }));
    await savedFor('cal');
    const { auth } = await pageLoad((r) => r.flush({ user: null }));
    await savedFor('cal');
    // The null answer already removed cal; put one back to see sign-in remove it on its own.
    storage.set('parley.signedIn', JSON.stringify(cal));
    const signingIn = auth.login('sam', 'secret');
    http.expectOne('/api/auth/login').flush({ user: sam });
    await signingIn;
    await settle();
    expect(await copies.load('cal')).toBeNull();
    expect(JSON.parse(storage.get('parley.signedIn')!)).toEqual(sam);
  });

  it('finishes on the server, at the next page load, a sign-out pressed while it was out of reach', async () => {
    const { auth } = await pageLoad((r) => r.flush({ user: cal }));
    await savedFor('cal');
    const signingOut = auth.logout();
    offline(http.expectOne('/api/auth/logout'));
    await signingOut;
    await settle();
    expect(auth.user()).toBeNull();
    expect(await copies.load('cal')).toBeNull();
    // Offline again: nobody is assumed any more.
    expect((await pageLoad(offline)).user).toBeNull();

    // Back online, the session cookie still holds: the page ends it before anything else.
    const load = TestBed.runInInjectionContext(() => new AuthService());
    const asking = load.whoAmI();
    http.expectOne('/api/session').flush({ user: cal });
    await settle();
    http.expectOne('/api/auth/logout').flush({});
    expect(await asking).toBeNull();
    expect(storage.has('parley.signOutPending')).toBe(false);
  });

  it('forgets the person before the sign-out request is answered (a hanging server leaves nothing behind)', async () => {
    const { auth } = await pageLoad((r) => r.flush({ user: cal }));
    await savedFor('cal');
    const signingOut = auth.logout();
    const request = http.expectOne('/api/auth/logout');
    await settle();
    // Not answered yet: already signed out on the page and in the browser.
    expect(auth.user()).toBeNull();
    expect(await copies.load('cal')).toBeNull();
    expect(storage.get('parley.signOutPending')).toBe('cal');
    request.flush({});
    await signingOut;
    expect(storage.has('parley.signOutPending')).toBe(false);
  });

  it('leaves alone the session of someone who signed in after a pending sign-out, and ends it before a new sign-in', async () => {
    storage.set('parley.signOutPending', 'cal');
    // Someone else's session (signed in with single sign-on, say): theirs is kept.
    expect((await pageLoad((r) => r.flush({ user: sam }))).user).toEqual(sam);
    expect(storage.has('parley.signOutPending')).toBe(false);

    storage.set('parley.signOutPending', 'cal');
    const auth = TestBed.runInInjectionContext(() => new AuthService());
    const signingIn = auth.login('sam', 'secret');
    http.expectOne('/api/auth/logout').flush({});
    await settle();
    http.expectOne('/api/auth/login').flush({ user: sam });
    expect(await signingIn).toEqual(sam);
  });

  it('ignores a remembered person that is not well formed', async () => {
    storage.set('parley.signedIn', JSON.stringify({ username: 'cal', role: 'root' }));
    expect((await pageLoad(offline)).user).toBeNull();
    storage.set('parley.signedIn', '{not json');
    expect((await pageLoad(offline)).user).toBeNull();
  });
});
