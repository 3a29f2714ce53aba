import { HttpHeaders, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { AccountSource, PasswordVerdict, PublicUser, SignInMethods } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { PasswordStrength } from '../users/password-strength.service';
import { AccountPageComponent } from './account-page.component';

const me: PublicUser = { username: 'sam', display_name: 'Sam', role: 'staff' };

/**
 * The real checker loads ~1.5 MB of dictionaries; the page's own logic is what is tested here,
 * so the verdict is whatever a test sets (null: the checker has not loaded yet).
 */
class FakeStrength {
  verdictFor: PasswordVerdict | null = null;
  load(): void {
    // Nothing to load.
  }
  verdict(): PasswordVerdict | null {
    return this.verdictFor;
  }
}

describe('AccountPageComponent', () => {
  let http: HttpTestingController;
  let strength: FakeStrength;

  beforeEach(() => {
    strength = new FakeStrength();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: PasswordStrength, useValue: strength }],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthService).user.set(me);
  });
  afterEach(() => http.verify());

  /** The page once GET /api/me has answered with the account's `source` (and, for oidc, GET /api/auth/methods). */
  async function render(source: AccountSource = 'local', methods: SignInMethods | null = null) {
    const fixture = TestBed.createComponent(AccountPageComponent);
    document.body.appendChild(fixture.nativeElement as HTMLElement);
    fixture.detectChanges();
    http.expectOne({ method: 'GET', url: '/api/me' }).flush({ user: me, source });
    if (source === 'oidc') {
      await promisesSettled();
      const request = http.expectOne({ method: 'GET', url: '/api/auth/methods' });
      if (methods) request.flush(methods);
      else request.flush({ message: 'down' }, { status: 503, statusText: 'Unavailable' });
    }
    await promisesSettled();
    await settle(fixture);
    const root = fixture.nativeElement as HTMLElement;
    const input = (name: string) => root.querySelector(`input[name="${name}"]`) as HTMLInputElement;
    const type = async (name: string, value: string) => {
      input(name).value = value;
      input(name).dispatchEvent(new Event('input'));
      await settle(fixture);
    };
    const button = (text: string) =>
      Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === text) as HTMLButtonElement;
    const text = (selector: string) => root.querySelector(selector)?.textContent?.trim() ?? null;
    /** Types the three password fields and clicks "Change password". */
    const submitPasswords = async (current: string, next: string, again = next) => {
      await type('current_password', current);
      await type('new_password', next);
      await type('new_password_again', again);
      button('Change password').click();
      await settle(fixture);
    };
    return { fixture, root, input, type, button, text, submitPasswords };
  }

  /** Answers the one outstanding request with the API's refusal body. */
  function refuse(method: string, url: string, status: number, code: string, message: string, headers?: HttpHeaders) {
    http.expectOne({ method, url }).flush({ statusCode: status, code, message }, { status, statusText: 'Refused', headers });
  }

  const promisesSettled = () => new Promise((resolve) => setTimeout(resolve));

  async function settle(fixture: ComponentFixture<AccountPageComponent>) {
    await fixture.whenStable();
    fixture.detectChanges();
  }

  afterEach(() => document.body.replaceChildren());

  it('shows the user name and role, read-only, and a link back to the chat', async () => {
    const { text, root } = await render();
    expect(text('[data-testid="account-username"]')).toBe('sam');
    expect(text('[data-testid="account-role"]')).toBe('staff');
    expect(root.querySelector('input[name="username"]')?.hasAttribute('readonly')).toBe(true);
    expect(root.querySelector('a')?.getAttribute('href')).toBe('/staff/sam');
  });

  it('saves the display name with PATCH /api/me and says "Saved"', async () => {
    const { fixture, type, button, text, input } = await render();
    expect(input('display_name').value).toBe('Sam');
    await type('display_name', '  Samantha  ');
    button('Save').click();
    await settle(fixture);
    const request = http.expectOne({ method: 'PATCH', url: '/api/me' });
    // Sent trimmed, as the server would store it.
    expect(request.request.body).toEqual({ display_name: 'Samantha' });
    expect(button('Saving…')).toBeDefined();
    request.flush({ user: { ...me, display_name: 'Samantha' } });
    await settle(fixture);
    expect(text('[role="status"]')).toBe('Saved');
    expect(button('Save')).toBeDefined();
    // The chat header reads the signed-in user: it shows the new name too.
    expect(TestBed.inject(AuthService).user()?.display_name).toBe('Samantha');
  });

  it('refuses an empty display name without a request', async () => {
    const { fixture, type, button, text } = await render();
    await type('display_name', '   ');
    button('Save').click();
    await settle(fixture);
    http.expectNone({ method: 'PATCH', url: '/api/me' });
    expect(text('[role="alert"]')).toContain('cannot be empty');
  });

  it("shows the server's refusal of a display name in the form's words", async () => {
    const { fixture, type, button, text } = await render();
    await type('display_name', 'Sam\u0000');
    button('Save').click();
    await settle(fixture);
    refuse('PATCH', '/api/me', 400, 'INVALID_PAYLOAD', 'Invalid payload: display_name: must not contain NUL characters');
    await settle(fixture);
    expect(text('[role="alert"]')).toBe('Display name: must not contain NUL characters.');
  });

  it('says "Not saved: the server cannot be reached" when offline', async () => {
    const { fixture, type, button, text } = await render();
    await type('display_name', 'Samantha');
    button('Save').click();
    await settle(fixture);
    http.expectOne({ method: 'PATCH', url: '/api/me' }).error(new ProgressEvent('error'), { status: 0, statusText: '' });
    await settle(fixture);
    expect(text('[role="alert"]')).toBe('Not saved: the server cannot be reached.');
  });

  it('changes the password: posts both, clears the fields and says the other devices were signed out', async () => {
    const { fixture, button, text, input, submitPasswords } = await render();
    await submitPasswords('old secret', 'a much better passphrase');
    const request = http.expectOne({ method: 'POST', url: '/api/me/password' });
    expect(request.request.body).toEqual({ current_password: 'old secret', new_password: 'a much better passphrase' });
    expect(button('Saving…')).toBeDefined();
    request.flush(null, { status: 204, statusText: 'No Content' });
    await settle(fixture);
    expect(text('[role="status"]')).toBe('Password changed. Your other devices were signed out.');
    expect(['current_password', 'new_password', 'new_password_again'].map((name) => input(name).value)).toEqual(['', '', '']);
    expect(text('[role="alert"]')).toBeNull();
  });

  it('refuses two different new passwords without a request, and says so', async () => {
    const { fixture, button, text, submitPasswords } = await render();
    await submitPasswords('old secret', 'a much better passphrase', 'a much better passphrasf');
    http.expectNone({ method: 'POST', url: '/api/me/password' });
    expect(text('[role="alert"]')).toBe('The two new passwords differ.');
    expect(button('Change password').disabled).toBe(false);
  });

  it('refuses a new password the loaded rule fails, without a request', async () => {
    const { fixture, button, text, submitPasswords } = await render();
    strength.verdictFor = { ok: false, score: 1, feedback: 'Add another word or two.' };
    await submitPasswords('old secret', 'password1');
    http.expectNone({ method: 'POST', url: '/api/me/password' });
    expect(text('[role="alert"]')).toBe('Choose a harder password. Add another word or two.');
  });

  it('shows WRONG_PASSWORD and puts the focus back on Current password', async () => {
    const { fixture, button, text, input, submitPasswords } = await render();
    await submitPasswords('not it', 'a much better passphrase');
    refuse('POST', '/api/me/password', 400, 'WRONG_PASSWORD', 'The current password is not right.');
    await settle(fixture);
    expect(text('[role="alert"]')).toBe('The current password is not right.');
    expect(document.activeElement).toBe(input('current_password'));
    // Nothing is cleared: only the current password needs typing again.
    expect(input('new_password').value).toBe('a much better passphrase');
  });

  it("shows WEAK_PASSWORD's reason from the server", async () => {
    const { fixture, button, text, input, submitPasswords } = await render();
    await submitPasswords('old secret', 'sam sam sam');
    refuse('POST', '/api/me/password', 400, 'WEAK_PASSWORD', 'Repeated words are easy to guess.');
    await settle(fixture);
    expect(text('[role="alert"]')).toBe('New password: Repeated words are easy to guess.');
    expect(document.activeElement).toBe(input('new_password'));
  });

  it('says when to try again after RATE_LIMITED', async () => {
    const { fixture, button, text, submitPasswords } = await render();
    await submitPasswords('guess', 'a much better passphrase');
    refuse('POST', '/api/me/password', 429, 'RATE_LIMITED', 'Too many wrong passwords.', new HttpHeaders({ 'Retry-After': '120' }));
    await settle(fixture);
    expect(text('[role="alert"]')).toBe('Too many wrong passwords. Try again in 2 minutes.');
  });

  it('says Loading… until GET /api/me says where the account comes from, then offers both forms for a local account', async () => {
    const fixture = TestBed.createComponent(AccountPageComponent);
    fixture.detectChanges();
    const root = fixture.nativeElement as HTMLElement;
    expect(root.querySelector('[role="status"]')?.textContent).toBe('Loading…');
    expect(root.querySelector('form')).toBeNull();
    http.expectOne({ method: 'GET', url: '/api/me' }).flush({ user: me, source: 'local' });
    await promisesSettled();
    await settle(fixture);
    expect(root.querySelector('[role="status"]')).toBeNull();
    expect(root.querySelector('input[name="display_name"]')).not.toBeNull();
    expect(root.querySelector('input[name="current_password"]')).not.toBeNull();
    expect(root.querySelector('[data-testid="password-elsewhere"]')).toBeNull();
    expect(root.querySelector('[data-testid="names-hint"]')?.textContent?.trim()).toBe('Only an administrator can change your user name or role.');
  });

  it('offers both forms when GET /api/me fails: the server refuses what the account may not change', async () => {
    const fixture = TestBed.createComponent(AccountPageComponent);
    fixture.detectChanges();
    http.expectOne({ method: 'GET', url: '/api/me' }).error(new ProgressEvent('error'), { status: 0, statusText: '' });
    await promisesSettled();
    await settle(fixture);
    const root = fixture.nativeElement as HTMLElement;
    expect(root.querySelector('input[name="display_name"]')).not.toBeNull();
    expect(root.querySelector('input[name="current_password"]')).not.toBeNull();
  });

  it('shows a directory account\'s name as text and sends its password change to the directory', async () => {
    const { root, text, button } = await render('ldap');
    expect(root.querySelector('input[name="display_name"]')).toBeNull();
    expect(text('[data-testid="account-display-name"]')).toBe('Sam');
    expect(root.textContent).toContain('Your name comes from the company directory.');
    expect(button('Save')).toBeUndefined();
    expect(root.querySelector('input[type="password"]')).toBeNull();
    expect(button('Change password')).toBeUndefined();
    expect(text('[data-testid="password-elsewhere"]')).toBe(
      'Your password is managed by the company directory. Change it there (for example with Ctrl+Alt+Del → Change a password on Windows).',
    );
    expect(text('[data-testid="names-hint"]')).toBe('Your user name and role come from the company directory.');
  });

  it('shows a single sign-on account its name and where its password lives, with nothing to edit', async () => {
    const { root, text } = await render('oidc', { password: true, directory: false, sso: { name: 'Contoso ID', start_url: '/api/auth/oidc/start' } });
    expect(root.querySelector('input[type="password"]')).toBeNull();
    // Each sign-in takes the provider's name again, so the page offers no edit that would not last.
    expect(root.querySelector('input[name="display_name"]')).toBeNull();
    expect(text('[data-testid="account-display-name"]')).toBe(me.display_name);
    expect(text('[data-testid="password-elsewhere"]')).toBe('You sign in with Contoso ID; your password is managed there.');
    expect(text('[data-testid="names-hint"]')).toBe('Your user name and role come from Contoso ID.');
  });

  it('says "single sign-on" when the provider\'s name cannot be had', async () => {
    const { text } = await render('oidc', null);
    expect(text('[data-testid="password-elsewhere"]')).toBe('You sign in with single sign-on; your password is managed there.');
  });

  it("shows DIRECTORY_ACCOUNT's message from the server, which says where to change it", async () => {
    const { fixture, text, submitPasswords } = await render();
    await submitPasswords('old secret', 'a much better passphrase');
    refuse('POST', '/api/me/password', 409, 'DIRECTORY_ACCOUNT', "sam's password lives in the company directory: change it there");
    await settle(fixture);
    expect(text('[role="alert"]')).toBe("sam's password lives in the company directory: change it there");
  });
});
