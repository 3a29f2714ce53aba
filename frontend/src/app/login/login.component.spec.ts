import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LoginComponent, SIGN_IN_REFUSED } from './login.component';

describe('LoginComponent', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
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
});
