import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import { loadPasswordChecker, type AccountSource, type AdminUser } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { UsersAdminComponent } from './users-admin.component';

const user = (username: string, role: 'admin' | 'staff' | 'client' = 'staff', source: AccountSource = 'local'): AdminUser => ({
  username,
  display_name: username,
  role,
  disabled: false,
  source,
  has_password: source === 'local',
  bot: false,
  created_at: '2026-11-01T10:00:00.000Z',
  updated_at: '2026-11-01T10:00:00.000Z',
});

/** The component awaits plain promises (firstValueFrom) between requests; let them run. */
const promisesSettled = () => new Promise((resolve) => setTimeout(resolve));

describe('UsersAdminComponent', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        // jsdom fires no animation events: a dialog would never finish closing.
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthService).user.set({ username: 'admin', display_name: 'Admin', role: 'admin' });
  });
  // The Bots section below the list loads too; it has its own spec (bots-admin.component.spec.ts).
  afterEach(() => {
    http.match('/api/admin/bots');
    http.verify();
  });

  async function render(users = [user('admin', 'admin'), user('sam')]) {
    const fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    http.expectOne('/api/users').flush({ users });
    await fixture.whenStable();
    fixture.detectChanges();
    const row = (name: string) => fixture.nativeElement.querySelector(`tr[data-user="${name}"]`) as HTMLElement;
    /** Dialogs render in the CDK overlay, outside the component. */
    const dialog = () => document.querySelector('parley-confirm-delete-dialog') as HTMLElement | null;
    const button = (root: HTMLElement, text: string) =>
      Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === text) as HTMLButtonElement | undefined;
    /** Opens a row's edit dialog; it renders in the overlay too. */
    const openEdit = async (name: string) => {
      button(row(name), 'Edit')!.click();
      await fixture.whenStable();
      fixture.detectChanges();
      return document.querySelector('parley-edit-user-dialog') as HTMLElement;
    };
    /** Types a display name in the open edit dialog and saves it. */
    const rename = async (editDialog: HTMLElement, displayName: string) => {
      const field = editDialog.querySelector<HTMLInputElement>('input[name="display_name"]')!;
      field.value = displayName;
      field.dispatchEvent(new Event('input'));
      editDialog.querySelector('form')!.dispatchEvent(new Event('submit'));
      await fixture.whenStable();
      await promisesSettled();
    };
    return { fixture, row, dialog, button, openEdit, rename };
  }

  it('marks a bot in the list and offers it no password reset', async () => {
    const { row, button } = await render([user('admin', 'admin'), { ...user('relay'), has_password: false, bot: true }]);
    expect(row('relay').querySelector('[data-testid="bot-badge"]')?.textContent).toBe('bot');
    expect(row('relay').textContent).not.toContain('no password');
    expect(button(row('relay'), 'Reset password')).toBeUndefined();
    expect(row('admin').querySelector('[data-testid="bot-badge"]')).toBeNull();
  });

  it('deletes a user only after the dialog is confirmed, then reloads the list', async () => {
    const { fixture, row, dialog, button } = await render();
    button(row('sam'), 'Delete')!.click();
    await fixture.whenStable();
    expect(dialog()?.textContent).toContain('Delete sam?');
    http.expectNone((request) => request.method === 'DELETE');

    button(dialog()!, 'Delete sam')!.click();
    await fixture.whenStable();
    const request = http.expectOne((r) => r.method === 'DELETE');
    expect(request.request.url).toBe('/api/users/sam');
    request.flush(null, { status: 204, statusText: 'No Content' });
    await promisesSettled();
    http.expectOne('/api/users').flush({ users: [user('admin', 'admin')] });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(fixture.componentInstance.message()).toMatch(/^Deleted sam/);
    expect(row('sam')).toBeNull();
  });

  it('changes nothing when the dialog is cancelled', async () => {
    const { fixture, row, dialog, button } = await render();
    button(row('sam'), 'Delete')!.click();
    await fixture.whenStable();
    button(dialog()!, 'Cancel')!.click();
    await fixture.whenStable();
    http.expectNone((request) => request.method === 'DELETE');
    expect(row('sam')).not.toBeNull();
  });

  it('offers no Delete for the signed-in admin, and shows the server refusal of anything else', async () => {
    const { fixture, row, dialog, button } = await render();
    expect(button(row('admin'), 'Delete')).toBeUndefined();
    button(row('sam'), 'Delete')!.click();
    await fixture.whenStable();
    button(dialog()!, 'Delete sam')!.click();
    await fixture.whenStable();
    http
      .expectOne((r) => r.method === 'DELETE')
      .flush({ statusCode: 409, code: 'LAST_ADMIN', message: 'sam is the last enabled admin' }, { status: 409, statusText: 'Conflict' });
    await promisesSettled();
    expect(fixture.componentInstance.error()).toBe('sam is the last enabled admin');
  });

  it('disables only after a dialog naming the person and the consequence is confirmed', async () => {
    const { fixture, row, button } = await render();
    const confirm = () => document.querySelector('parley-confirm-dialog') as HTMLElement | null;
    expect(button(row('admin'), 'Disable')).toBeUndefined();
    button(row('sam'), 'Disable')!.click();
    await fixture.whenStable();
    expect(confirm()?.textContent).toContain('Disable sam?');
    expect(confirm()?.textContent).toContain('signed out on every device');
    button(confirm()!, 'Cancel')!.click();
    await fixture.whenStable();
    await promisesSettled();
    http.expectNone((request) => request.method === 'PATCH');

    button(row('sam'), 'Disable')!.click();
    await fixture.whenStable();
    button(confirm()!, 'Disable sam')!.click();
    await fixture.whenStable();
    await promisesSettled();
    const patch = http.expectOne((r) => r.method === 'PATCH');
    expect(patch.request.body).toEqual({ disabled: true });
    patch.flush({ user: { ...user('sam'), disabled: true } });
    await promisesSettled();
    http.expectOne('/api/users').flush({ users: [user('admin', 'admin'), { ...user('sam'), disabled: true }] });
  });

  it('edits the display name and role in a dialog, sending only what changed, and says a refusal plainly', async () => {
    const { fixture, openEdit, rename } = await render();
    await rename(await openEdit('sam'), 'Sam Porter');
    http
      .expectOne((r) => r.method === 'PATCH' && r.url === '/api/users/sam')
      .flush({ statusCode: 409, code: 'SELF_CHANGE', message: 'You may not demote your own admin account; ask another admin' }, { status: 409, statusText: 'Conflict' });
    await promisesSettled();
    fixture.detectChanges();
    expect(fixture.componentInstance.error()).toBe('You may not demote your own admin account; ask another admin');
    expect((fixture.nativeElement as HTMLElement).querySelector('[role="alert"]')?.textContent).toContain('ask another admin');
  });

  describe('accounts from the company directory and single sign-on', () => {
    const people = [user('admin', 'admin'), user('sam'), user('dana', 'staff', 'ldap'), user('omar', 'client', 'oidc')];

    it('says where each account comes from, in a word and in full for the tooltip and screen readers', async () => {
      const { fixture, row } = await render(people);
      const source = (name: string) => row(name).querySelector('[data-testid="source"]') as HTMLElement;
      expect(source('sam').textContent?.trim()).toBe('Local');
      expect(source('dana').textContent?.trim()).toBe('Directory');
      expect(source('omar').textContent?.trim()).toBe('Single sign-on');
      // The tooltip's text is the element's description: a screen reader says it after the word.
      const description = (name: string) => {
        const ids = source(name).getAttribute('aria-describedby')?.split(' ') ?? [];
        return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
      };
      expect(description('dana')).toContain('Account from the company directory (LDAP)');
      expect(description('omar')).toContain('Account from single sign-on (OpenID Connect)');
      // Reachable by keyboard where it says more than "Local".
      expect(source('dana').getAttribute('tabindex')).toBe('0');
      expect(source('sam').hasAttribute('tabindex')).toBe(false);
      expect((fixture.nativeElement as HTMLElement).querySelector('th:nth-child(4)')?.textContent).toBe('Source');
    });

    it('offers no password reset for a directory or single sign-on account, and keeps disable and delete', async () => {
      const { row, button } = await render(people);
      expect(button(row('sam'), 'Reset password')).toBeDefined();
      for (const name of ['dana', 'omar']) {
        expect(button(row(name), 'Reset password')).toBeUndefined();
        expect(button(row(name), 'Disable')).toBeDefined();
        expect(button(row(name), 'Delete')).toBeDefined();
        expect(button(row(name), 'Edit')).toBeDefined();
        // They never had a Parley password: not flagged as missing one.
        expect(row(name).querySelector('td[data-label="Status"]')?.textContent?.trim()).toBe('active');
      }
    });

    it("shows a directory account's name and role in the edit dialog, neither editable, and closes without a request", async () => {
      const { fixture, button, openEdit } = await render(people);
      const dialog = await openEdit('dana');
      expect(dialog.querySelector<HTMLInputElement>('input[name="display_name"]')!.readOnly).toBe(true);
      expect(dialog.textContent).toContain('The name comes from the company directory.');
      expect(dialog.querySelector('mat-select')!.getAttribute('aria-disabled')).toBe('true');
      expect(dialog.textContent).toContain("The role comes from the account's groups in the directory.");
      expect(button(dialog, 'Save dana')).toBeUndefined();
      button(dialog, 'Close')!.click();
      await fixture.whenStable();
      await promisesSettled();
      http.expectNone((request) => request.method === 'PATCH');
      expect(document.querySelector('parley-edit-user-dialog')).toBeNull();
    });

    it("shows a single sign-on account's name and role, neither editable", async () => {
      const { fixture, button, openEdit } = await render(people);
      const dialog = await openEdit('omar');
      expect(dialog.querySelector('mat-select')!.getAttribute('aria-disabled')).toBe('true');
      expect(dialog.textContent).toContain("The role comes from the account's single sign-on groups.");
      expect(dialog.querySelector<HTMLInputElement>('input[name="display_name"]')!.readOnly).toBe(true);
      expect(dialog.textContent).toContain('The name comes from single sign-on.');
      button(dialog, 'Close')!.click();
      await fixture.whenStable();
      http.expectNone((request) => request.method === 'PATCH');
    });

    it("keeps a local account's role editable", async () => {
      const { fixture, button, openEdit } = await render(people);
      const dialog = await openEdit('sam');
      expect(dialog.querySelector('mat-select')!.getAttribute('aria-disabled')).toBe('false');
      expect(dialog.textContent).toContain('A new role signs sam out everywhere.');
      button(dialog, 'Cancel')!.click();
      await fixture.whenStable();
    });

    it("shows the server's DIRECTORY_ACCOUNT refusal, which says where to change it", async () => {
      const { fixture, openEdit, rename } = await render(people);
      await rename(await openEdit('omar'), 'Omar K.');
      const message = "omar's name comes from the single sign-on provider: change it there";
      http
        .expectOne((r) => r.method === 'PATCH')
        .flush({ statusCode: 409, code: 'DIRECTORY_ACCOUNT', message }, { status: 409, statusText: 'Conflict' });
      await promisesSettled();
      fixture.detectChanges();
      expect((fixture.nativeElement as HTMLElement).querySelector('[role="alert"]')?.textContent?.trim()).toBe(message);
    });
  });

  const pending = () => http.match((request) => request.url === '/api/users');
  const shown = (fixture: { nativeElement: HTMLElement }) =>
    Array.from(fixture.nativeElement.querySelectorAll('tr[data-user]'), (row) => row.getAttribute('data-user'));

  it('shows the first page, then appends the next one from "More users"', async () => {
    const fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    const [first] = pending();
    expect(first.request.params.keys()).toEqual([]);
    first.flush({ users: [user('al'), user('bo')], next_after: 'bo' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(shown(fixture)).toEqual(['al', 'bo']);

    (fixture.nativeElement.querySelector('button.more') as HTMLButtonElement).click();
    const [second] = pending();
    expect(second.request.params.get('after')).toBe('bo');
    second.flush({ users: [user('cy')], next_after: null });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(shown(fixture)).toEqual(['al', 'bo', 'cy']);
    expect(fixture.nativeElement.querySelector('button.more')).toBeNull();
  });

  it('searches on the server, and a late answer for the old search does not replace the new one', async () => {
    const fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    const component = fixture.componentInstance;
    component.searchFor(' zed ');
    const [unfiltered, search] = pending();
    expect(search.request.params.get('q')).toBe('zed');
    search.flush({ users: [user('zed')], next_after: null });
    await fixture.whenStable();
    unfiltered.flush({ users: [user('al')], next_after: 'al' });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(shown(fixture)).toEqual(['zed']);
    expect(component.nextAfter()).toBeNull();
  });
});

