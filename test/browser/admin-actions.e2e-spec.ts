import type { Locator, Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, createUser } from '../support/clients';
import { eventually } from '../support/eventually';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

/**
 * The admin pages in Chromium: actions that end someone's session ask first, and that person's
 * page says why it ended; the roster notices the server is down; the users page speaks plainly;
 * roster, users and audit fit a phone and pass axe.
 */
describe('admin actions in a real browser', () => {
  let server: TestServer;
  const people: Person[] = [];
  let admin: Person;
  let pia: Person;

  // A cold CI run starts the server (transpiling @nestjs on first import) and several Chromiums
  // here, on two cores: more than the 30 s default for one step. A hang still fails.
  beforeAll(async () => {
    // Webhooks may go to 127.0.0.1 (the Webhooks case registers one nothing listens behind).
    server = await startServer({ PARLEY_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    const token = await adminToken(server);
    await createUser(server, token, 'pia', 'staff');
    admin = await openBrowser(server.url);
    pia = await openBrowser(server.url);
    people.push(admin, pia);
    await signIn(admin.page, 'admin', ADMIN_PASSWORD);
    await admin.page.waitForURL('**/admin/admin');
  }, 90_000);
  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.stop();
  });

  const rosterRows = (page: Page, name: string) => page.locator('[data-testid="roster-row"]', { hasText: name });
  const notice = (page: Page) => page.getByTestId('session-ended');
  async function signInAs(person: Person, password = 'pia-passphrase-9'): Promise<void> {
    await signIn(person.page, 'pia', password);
    await person.page.waitForURL('**/staff/pia');
    // The chat page is up: on a phone it opens on the conversation list, so look for the group there.
    await person.page.getByText('Staff group').first().waitFor();
  }
  /** The open dialog: it names the person and the consequence, and its confirm button says the action. */
  async function dialogSays(page: Page, title: string): Promise<Locator> {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: title }).waitFor();
    // Material moves focus into a dialog once it has opened: typing before that can land where
    // the focus is moved from (under load in CI, the second password went into the first field).
    await eventually(async () => expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true));
    return dialog;
  }
  const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  it('roster: "1 connection", a designed no-match state, and 0 axe violations', async () => {
    await admin.page.goto('/admin/admin/roster');
    await rosterRows(admin.page, 'admin').first().waitFor();
    // Only this page's socket: the chat page's closed when it was left.
    await admin.page.getByText(/^\s*1 connection ·/).waitFor();
    await admin.page.getByLabel('Filter').fill('nobody-by-this-name');
    await admin.page.getByText('No connection matches “nobody-by-this-name”.').waitFor();
    await screenshot(admin.page, 'admin-roster-no-match');
    await admin.page.getByRole('button', { name: 'Clear the filter' }).click();
    await rosterRows(admin.page, 'admin').first().waitFor();
    expect(await axeViolations(admin.page)).toEqual([]);
  });

  it('Sign out user asks first (Escape and Cancel do nothing), then the person is told "An administrator signed you out"', async () => {
    await signInAs(pia);
    const row = rosterRows(admin.page, 'pia').first();
    await row.waitFor();
    await row.getByRole('button', { name: 'Sign out user' }).click();
    let dialog = await dialogSays(admin.page, 'Sign pia out everywhere?');
    await dialog.getByText('Every session of pia ends, on every device').waitFor();
    await screenshot(admin.page, 'admin-roster-confirm-sign-out');
    await admin.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Sign out user' }).click();
    dialog = await dialogSays(admin.page, 'Sign pia out everywhere?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Nothing happened: pia's page is still signed in and on the roster.
    expect(pia.page.url()).toMatch(/\/staff\/pia$/);
    await row.waitFor();

    await row.getByRole('button', { name: 'Sign out user' }).click();
    dialog = await dialogSays(admin.page, 'Sign pia out everywhere?');
    await dialog.getByRole('button', { name: 'Sign out pia' }).click();
    await pia.page.waitForURL('**/login');
    await notice(pia.page).filter({ hasText: 'An administrator signed you out' }).waitFor();
    await screenshot(pia.page, 'pia-signed-out-notice');
    expect(await axeViolations(pia.page)).toEqual([]);
    // Shown once: a reload is an ordinary sign-in page.
    await pia.page.reload();
    await pia.page.getByLabel('User name').waitFor();
    expect(await notice(pia.page).count()).toBe(0);
  });

  it("Disconnect ends that device's session (it is told why); the person's other device stays signed in", async () => {
    const phone = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(phone);
    await signInAs(pia);
    await eventually(async () => expect(await rosterRows(admin.page, 'pia').count()).toBe(1));
    await signInAs(phone);
    await eventually(async () => expect(await rosterRows(admin.page, 'pia').count()).toBe(2));
    // The roster lists by connection time: the first row is pia's first device.
    await rosterRows(admin.page, 'pia').first().getByRole('button', { name: 'Disconnect' }).click();
    const dialog = await dialogSays(admin.page, 'Disconnect this device of pia?');
    await dialog.getByText('Their other devices stay signed in.').waitFor();
    await dialog.getByRole('button', { name: 'Disconnect pia' }).click();
    await pia.page.waitForURL('**/login');
    await notice(pia.page).filter({ hasText: 'An administrator disconnected this device' }).waitFor();
    // The roster drops it for good (no reconnect as a new connection); the phone is untouched.
    await eventually(async () => expect(await rosterRows(admin.page, 'pia').count()).toBe(1));
    expect(phone.page.url()).toMatch(/\/staff\/pia$/);
    await phone.page.getByText('Staff group').first().waitFor();
    expect(await notice(phone.page).count()).toBe(0);
    await admin.page.getByRole('status').filter({ hasText: 'Disconnected pia' }).waitFor();
  });

  it('Users: Disable and Reset password ask first; the person is told "Your account was disabled" and "Your password was reset"', async () => {
    const phone = people[2];
    await admin.page.goto('/admin/admin/users');
    const row = admin.page.locator('tr[data-user="pia"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    let dialog = await dialogSays(admin.page, 'Disable pia?');
    await dialog.getByText('signed out on every device at once').waitFor();
    await admin.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(phone.page.url()).toMatch(/\/staff\/pia$/);
    await row.getByRole('button', { name: 'Disable' }).click();
    dialog = await dialogSays(admin.page, 'Disable pia?');
    await dialog.getByRole('button', { name: 'Disable pia' }).click();
    await phone.page.waitForURL('**/login');
    await notice(phone.page).filter({ hasText: 'Your account was disabled' }).waitFor();
    await row.getByText('disabled').waitFor();
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByText('active').waitFor();

    await signInAs(phone);
    // Never window.prompt: a dialog would fail the test if one opened.
    admin.page.once('dialog', (native) => void native.dismiss().then(() => { throw new Error(`native ${native.type()} opened`); }));
    await row.getByRole('button', { name: 'Reset password' }).click();
    dialog = await dialogSays(admin.page, 'Reset the password of pia?');
    const first = dialog.getByLabel('New password', { exact: true });
    const second = dialog.getByLabel('New password again');
    expect(await first.getAttribute('type')).toBe('password');
    expect(await second.getAttribute('type')).toBe('password');
    // The rule is there before anything is typed.
    await dialog.getByText('At least 8 characters and hard to guess').waitFor();
    await first.fill('pia-a-fresh-lantern-7');
    await second.fill('pia-a-fresh-lantern-8');
    await dialog.getByRole('alert').filter({ hasText: 'The two passwords differ' }).waitFor();
    const set = dialog.getByRole('button', { name: 'Reset password of pia' });
    await set.click();
    // Still open, still saying why: nothing was sent.
    await dialog.getByRole('alert').filter({ hasText: 'The two passwords differ' }).waitFor();
    expect(await dialog.isVisible()).toBe(true);
    await screenshot(admin.page, 'admin-users-reset-dialog');
    await second.fill('pia-a-fresh-lantern-7');
    await set.click();
    await admin.page.getByRole('status').filter({ hasText: 'New password set for pia' }).waitFor();
    await phone.page.waitForURL('**/login');
    await notice(phone.page).filter({ hasText: 'Your password was reset' }).waitFor();
    await screenshot(phone.page, 'pia-phone-password-reset-notice');
    await signInAs(phone, 'pia-a-fresh-lantern-7');
  });

  it('Users: rules shown before submit, errors in plain words, a clean form after create, display name and role editable', async () => {
    const form = admin.page.getByRole('form', { name: 'Create a user' });
    await form.getByText('must be 1-32 characters').first().waitFor();
    await form.getByText('At least 8 characters and hard to guess').waitFor();
    await form.getByLabel('User name').fill('Bad Name!');
    await form.getByLabel('Initial password').fill('a-long-enough-lantern-3');
    await form.getByRole('button', { name: 'Create user' }).click();
    const refusal = admin.page.getByRole('alert').filter({ hasText: 'User name: must be 1-32 characters' });
    await refusal.waitFor();
    expect(await refusal.textContent()).not.toMatch(/Invalid payload|username:/);
    // Chromium logs every 4xx response in the console; this refusal is the expected one.
    const refused = admin.errors.findIndex((e) => e.includes('/api/users') && e.includes('400'));
    if (refused >= 0) admin.errors.splice(refused, 1);

    await form.getByLabel('User name').fill('quinn');
    await form.getByRole('button', { name: 'Create user' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Created quinn' }).waitFor();
    expect(await form.locator('.mat-form-field-invalid').count()).toBe(0);
    expect(await form.getByLabel('User name').inputValue()).toBe('');

    const row = admin.page.locator('tr[data-user="quinn"]');
    await row.getByRole('button', { name: 'Edit quinn' }).click();
    let dialog = await dialogSays(admin.page, 'Edit quinn');
    await dialog.getByLabel('Display name').fill('Quinn Archer');
    await dialog.getByRole('button', { name: 'Save quinn' }).click();
    await row.getByText('Quinn Archer').waitFor();

    // One's own admin role: the server refuses, and the page says so in its words.
    await admin.page.locator('tr[data-user="admin"]').getByRole('button', { name: 'Edit admin' }).click();
    dialog = await dialogSays(admin.page, 'Edit admin');
    await dialog.getByLabel('Role').click();
    await admin.page.getByRole('option', { name: 'staff', exact: true }).click();
    await dialog.getByRole('button', { name: 'Save admin' }).click();
    await admin.page.getByRole('alert').filter({ hasText: 'own admin account' }).waitFor();
    const conflict = admin.errors.findIndex((e) => e.includes('/api/users/admin') && e.includes('409'));
    if (conflict >= 0) admin.errors.splice(conflict, 1);
    await screenshot(admin.page, 'admin-users-desktop');
    expect(await axeViolations(admin.page)).toEqual([]);
  });

  it('Bots: create one, its token shown once with Copy; its message in the chat carries a "bot" badge', async () => {
    const page = admin.page;
    const form = page.getByRole('form', { name: 'Create a bot' });
    await page.getByTestId('no-bots').waitFor();
    await form.getByLabel('Bot user name').fill('deploy-bot');
    await form.getByLabel('Display name').fill('Deploys');
    await form.getByLabel('Bot user name').press('Enter');
    const shown = page.getByTestId('bot-token');
    const token = (await shown.locator('code').textContent())!.trim();
    expect(token).toMatch(/^parley_bot_/);
    await page.locator('tr[data-bot="deploy-bot"]').getByText('never used').waitFor();
    await screenshot(page, 'admin-bots-token-shown');
    expect(await axeViolations(page)).toEqual([]);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });

    const posted = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      // A staff bot: the staff group, which admins read.
      body: JSON.stringify({ recipients: 'group:staff', message: 'Deploy 142 finished' }),
    });
    expect(posted.status).toBe(201);
    await page.goto('/admin/admin');
    await page.getByText('Staff group').first().click();
    const message = page.getByTestId('message').filter({ hasText: 'Deploy 142 finished' });
    await message.getByTestId('bot-badge').waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'chat-bot-message-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/admin/admin/users');
  });

  it('Audit: a main landmark and heading, 0 axe violations', async () => {
    await admin.page.goto('/admin/admin/audit');
    await admin.page.getByTestId('audit-row').first().waitFor();
    await admin.page.getByRole('main').getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    // The filter's outline (and its floating label above it) keeps clear of the page top.
    const filter = (await admin.page.locator('.filter').boundingBox())!;
    expect(filter.y).toBeGreaterThanOrEqual(8);
    await screenshot(admin.page, 'admin-audit-desktop');
    expect(await axeViolations(admin.page)).toEqual([]);
  });

  it('Retention & export: set an override, see it listed, remove it; the export link follows the form', async () => {
    await admin.page.goto('/admin/admin/retention');
    const page = admin.page;
    await page.getByRole('main').getByRole('heading', { name: 'Retention & export', level: 1 }).waitFor();
    await page.getByText('No per-conversation overrides').waitFor();
    await page.getByLabel('Conversation', { exact: true }).fill('channel:nope');
    await page.getByLabel('Days').fill('7');
    await page.getByRole('button', { name: 'Set retention' }).click();
    // The server's coded error shows beside the form, and what was typed stays.
    await page.getByTestId('retention-error').waitFor();
    expect(await page.getByLabel('Conversation', { exact: true }).inputValue()).toBe('channel:nope');
    // The browser logs the refused request (404); that one is expected.
    const refused = admin.errors.findIndex((e) => e.includes('/api/admin/retention') && e.includes('404'));
    if (refused >= 0) admin.errors.splice(refused, 1);
    await page.getByLabel('Conversation', { exact: true }).fill('group:staff');
    await page.getByLabel('Days').press('Enter');
    const row = page.locator('[data-testid="retention-override"][data-conversation="group:staff"]');
    await row.getByText('7 days').waitFor();
    await page.getByLabel('Sent on or after').fill('2026-01-01');
    expect(await page.getByRole('link', { name: 'Export messages' }).getAttribute('href')).toBe('/api/admin/export?after=2026-01-01');
    await screenshot(page, 'admin-retention-desktop');
    expect(await axeViolations(page)).toEqual([]);
    await row.getByRole('button', { name: 'Remove the override of group:staff' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('group:staff follows the default again.').waitFor();
    // A phone, dark: one column, nothing off to the side.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await noSidewaysScroll(page)).toBe(0);
    await screenshot(page, 'admin-retention-phone-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('Webhooks: register one, its secret shown once, listed with its state; remove asks first; fits a phone in dark', async () => {
    const page = admin.page;
    await page.goto('/admin/admin/webhooks');
    await page.getByRole('main').getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText('No webhooks yet').waitFor();
    await page.getByLabel('Address (URL)').fill('http://127.0.0.1:9/parley');
    await page.getByLabel('Conversations (optional)').fill('group:staff');
    await page.getByLabel('Note (optional)').fill('CI bot');
    await page.getByRole('button', { name: 'Register webhook' }).click();
    const secret = page.getByTestId('webhook-secret');
    expect(await secret.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
    const item = page.locator('[data-testid="webhook"][data-url="http://127.0.0.1:9/parley"]');
    await item.getByText('Nothing sent yet').waitFor();
    await screenshot(page, 'admin-webhooks-desktop');
    expect(await axeViolations(page)).toEqual([]);
    await secret.getByRole('button', { name: 'Done' }).click();
    await secret.waitFor({ state: 'detached' });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await item.getByRole('button', { name: 'Deliveries' }).click();
    await item.getByText('No deliveries yet').waitFor();
    expect(await noSidewaysScroll(page)).toBe(0);
    await screenshot(page, 'admin-webhooks-phone-dark');
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });

    await item.getByRole('button', { name: 'Remove' }).click();
    const dialog = await dialogSays(page, 'Remove the webhook to http://127.0.0.1:9/parley?');
    await dialog.getByRole('button', { name: 'Remove webhook' }).click();
    await page.getByText('No webhooks yet').waitFor();
  });

  it('Incoming webhooks: create one for deploy-bot, its URL shown once and working with no cookie; revoke asks first', async () => {
    const page = admin.page;
    await page.goto('/admin/admin/webhooks');
    const form = page.getByRole('form', { name: 'Create an incoming webhook' });
    await page.getByText('No incoming webhooks yet').waitFor();
    // deploy-bot is the Bots case's (staff).
    await form.getByLabel('Posts as (bot)').selectOption('deploy-bot');
    await form.getByLabel('Conversation').fill('group:staff');
    await form.getByLabel('Name (optional)').fill('Builds');
    await form.getByRole('button', { name: 'Create incoming webhook' }).click();
    const shown = page.getByTestId('incoming-url');
    const url = await shown.getByLabel('Incoming webhook URL').inputValue();
    expect(url).toMatch(/\/api\/hooks\/parley_hook_[A-Za-z0-9_-]{43}$/);
    const item = page.locator('[data-testid="incoming-webhook"]', { hasText: 'Builds' });
    await item.getByText('Posts as deploy-bot into group:staff').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });

    // As curl would post it: no cookie, no token header.
    const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Build 42 passed' }) });
    expect(posted.status).toBe(201);
    await page.reload();
    await item.getByText('Last used').waitFor();

    await item.getByRole('button', { name: 'Revoke' }).click();
    const dialog = await dialogSays(page, 'Revoke the incoming webhook Builds?');
    await dialog.getByRole('button', { name: 'Revoke webhook' }).click();
    await item.getByText('Revoked').waitFor();
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'late' }) })).status).toBe(404);
  });

  it('at 390 px the roster and users are cards with every action reachable, no sideways scroll, and 0 axe violations', async () => {
    const phoneAdmin = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(phoneAdmin);
    await signIn(phoneAdmin.page, 'admin', ADMIN_PASSWORD);
    await phoneAdmin.page.waitForURL('**/admin/admin');
    await phoneAdmin.page.goto('/admin/admin/roster');
    const piaRow = rosterRows(phoneAdmin.page, 'pia').first();
    await piaRow.waitFor();
    for (const name of ['Disconnect', 'Sign out user']) {
      const box = (await piaRow.getByRole('button', { name }).boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await noSidewaysScroll(phoneAdmin.page)).toBeLessThanOrEqual(0);
    await screenshot(phoneAdmin.page, 'admin-roster-phone');
    expect(await axeViolations(phoneAdmin.page)).toEqual([]);

    await phoneAdmin.page.goto('/admin/admin/users');
    const quinn = phoneAdmin.page.locator('tr[data-user="quinn"]');
    await quinn.waitFor();
    for (const name of ['Edit quinn', 'Disable', 'Reset password', 'Delete']) {
      const button = quinn.getByRole('button', { name, exact: true });
      expect(await button.textContent()).toContain(name.split(' ')[0]);
      const box = (await button.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    expect(await noSidewaysScroll(phoneAdmin.page)).toBeLessThanOrEqual(0);
    await screenshot(phoneAdmin.page, 'admin-users-phone');
    expect(await axeViolations(phoneAdmin.page)).toEqual([]);

    await phoneAdmin.page.goto('/admin/admin/audit');
    await phoneAdmin.page.getByTestId('audit-row').first().waitFor();
    await screenshot(phoneAdmin.page, 'admin-audit-phone');
    expect(await axeViolations(phoneAdmin.page)).toEqual([]);
  });

  it('roster: while the server is down, a banner and last-known rows; fresh again once it is back', async () => {
    await admin.page.goto('/admin/admin/roster');
    const row = rosterRows(admin.page, 'pia').first();
    await row.waitFor();
    await server.pause();
    try {
      await admin.page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor();
      await admin.page.getByText('(last known)').waitFor();
      expect(await admin.page.locator('table.stale').count()).toBe(1);
      expect(await row.getByRole('button', { name: 'Disconnect' }).isDisabled()).toBe(true);
      await screenshot(admin.page, 'admin-roster-offline');
    } finally {
      await server.resume();
    }
    await admin.page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor({ state: 'detached', timeout: 20_000 });
    await admin.page.locator('table.stale').waitFor({ state: 'detached' });
    await rosterRows(admin.page, 'pia').first().waitFor();
    // Chromium logs every page's refused reconnects while the server was down; those are expected.
    for (const person of people) {
      const expected = person.errors.filter((e) => e.includes('ERR_CONNECTION_REFUSED'));
      person.errors.splice(0, person.errors.length, ...person.errors.filter((e) => !expected.includes(e)));
    }
  });

  it('logged no unexpected console errors in any browser', () => {
    expect(people.flatMap((p) => p.errors)).toEqual([]);
  });
});
