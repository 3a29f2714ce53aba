import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { requestOk } from '../support/clients';
import { ADMIN_PASSWORD, localCa, startServer, type TestServer } from '../support/server';
import { TrustingClients } from '../support/tls-clients';

/**
 * Issue 18, notifications: Sam switches notifications on and puts the tab in the background; a
 * direct message and an announcement each show a notification (the page's real Notification
 * API, recorded as it is called); with do not disturb on (the account page), nothing shows.
 * Headless Chromium reports every tab as visible, so the page's visibilityState is what the
 * test sets; everything else is the browser's own. Served as on a LAN (PARLEY_TLS=auto, its CA
 * trusted by the browser): browsers allow notifications only in a secure context.
 */
describe('notifications in the web app', () => {
  let server: TestServer;
  let admin: string;
  let sam: Person;
  let clients: TrustingClients;

  const notifications = () => sam.page.evaluate(() => (window as unknown as { __shown: Array<{ title: string; body: string }> }).__shown);
  const background = (hidden: boolean) =>
    sam.page.evaluate((value) => {
      (window as unknown as { __hidden: boolean }).__hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);

  beforeAll(async () => {
    server = await startServer({ PARLEY_TLS: 'auto' });
    const ca = await localCa(server);
    clients = new TrustingClients(server, ca);
    admin = await clients.login('admin', ADMIN_PASSWORD);
    await clients.createPeople(admin, [['sam', 'Sam Staff', 'staff'], ['cleo', 'Cleo Client', 'client']]);
    sam = await openBrowser(server.url, undefined, [], { trustCa: ca });
    await sam.context.grantPermissions(['notifications'], { origin: server.url });
    await sam.context.addInitScript(() => {
      const page = window as unknown as { __shown: Array<{ title: string; body: string }>; __hidden: boolean };
      page.__shown = [];
      page.__hidden = false;
      const Real = window.Notification;
      // The real API, with each notification recorded as the page creates it.
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          page.__shown.push({ title, body: options?.body ?? '' });
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true });
      Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (page.__hidden ? 'hidden' : 'visible'), configurable: true });
    });
    await signIn(sam.page, 'sam', 'sam-passphrase-9');
    await sam.page.waitForURL('**/staff/sam');
  }, 60_000);
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    await sam?.close();
    await server?.stop();
  });

  it('shows a direct message and an announcement while the tab is in the background', async () => {
    const page = sam.page;
    await page.getByRole('switch', { name: 'Notifications' }).click();
    await page.waitForFunction(() => document.querySelector('mat-slide-toggle button')?.getAttribute('aria-checked') === 'true');
    expect(await page.evaluate(() => window.isSecureContext && location.protocol)).toBe('https:');
    await background(true);
    const cleo = await clients.connectAs('cleo', 'client');
    await requestOk(cleo, 'send_message', { recipients: 'sam', message: 'Are you in the office today?' });
    await page.waitForFunction(() => (window as unknown as { __shown: unknown[] }).__shown.length >= 1);
    expect(await notifications()).toEqual([{ title: expect.stringContaining('Cleo Client'), body: 'Are you in the office today?' }]);

    expect((await clients.api('POST', '/api/announcements', { token: admin, body: { message: 'Fire drill at 3 pm' } })).status).toBe(201);
    await page.waitForFunction(() => (window as unknown as { __shown: unknown[] }).__shown.length >= 2);
    expect((await notifications())[1]).toEqual({ title: 'Announcement from Administrator', body: 'Fire drill at 3 pm' });
    await background(false);
  }, 60_000);

  it('shows nothing in do not disturb, switched on from the account page', async () => {
    const page = sam.page;
    await page.getByRole('link', { name: 'Account' }).first().click();
    await page.waitForURL('**/staff/sam/account');
    const card = page.getByRole('region', { name: 'Notifications on this device' });
    await card.getByRole('switch', { name: 'Do not disturb' }).click();
    await card.getByRole('checkbox', { name: 'Quiet hours every day' }).check();
    await card.getByLabel('From').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'notifications-01-settings');
    await page.getByRole('link', { name: '← Chat' }).click();
    await page.waitForURL('**/staff/sam');
    await page.getByText('Cleo Client').first().waitFor();

    const before = (await notifications()).length;
    await background(true);
    const cleo = await clients.connectAs('cleo', 'client');
    await requestOk(cleo, 'send_message', { recipients: 'sam', message: 'Lunch?' });
    // The message arrives (its unread badge) but no notification is shown.
    await page.getByText('Lunch?').first().waitFor({ state: 'attached' });
    expect((await notifications()).length).toBe(before);
    await background(false);
    expect(sam.errors).toEqual([]);
  }, 60_000);
});
