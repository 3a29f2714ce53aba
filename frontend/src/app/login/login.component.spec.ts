import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AuthService, SESSION_END_NOTICES } from '../core/auth.service';
import { SESSION_STORAGE } from '../core/tokens';
import { LoginComponent, SIGN_IN_REFUSED } from './login.component';

describe('LoginComponent', () => {
  let http: HttpTestingController;

  let tab: Map<string, string>;

  beforeEach(() => {
    tab = new Map();
    const sessionStorage = {
      getItem: (key: string) => tab.get(key) ?? null,
      setItem: (key: string, value: string) => void tab.set(key, value),
      removeItem: (key: string) => void tab.delete(key),
    } as Storage;
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: SESSION_STORAGE, useValue: sessionStorage }],
    });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  const refuse = async (status: number, code: string, message: string) => {
    const fixture = TestBed.createComponent(LoginComponent);
    fixture.detectChanges();
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
});
