import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

/**
 * The web app in Debian's Chromium against the real server (fresh SQLite file, free port):
 * three people in three browser profiles, as the README's walkthrough describes.
 */
describe('the web app in a real browser', () => {
  let server: TestServer;
  const people: Person[] = [];
  let admin: Person;
  let staff: Person;
  let client: Person;

  beforeAll(async () => {
    server = await startServer();
    admin = await openBrowser(server.url);
    staff = await openBrowser(server.url);
    client = await openBrowser(server.url);
    people.push(admin, staff, client);
  });
  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.stop();
  });

  const conversation = (person: Person, id: string) => person.page.locator(`[data-conversation="${id}"]`);
  const messages = (person: Person) => person.page.getByTestId('message');
  async function send(person: Person, text: string): Promise<void> {
    const box = person.page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
    await person.page.locator('[data-testid="message"][data-state="sent"]', { hasText: text }).waitFor();
  }

  it('signs the admin in and lands on their page', async () => {
    await admin.page.goto('/');
    await admin.page.waitForURL('**/login');
    await signIn(admin.page, 'admin', ADMIN_PASSWORD);
    await admin.page.waitForURL('**/admin/admin');
    await conversation(admin, 'group:admin').waitFor();
    await screenshot(admin.page, '01-admin-chat');
  });

  it('lets the admin create a staff and a client user', async () => {
    await admin.page.getByRole('link', { name: 'Users' }).click();
    await admin.page.waitForURL('**/admin/admin/users');
    for (const [username, role] of [
      ['sam', 'staff'],
      ['cleo', 'client'],
    ]) {
      const form = admin.page.getByRole('form', { name: 'Create a user' });
      await form.getByLabel('User name').fill(username);
      await form.getByLabel('Display name').fill(username.toUpperCase());
      await form.getByLabel('Role').click();
      await admin.page.getByRole('option', { name: role, exact: true }).click();
      await form.getByLabel('Initial password').fill(`${username}-password`);
      await form.getByRole('button', { name: 'Create user' }).click();
      await admin.page.locator(`tr[data-user="${username}"]`).waitFor();
    }
    await screenshot(admin.page, '02-admin-users');
  });

  it('signs in staff and client, and sends a wrong-role URL to the user\'s own page', async () => {
    await signIn(staff.page, 'sam', 'sam-password');
    await staff.page.waitForURL('**/staff/sam');
    await signIn(client.page, 'cleo', 'cleo-password');
    await client.page.waitForURL('**/client/cleo');
    for (const url of ['/staff/sam', '/admin/admin', '/admin/cleo/roster', '/client/someone-else']) {
      await client.page.goto(url);
      await client.page.waitForURL('**/client/cleo');
    }
    await conversation(client, 'group:client').waitFor();
  });

  it('shows everyone on the admin roster', async () => {
    await admin.page.getByRole('link', { name: '← Chat' }).click();
    await admin.page.getByRole('link', { name: 'Roster' }).click();
    await admin.page.waitForURL('**/admin/admin/roster');
    for (const name of ['sam', 'cleo']) {
      await admin.page.locator('[data-testid="roster-row"]', { hasText: name }).first().waitFor();
    }
    await screenshot(admin.page, '03-admin-roster');
  });

  it('carries group messages and DMs exactly as the permission table allows', async () => {
    // Staff posts to the client group; the client, looking at that group, sees it.
    await conversation(staff, 'group:client').click();
    await send(staff, 'Hello clients, office closes at 5');
    await messages(client).filter({ hasText: 'Hello clients' }).waitFor();

    // A client may read its group but not post there.
    await expectDisabled(client);

    // The client writes to the staff group; staff sees it.
    await conversation(client, 'group:staff').click();
    await send(client, 'Can I come at 6?');
    await conversation(staff, 'group:staff').click();
    await messages(staff).filter({ hasText: 'Can I come at 6?' }).waitFor();

    // Staff answers by DM, picked from the directory; the client sees it arrive as unread.
    await staff.page.getByRole('combobox', { name: 'New direct message' }).click({ force: true });
    await staff.page.getByRole('option', { name: /cleo/ }).click();
    await send(staff, 'Yes, come at 6');
    await conversation(client, 'user:sam').getByLabel('1 unread').waitFor();
    await conversation(client, 'user:sam').click();
    await messages(client).filter({ hasText: 'Yes, come at 6' }).waitFor();
    await conversation(client, 'user:sam').getByLabel('1 unread').waitFor({ state: 'detached' });

    // The admin is in none of these conversations and saw none of it.
    await admin.page.getByRole('link', { name: '← Chat' }).click();
    await conversation(admin, 'group:admin').waitFor();
    for (const text of ['Hello clients', 'Can I come at 6?', 'Yes, come at 6']) {
      expect(await admin.page.getByText(text).count()).toBe(0);
    }
    await screenshot(client.page, '04-client-dm');
    await screenshot(staff.page, '05-staff-chat');
  });

  async function expectDisabled(person: Person): Promise<void> {
    const box = person.page.getByLabel('Message', { exact: true });
    if (!(await box.isDisabled())) throw new Error('composer should be disabled in a read-only group');
  }

  it('replays what an offline client missed, once, when it comes back', async () => {
    await admin.page.getByRole('link', { name: 'Roster' }).click();
    const cleoRow = admin.page.locator('[data-testid="roster-row"]', { hasText: 'cleo' });
    await cleoRow.first().waitFor();
    await client.page.goto('about:blank');
    await cleoRow.first().waitFor({ state: 'detached' });

    await conversation(staff, 'user:cleo').click();
    await send(staff, 'While you were away 1');
    await send(staff, 'While you were away 2');

    await client.page.goto('/client/cleo');
    await conversation(client, 'user:sam').click();
    for (const text of ['While you were away 1', 'While you were away 2']) {
      await messages(client).filter({ hasText: text }).waitFor();
      const count = await messages(client).filter({ hasText: text }).count();
      if (count !== 1) throw new Error(`"${text}" shown ${count} times`);
    }
    await admin.page.locator('[data-testid="roster-row"]', { hasText: 'cleo' }).first().waitFor();
    await screenshot(client.page, '06-client-after-offline');
  });

  it('shows a reconnect banner when the admin disconnects a socket, then catches up', async () => {
    const row = admin.page.locator('[data-testid="roster-row"]', { hasText: 'cleo' }).first();
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await client.page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    await screenshot(client.page, '07-client-reconnecting');
    await send(staff, 'After the reconnect');
    await messages(client).filter({ hasText: 'After the reconnect' }).waitFor();
    await client.page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ state: 'detached' });
  });

  it('fits a phone screen', async () => {
    const phone = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(phone);
    await signIn(phone.page, 'cleo', 'cleo-password');
    await phone.page.waitForURL('**/client/cleo');
    await conversation(phone, 'user:sam').click();
    await messages(phone).filter({ hasText: 'After the reconnect' }).waitFor();
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, '08-client-phone');
  });

  it('logged no console errors in any browser', () => {
    expect(people.flatMap((p) => p.errors)).toEqual([]);
  });
});
