import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { SSO_ERROR_MESSAGES, type SignInMethods } from '@parley/contract';
import { AuthService, SESSION_END_NOTICES } from '../core/auth.service';
import { LOAD_PAGE, SESSION_STORAGE } from '../core/tokens';
import { LoginComponent, SIGN_IN_REFUSED, SSO_FAILED } from './login.component';

const PASSWORDS_ONLY: SignInMethods = { password: true, directory: false, sso: null };
const EVERYTHING: SignInMethods = { password: true, directory: true, sso: { name: 'Contoso ID', start_url: '/api/auth/oidc/start' } };

describe('LoginComponent', () => {
  let http: HttpTestingController;

  let tab: Map<string, string>;
  let loadPage: jest.Mock<void, [string]>;

  beforeEach(() => {
    loadPage = jest.fn();
    tab = new Map();
    const sessionStorage = {
      getItem: (key: string) => tab.get(key) ?? null,
      setItem: (key: string, value: string) => void tab.set(key, value),
      removeItem: (key: string) => void tab.delete(key),
    } as Storage;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([{ path: 'login', component: LoginComponent }]),
        { provide: SESSION_STORAGE, useValue: sessionStorage },
        { provide: LOAD_PAGE, useValue: loadPage },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  /** The page as the server's GET /api/auth/methods leaves it (an Error: the request failed). */
  const render = async (methods: SignInMethods | Error = PASSWORDS_ONLY) => {
    const fixture = TestBed.createComponent(LoginComponent);
    fixture.detectChanges();
    const request = http.expectOne({ method: 'GET', url: '/api/auth/methods' });
    if (methods instanceof Error) request.flush({ message: methods.message }, { status: 500, statusText: 'Server Error' });
    else request.flush(methods);
    // The answer reaches the page through a few promise steps.
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
    fixture.detectChanges();
    const root = fixture.nativeElement as HTMLElement;
    return { fixture, root, text: (selector: string) => root.querySelector(selector)?.textContent?.trim() ?? null };
  };

  const refuse = async (status: number, code: string, message: string) => {
    const { fixture } = await render();
    fixture.componentInstance.username = 'mia';
    fixture.componentInstance.password = 'her-passphrase';
    const submitted = fixture.componentInstance.submit();
    http.expectOne('/api/auth/login').flush({ statusCode: status, code, message }, { status, statusText: 'Refused' });
    await submitted;
    fixture.detectChanges();
    return (fixture.nativeElement as HTMLElement).querySelector('[role="alert"]')?.textContent?.trim();
  };

  it('says the password may be wrong or the account disabled, as the server cannot tell which', async () => {
    expect(await refuse(401, 'INVALID_CREDENTIALS', 'Wrong user name or password')).toBe(SIGN_IN_REFUSED);
    expect(SIGN_IN_REFUSED).toMatch(/disabled, ask an administrator/);
  });

  it("shows the server's message for other refusals", async () => {
    expect(await refuse(429, 'RATE_LIMITED', 'Too many sign-in attempts; try again in 42 s')).toBe(
      'Too many sign-in attempts; try again in 42 s',
    );
  });

  const notice = () => {
    const fixture = TestBed.createComponent(LoginComponent);
    fixture.detectChanges();
    // Asked once per page load: only the first visit of a test sends the request.
    http.match('/api/auth/methods').forEach((request) => request.flush(PASSWORDS_ONLY));
    return (fixture.nativeElement as HTMLElement).querySelector('[data-testid="session-ended"]')?.textContent?.trim() ?? null;
  };

  it.each(Object.entries(SESSION_END_NOTICES))('says why an administrator ended the session (%s), once', (reason, text) => {
    TestBed.inject(AuthService).sessionEnded(reason as keyof typeof SESSION_END_NOTICES);
    expect(notice()).toBe(text);
    // Kept in the tab's storage until shown: a second visit (or a reload after it) says nothing.
    expect(notice()).toBeNull();
  });

  it('shows no notice after an ordinary visit, or for a reason it does not know', () => {
    expect(notice()).toBeNull();
    tab.set('parley.sessionEnded', 'abducted');
    expect(notice()).toBeNull();
  });

  it('shows the directory\'s message when the directory is down, not "the server cannot be reached"', async () => {
    const message = 'The company directory cannot be reached; try again in a moment (local accounts still sign in)';
    expect(await refuse(503, 'DIRECTORY_UNAVAILABLE', message)).toBe(message);
  });

  it('offers only the password form when the server offers nothing else', async () => {
    const { root, text } = await render(PASSWORDS_ONLY);
    expect(root.querySelector('form[aria-label="Sign in"]')).not.toBeNull();
    expect(root.querySelector('[data-testid="sso"]')).toBeNull();
    expect(text('.or')).toBeNull();
    expect(text('[data-testid="directory-hint"]')).toBeNull();
    expect(root.querySelector('input[name="username"]')?.getAttribute('aria-describedby') ?? '').not.toContain('directory-hint');
  });

  it('offers "Sign in with <name>" below an "or", and sends the browser to start_url', async () => {
    const { root, text } = await render(EVERYTHING);
    const button = root.querySelector<HTMLButtonElement>('[data-testid="sso"]')!;
    expect(button.textContent?.trim()).toBe('Sign in with Contoso ID');
    expect(button.type).toBe('button');
    expect(text('.or')).toBe('or');
    // After the password form, not inside it: Enter in the form still signs in with the password.
    expect(root.querySelector('form')!.contains(button)).toBe(false);
    expect(root.querySelector('form')!.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    button.click();
    expect(loadPage).toHaveBeenCalledWith('/api/auth/oidc/start');
  });

  it('says to use the company user name and password when a directory is set up', async () => {
    const { root, text } = await render(EVERYTHING);
    expect(text('[data-testid="directory-hint"]')).toBe('Use your company (directory) user name and password.');
    expect(root.querySelector('input[name="username"]')?.getAttribute('aria-describedby')).toContain('directory-hint');
  });

  it('still signs in with a password, with no banner and no single sign-on, when the methods cannot be loaded', async () => {
    const { fixture, root } = await render(new Error('boom'));
    expect(root.querySelector('[data-testid="sso"]')).toBeNull();
    expect(root.querySelector('[role="alert"]')).toBeNull();
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture.componentInstance.username = 'mia';
    fixture.componentInstance.password = 'her-passphrase';
    const submitted = fixture.componentInstance.submit();
    http.expectOne('/api/auth/login').flush({ user: { username: 'mia', display_name: 'Mia', role: 'staff' }, token: 't', expires_at: '2030-01-01T00:00:00.000Z' });
    await submitted;
    expect(navigate).toHaveBeenCalledWith('/staff/mia');
    expect(fixture.componentInstance.error()).toBeNull();
  });

  describe('coming back from single sign-on with ?sso_error', () => {
    const arrive = async (url: string) => {
      const harness = await RouterTestingHarness.create();
      await harness.navigateByUrl(url, LoginComponent);
      http.expectOne('/api/auth/methods').flush(EVERYTHING);
      await harness.fixture.whenStable();
      harness.detectChanges();
      return { harness, alert: () => (harness.routeNativeElement as HTMLElement).querySelector('[role="alert"]')?.textContent?.trim() ?? null };
    };

    it.each(Object.entries(SSO_ERROR_MESSAGES))('says why (%s) in the alert, and takes the code out of the address', async (code, message) => {
      const { alert } = await arrive(`/login?sso_error=${code}`);
      expect(alert()).toBe(message);
      // Replaced, not pushed: a reload shows a clean page, and Back does not come here again.
      expect(TestBed.inject(Router).url).toBe('/login');
    });

    it('keeps other query parameters', async () => {
      await arrive('/login?sso_error=expired&next=%2Fadmin');
      expect(TestBed.inject(Router).url).toBe('/login?next=%2Fadmin');
    });

    it('says something plain for a code it does not know', async () => {
      const { alert } = await arrive('/login?sso_error=quantum_flux');
      expect(alert()).toBe(SSO_FAILED);
      expect(TestBed.inject(Router).url).toBe('/login');
    });

    it('says nothing after an ordinary visit', async () => {
      const { alert } = await arrive('/login');
      expect(alert()).toBeNull();
    });
  });
});