const cleo = { ...user('cleo', 'client'), display_name: 'Cleo' };

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
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(UsersAdminComponent);
    fixture.detectChanges();
    http.expectOne('/api/users').flush({ users: [cleo] });
    await loadPasswordChecker();
    await fixture.whenStable();
  });
  // The Bots section below the list loads too; it has its own spec (bots-admin.component.spec.ts).
  afterEach(() => {
    http.match('/api/admin/bots');
    http.verify();
  });

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

  it('leaves a blank create form after a user is created, not one showing empty required fields as errors', async () => {
    await type('username', 'sam');
    await type('password', 'sam-quiet-harbor-lamp');
    page().querySelector('form[aria-label="Create a user"]')!.dispatchEvent(new Event('submit'));
    http.expectOne((r) => r.method === 'POST' && r.url === '/api/users').flush({ user: { ...cleo, username: 'sam' } });
    await promisesSettled();
    http.expectOne('/api/users').flush({ users: [cleo] });
    await fixture.whenStable();
    fixture.detectChanges();
    expect(text('[role="status"]')).toMatch(/Created sam/);
    const username = page().querySelector<HTMLInputElement>('input[name="username"]')!;
    expect(username.value).toBe('');
    expect(username.getAttribute('aria-invalid')).not.toBe('true');
    expect(page().querySelector('form[aria-label="Create a user"] .mat-form-field-invalid')).toBeNull();
  });

  it('resets a password in a dialog: hidden, typed twice, the rule shown, set only when both match and it is strong', async () => {
    button('Reset password').click();
    await fixture.whenStable();
    const dialog = () => document.querySelector('parley-reset-password-dialog') as HTMLElement;
    const set = () => Array.from(dialog().querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Reset password of cleo')!;
    const typeIn = async (name: string, value: string) => {
      const field = dialog().querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
      expect(field.type).toBe('password');
      field.value = value;
      field.dispatchEvent(new Event('input'));
      fixture.detectChanges();
      await fixture.whenStable();
    };
    const alert = () => dialog().querySelector('[role="alert"]')?.textContent ?? '';
    // Refused on the click, saying why; nothing is sent and the dialog stays.
    const refusedWith = async (reason: RegExp) => {
      expect(set().disabled).toBe(false);
      set().click();
      fixture.detectChanges();
      await fixture.whenStable();
      expect(alert()).toMatch(reason);
      http.expectNone('/api/users/cleo/password');
    };
    expect(dialog().querySelector('.rule')?.textContent).toMatch(/At least 8 characters and hard to guess/);
    await refusedWith(/Type the new password twice/);
    await typeIn('password', 'cleo1234');
    // Typing takes a refusal away.
    expect(alert()).toBe('');
    await typeIn('confirmation', 'cleo1234');
    expect(dialog().querySelector('.verdict')?.textContent?.trim()).not.toBe('');
    await refusedWith(/Choose a harder password/);

    await typeIn('password', 'cleo-new-lantern-42');
    await typeIn('confirmation', 'cleo-new-lantern-41');
    expect(alert()).toContain('The two passwords differ');
    await refusedWith(/The two passwords differ/);

    await typeIn('confirmation', 'cleo-new-lantern-42');
    expect(alert()).toBe('');
    set().click();
    await fixture.whenStable();
    await promisesSettled();
    const request = http.expectOne('/api/users/cleo/password');
    expect(request.request.body).toEqual({ password: 'cleo-new-lantern-42' });
    request.flush({ user: cleo });
    await promisesSettled();
    http.expectOne('/api/users').flush({ users: [cleo] });
    await promisesSettled();
    fixture.detectChanges();
    expect(document.querySelector('parley-reset-password-dialog')).toBeNull();
    expect(text('[role="status"]')).toMatch(/New password set for cleo/);
  });
});
