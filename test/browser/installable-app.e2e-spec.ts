import type { AckOf } from '../../backend/src/contract';
import { openBrowser, savedForOffline, screenshot, signIn, type Person } from '../support/browser';
import { eventually } from '../support/eventually';
import type { ClientSocket } from '../support/clients';
import { ADMIN_PASSWORD, localCa, startServer, type TestServer } from '../support/server';
import { TrustingClients } from '../support/tls-clients';

/**
 * Issue 18, the installable app: with PARLEY_TLS=auto and the CA trusted, Chromium finds Parley
 * installable (manifest, icons, a service worker controlling the page); with the server then
 * stopped, a reload still opens the app from the worker's cache, signed in as the person last
 * signed in, with their recent conversations readable and a banner saying so; what they write
 * waits in the outbox across another offline reload and is stored exactly once when the server
 * is back.
 */
describe('the installable app in Chromium (PARLEY_TLS=auto, CA trusted)', () => {
  let server: TestServer;
  let ca: string;
  let sam: Person;

  let clients: TrustingClients;
  const send = async (socket: ClientSocket, message: string): Promise<AckOf<'send_message'>> => socket.emitWithAck('send_message', { recipients: 'user:sam.lee', message });

  beforeAll(async () => {
    server = await startServer({ PARLEY_TLS: 'auto' });
    ca = await localCa(server);
    clients = new TrustingClients(server, ca);
    await clients.createPeople(await clients.login('admin', ADMIN_PASSWORD), [['sam.lee', 'Sam Lee', 'staff'], ['sue', 'Sue Staff', 'staff']]);
    const sue = await clients.connectAs('sue', 'staff');
    for (const text of ['Lunch at noon?', 'The printer on floor 2 is fixed.']) expect((await send(sue, text)).ok).toBe(true);
    sam = await openBrowser(server.url, { width: 1280, height: 800 }, [], { trustCa: ca });
  }, 90_000);
  afterAll(async () => {
    clients?.closeAll();
    await sam?.close();
    await server?.stop();
  });

  it('is installable: a manifest with icons, and a service worker that controls the page', async () => {
    const page = sam.page;
    // A name with a dot: its page (/staff/sam.lee) must still be the app's, offline too.
    await signIn(page, 'sam.lee', 'sam.lee-passphrase-9');
    await page.waitForURL('**/staff/sam.lee');
    // Registered once the app settles; then it claims this page.
    await eventually(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated'), { timeoutMs: 30_000, intervalMs: 250, what: 'the service worker active' });
    await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeoutMs: 30_000, intervalMs: 250, what: 'the page controlled by it' });
    const cdp = await sam.context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data ?? '{}')).toEqual(expect.objectContaining({ name: 'Parley', display: 'standalone', start_url: '/' }));
    // Chromium's own check, the one behind its "Install" button: icons downloaded and big enough,
    // a secure context, a service worker.
    expect(await cdp.send('Page.getInstallabilityErrors')).toEqual({ installabilityErrors: [] });
    await cdp.detach();
  }, 60_000);

  it('opens offline with the recent conversations, and sends what was written offline exactly once when the server is back', async () => {
    const page = sam.page;
    await page.locator('[data-conversation="user:sue"]').click();
    const lunch = page.locator('[data-testid="message"]', { hasText: 'Lunch at noon?' });
    await lunch.waitFor();
    // The app shell is in the worker's cache, and this conversation in the copy kept for offline.
    await eventually(() => page.evaluate(async () => (await caches.match('/index.html')) !== undefined), { timeoutMs: 30_000, intervalMs: 250, what: 'the app shell cached' });
    await savedForOffline(page, 'sam.lee', 'Lunch at noon?');

    await server.pause();
    try {
      await page.reload();
      // At first it only knows the server is out of reach; then the saved copy is read.
      await page.getByTestId('offline-notice').filter({ hasText: 'Offline: showing your recent conversations as saved at' }).waitFor({ timeout: 20_000 });
      await page.locator('[data-conversation="user:sue"]').click();
      await lunch.waitFor();
      await page.locator('[data-testid="message"]', { hasText: 'The printer on floor 2 is fixed.' }).waitFor();
      await screenshot(page, 'installable-01-offline-reading');

      const box = page.getByLabel('Message', { exact: true });
      await box.fill('On the train, back at 2');
      await box.press('Enter');
      await page.locator('[data-testid="message"][data-state="sending"]', { hasText: 'On the train, back at 2' }).waitFor();
      // Closed and opened again, still with no server: the message is still there, waiting.
      await page.reload();
      await page.getByTestId('offline-notice').waitFor({ timeout: 20_000 });
      await page.locator('[data-conversation="user:sue"]').click();
      await page.locator('[data-testid="message"][data-state="sending"]', { hasText: 'On the train, back at 2' }).waitFor();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      // The phone layout (one column) follows the resize after a frame or two.
      await eventually(() => page.evaluate(() => document.documentElement.scrollWidth <= 390), { timeoutMs: 5_000, intervalMs: 50, what: 'nothing wider than the phone' });
      await screenshot(page, 'installable-02-offline-phone-dark');
    } finally {
      await server.resume();
    }

    await page.locator('[data-testid="message"][data-state="sent"]', { hasText: 'On the train, back at 2' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('offline-notice').waitFor({ state: 'detached' });
    await screenshot(page, 'installable-03-back-online');
    const sue = await clients.connectAs('sue', 'staff');
    const sync = await sue.emitWithAck('sync', { since: 0 });
    if (!sync.ok) throw new Error(JSON.stringify(sync));
    expect(sync.messages.filter((m) => m.message === 'On the train, back at 2')).toHaveLength(1);
    // While the server was stopped Chromium logs the refused connections: expected, and nothing else.
    expect(sam.errors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_FAILED|Failed to load resource|WebSocket connection/.test(e))).toEqual([]);
  }, 120_000);
});
