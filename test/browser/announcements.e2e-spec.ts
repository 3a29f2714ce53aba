import type { Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { openAdminPage, openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, api, createUser } from '../support/clients';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

/**
 * Announcements in Chromium: an admin posts to clients; the client's pages (a desktop and a
 * phone) show the banner live and after a reload; acknowledging on one device takes it off
 * both, and the admin's count moves without a reload. Screenshots in light and dark and at
 * 390 px; axe over the banner and the admin page.
 */
describe('announcements in a real browser', () => {
  let server: TestServer;
  const people: Person[] = [];
  let admin: Person;
  let cleo: Person;
  let phone: Person;
  let token: string;

  beforeAll(async () => {
    server = await startServer();
    token = await adminToken(server);
    await createUser(server, token, 'cleo', 'client');
    admin = await openBrowser(server.url);
    cleo = await openBrowser(server.url);
    phone = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(admin, cleo, phone);
    await signIn(admin.page, 'admin', ADMIN_PASSWORD);
    await admin.page.waitForURL('**/admin/admin');
    for (const person of [cleo, phone]) {
      await signIn(person.page, 'cleo', 'cleo-passphrase-9');
      await person.page.waitForURL('**/client/cleo');
    }
  }, 90_000);
  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.stop();
  });

  const banner = (page: Page) => page.getByTestId('announcement-banner');
  const row = (page: Page) => page.getByTestId('announcement-row').first();
  const TEXT = '**Fire drill** at 3 pm today: leave by the stairs, not the lift, and meet in the car park.';

  it('the admin page starts empty and passes axe; the chat header links to it', async () => {
    await openAdminPage(admin.page, 'Announcements');
    await admin.page.waitForURL('**/admin/admin/announcements');
    await admin.page.getByText('No announcements yet.').waitFor();
    expect(await axeViolations(admin.page)).toEqual([]);
  });

  it('refuses an empty post with a clear error, then posts to clients only', async () => {
    await admin.page.getByRole('button', { name: 'Post announcement' }).click();
    await admin.page.getByText('Write the announcement first.').waitFor();
    await admin.page.getByLabel('Announcement', { exact: true }).fill(TEXT);
    await admin.page.getByRole('checkbox', { name: 'admin' }).uncheck();
    await admin.page.getByRole('checkbox', { name: 'staff' }).uncheck();
    await admin.page.getByRole('button', { name: 'Post announcement' }).click();
    await admin.page.getByText('Posted to clients.').waitFor();
    await row(admin.page).getByText('0 of 1 acknowledged').waitFor();
  });

  it("shows on the client's pages live, and again after a reload", async () => {
    for (const person of [cleo, phone]) {
      await banner(person.page).getByText('Fire drill').waitFor();
      // Formatted as messages are: bold, not asterisks.
      expect(await banner(person.page).locator('strong', { hasText: 'Fire drill' }).count()).toBe(1);
    }
    await phone.page.reload();
    await banner(phone.page).getByText('Fire drill').waitFor();
    await screenshot(cleo.page, 'announcement-banner-light');
    await screenshot(phone.page, 'announcement-banner-phone-light');
    expect(await axeViolations(cleo.page)).toEqual([]);
    for (const person of [cleo, phone]) await person.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(cleo.page, 'announcement-banner-dark');
    await screenshot(phone.page, 'announcement-banner-phone-dark');
    expect(await axeViolations(phone.page)).toEqual([]);
    // Nothing sideways on a phone.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
  });

  it('acknowledging on one device takes it off both, and the admin sees the count move live', async () => {
    await row(admin.page).getByRole('button', { name: 'Who has, who has not' }).click();
    await row(admin.page).getByTestId('not-acked').filter({ hasText: 'cleo' }).waitFor();
    await screenshot(admin.page, 'announcements-admin-light');
    // Keyboard: Tab reaches the button; Enter acknowledges.
    await banner(phone.page).getByRole('button', { name: 'Acknowledge' }).focus();
    await phone.page.keyboard.press('Enter');
    await banner(phone.page).waitFor({ state: 'detached' });
    await banner(cleo.page).waitFor({ state: 'detached' });
    await row(admin.page).getByText('1 of 1 acknowledged').waitFor();
    await row(admin.page).getByTestId('acked').filter({ hasText: 'cleo' }).waitFor();
    await admin.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(admin.page, 'announcements-admin-dark');
    expect(await axeViolations(admin.page)).toEqual([]);
    await cleo.page.reload();
    await cleo.page.getByRole('region', { name: 'Announcements' }).waitFor({ state: 'attached' });
    expect(await banner(cleo.page).count()).toBe(0);
  });

  it('one to everyone shows live on the admin pages too (users: a page without a socket of its own), and goes when acknowledged there', async () => {
    await admin.page.getByRole('link', { name: '← Chat' }).click();
    await openAdminPage(admin.page, 'Users');
    await admin.page.waitForURL('**/admin/admin/users');
    await admin.page.getByRole('table', { name: 'Users' }).waitFor();
    const posted = await api(server, 'POST', '/api/announcements', { token, body: { message: 'Server maintenance on Sunday' } });
    expect(posted.status).toBe(201);
    await banner(admin.page).getByText('Server maintenance').waitFor();
    await banner(admin.page).getByRole('button', { name: 'Acknowledge' }).click();
    await banner(admin.page).waitFor({ state: 'detached' });
    await admin.page.getByRole('link', { name: 'Announcements' }).click();
    await row(admin.page).getByText('1 of 2 acknowledged').waitFor();
    // cleo's page got it live too.
    await banner(cleo.page).getByText('Server maintenance').waitFor();
  });

  it('fits a phone for the admin too', async () => {
    await admin.page.setViewportSize({ width: 390, height: 844 });
    await admin.page.emulateMedia({ colorScheme: 'light' });
    await row(admin.page).waitFor();
    await screenshot(admin.page, 'announcements-admin-phone');
    expect(await admin.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
    expect(people.flatMap((p) => p.errors)).toEqual([]);
  });
});
