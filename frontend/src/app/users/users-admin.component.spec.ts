import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { loadPasswordChecker } from '@parley/contract/password-policy';
import { UsersAdminComponent } from './users-admin.component';

const cleo = { username: 'cleo', display_name: 'Cleo', role: 'client', disabled: false, has_password: true };

describe('UsersAdminComponent: the password rule before submit', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<UsersAdminComponent>;
  const page = () => fixture.nativeElement as HTMLElement;
  const text = (selector: string) => page().querySelector(selector)?.textContent?.trim() ?? '';
  const type = async (name: string, value: string) => {
    const field = page().querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
    field.value = value;
    field.dispatchEvent(new Event('input'));
    fixture.detectChanges();
    await fixture.whenStable();
  };
  const button = (label: string) => Array.from(page().querySelectorAll('button')).find((b) => b.textContent?.trim() === label)!;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    http.expectOne('/api/users').flush({ users: [cleo] });
    await loadPasswordChecker();
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  it('shows the rule, says why a typed password is weak, and holds back Create until it is not', async () => {
    expect(text('form[aria-label="Create a user"] .rule')).toMatch(/At least 8 characters and hard to guess/);
    await type('username', 'sam');
    await type('password', 'qwertyuiop');
    expect(text('form[aria-label="Create a user"] .verdict')).toMatch(/frequently used password/);
    expect(button('Create user').disabled).toBe(true);

    await type('password', 'sam-quiet-harbor-lamp');
    expect(text('form[aria-label="Create a user"] .verdict')).toBe('Strong enough.');
    expect(button('Create user').disabled).toBe(false);
  });

  it('resets a password from an inline form with the same feedback, then closes it', async () => {
    button('Reset password').click();
    fixture.detectChanges();
    await fixture.whenStable();
    await type('new-password', 'cleo1234');
    expect(text('form[aria-label="Reset password for cleo"] .verdict')).not.toBe('');
    expect(button('Set password').disabled).toBe(true);

    await type('new-password', 'cleo-new-lantern-42');
    expect(button('Set password').disabled).toBe(false);
    const done = fixture.componentInstance.resetPassword(cleo as never);
    const request = http.expectOne('/api/users/cleo/password');
    expect(request.request.body).toEqual({ password: 'cleo-new-lantern-42' });
    request.flush({ user: cleo });
    // Let the component's await on the POST resume and send its reload.
    await new Promise((resolve) => setTimeout(resolve));
    http.expectOne('/api/users').flush({ users: [cleo] });
    await done;
    fixture.detectChanges();
    expect(page().querySelector('form[aria-label="Reset password for cleo"]')).toBeNull();
    expect(text('[role="status"]')).toMatch(/New password set for cleo/);
  });
});
