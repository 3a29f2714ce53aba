import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, closeAllClients, connectAs, createPeople, login, requestOk } from '../support/clients';
import { startServer, type TestServer } from '../support/server';

/**
 * Issue 18, the outbox: Sam's browser goes offline; Sam writes, and the message waits as
 * "sending" (kept in IndexedDB); Sam reloads while still offline (the page is lost); back
 * online, the new page sends it with its client_id, and the conversation holds it exactly once,
 * for Sam and for Sue.
 */
describe('the outbox in the web app', () => {
  let server: TestServer;
  let sam: Person;

  beforeAll(async () => {
    server = await startServer();
    await createPeople(server, await adminToken(server), [['sam', 'Sam Staff', 'staff'], ['sue', 'Sue Staff', 'staff']]);
    sam = await openBrowser(server.url);
    await signIn(sam.page, 'sam', 'sam-passphrase-9');
    await sam.page.waitForURL('**/staff/sam');
  }, 60_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await sam?.close();
    await server?.stop();
  });

  it('keeps a message written offline across a reload and sends it exactly once', async () => {
    const page = sam.page;
    const box = page.getByLabel('Message', { exact: true });
    // Connected and caught up: the conversation has loaded.
    await page.getByText('Write the first one below.').waitFor();
    await sam.context.setOffline(true);
    try {
      await page.getByRole('status').filter({ hasText: 'Connection lost' }).waitFor({ timeout: 20_000 });
      await box.fill('Written while the server was away');
      await box.press('Enter');
      await page.locator('[data-testid="message"][data-state="sending"]', { hasText: 'Written while the server was away' }).waitFor();
      await screenshot(page, 'outbox-01-sending-offline');
      // Reloaded while still offline: this page is gone before it could send anything, so only
      // what it kept (IndexedDB) can bring the message back.
      await page.reload().catch(() => undefined);
    } finally {
      await sam.context.setOffline(false);
    }
    await page.goto('/staff/sam');
    const mine = page.locator('[data-testid="message"]', { hasText: 'Written while the server was away' });
    await page.locator('[data-testid="message"][data-state="sent"]', { hasText: 'Written while the server was away' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'outbox-02-sent-after-reload');

    const sue = await connectAs(server, await login(server, 'sue', 'sue-passphrase-9'), 'staff', 'sue');
    const stored = (await requestOk(sue, 'sync', { since: 0 })).messages.filter((m) => m.message === 'Written while the server was away');
    expect(stored).toHaveLength(1);
    expect(stored[0].sender_name).toBe('sam');
    expect(await mine.count()).toBe(1);
    // Chromium logs the page's failed reconnects and the failed reload while offline: expected.
    expect(sam.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
  }, 60_000);
});
