import type { Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { inMessageView, openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, closeAllClients, connectAs, createPeople, login, requestOk } from '../support/clients';
import { eventually } from '../support/eventually';
import { startServer, type TestServer } from '../support/server';

/**
 * Issue 15, the web app's search: Ctrl+K opens the panel, part of a word finds messages grouped
 * by conversation with the match marked, the keyboard walks them, Enter jumps to a message more
 * than a page back in its conversation; the empty state, and the panel at phone width and dark.
 */
describe('search in the web app', () => {
  let server: TestServer;
  let sam: Person;
  /** The message searched for: older than the conversation's first page of history. */
  let target: number;

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    await createPeople(server, admin, [
      ['sam', 'Sam Staff', 'staff'],
      ['cleo', 'Cleo Client', 'client'],
      ['tess', 'Tess Staff', 'staff'],
    ]);
    const cleo = await connectAs(server, await login(server, 'cleo', 'cleo-passphrase-9'), 'client', 'cleo');
    const tess = await connectAs(server, await login(server, 'tess', 'tess-passphrase-9'), 'staff', 'tess');
    target = (await requestOk(cleo, 'send_message', { message: 'Is the Redeployment of the booking page still on Friday?', recipients: 'user:sam' })).id;
    for (let i = 0; i < 64; i++) {
      await requestOk(cleo, 'send_message', { message: `filler ${String(i).padStart(2, '0')}`, recipients: 'user:sam' });
    }
    await requestOk(tess, 'send_message', { message: 'We deploy the rota app at noon, <b>not</b> before', recipients: 'group:staff' });
    closeAllClients();
    sam = await openBrowser(server.url);
    await signIn(sam.page, 'sam', 'sam-passphrase-9');
    await sam.page.waitForURL('**/staff/sam');
  }, 60_000);
  afterAll(async () => {
    await sam?.close();
    await server?.stop();
  });
  afterEach(() => expect(sam.errors).toEqual([]));

  const box = (page: Page) => page.getByRole('combobox', { name: 'Search messages' });
  const results = (page: Page) => page.getByTestId('search-result');
  const activeId = (page: Page) => box(page).getAttribute('aria-activedescendant');

  it('finds part of a word, grouped by conversation, walks the results with the keyboard, and Enter jumps to the message', async () => {
    const page = sam.page;
    await page.locator('[data-conversation="group:staff"]').waitFor();
    await page.keyboard.press('Control+k');
    await box(page).waitFor();
    expect(await box(page).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByTestId('search-hint').waitFor();
    await screenshot(page, 'search-01-hint');
    expect(await axeViolations(page)).toEqual([]);

    await box(page).pressSequentially('DEPLO');
    await eventually(async () => expect(await results(page).count()).toBe(2));
    const groups = page.locator('[role="listbox"] [role="group"]');
    expect(await groups.locator('.group-title').allTextContents()).toEqual(['Staff group', 'Cleo Client']);
    // The newest first (the group message); the match is marked, the rest is text, HTML included.
    const first = results(page).first();
    expect(await first.locator('mark').allTextContents()).toEqual(['deplo']);
    expect(await first.locator('.snippet').textContent()).toBe('We deploy the rota app at noon, <b>not</b> before');
    expect(await first.locator('.sender').textContent()).toBe('Tess Staff');
    expect(await results(page).nth(1).locator('mark').allTextContents()).toEqual(['deplo']);
    const firstId = await first.getAttribute('id');
    expect(await activeId(page)).toBe(firstId);
    await screenshot(page, 'search-02-results');
    expect(await axeViolations(page)).toEqual([]);

    // The page renders after the key's event returns: wait for the attribute to follow.
    await box(page).press('ArrowDown');
    await eventually(async () => expect(await activeId(page)).toBe(`search-result-${target}`));
    expect(await page.locator(`#search-result-${target}`).getAttribute('aria-selected')).toBe('true');
    await box(page).press('ArrowUp');
    await eventually(async () => expect(await activeId(page)).toBe(firstId));
    await box(page).press('ArrowDown');
    await eventually(async () => expect(await activeId(page)).toBe(`search-result-${target}`));
    await box(page).press('Enter');
    await box(page).waitFor({ state: 'detached' });

    // The conversation opens and older history loads until the message is there, highlighted, in view.
    const found = page.locator(`[data-testid="message"][data-id="${target}"]`);
    await found.and(page.locator('.highlighted')).waitFor();
    await inMessageView(page, found);
    // Focus lands on the conversation, not in the composer: the person came to read.
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.matches('.conversation-head h2'))).toBe(true));
    await screenshot(page, 'search-03-jumped');
  });

  it('keeps the query when reopened, and says when nothing matches', async () => {
    const page = sam.page;
    // `/` opens it too, when typed outside a text field (focus is on the conversation's heading).
    await page.keyboard.press('/');
    await box(page).waitFor();
    expect(await box(page).inputValue()).toBe('DEPLO');
    await box(page).fill('quokka');
    await page.getByTestId('search-empty').waitFor();
    expect(await page.getByTestId('search-empty').textContent()).toContain('No messages match “quokka”');
    await screenshot(page, 'search-04-empty');
    await box(page).press('Escape');
    await box(page).waitFor({ state: 'detached' });
  });

  it('fills a phone\'s screen, dark, with nothing off to the side', async () => {
    const page = sam.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await box(page).fill('deplo');
    await eventually(async () => expect(await results(page).count()).toBe(2));
    const surface = await page.locator('.search-dialog').boundingBox();
    expect(surface).toMatchObject({ x: 0, width: 390 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.locator('parley-search-panel .body').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await screenshot(page, 'search-05-phone-dark');
    expect(await axeViolations(page)).toEqual([]);
    // Picked on a phone: the conversation replaces the list, at the message.
    await box(page).press('ArrowDown');
    await eventually(async () => expect(await activeId(page)).toBe(`search-result-${target}`));
    await box(page).press('Enter');
    const found = page.locator(`[data-testid="message"][data-id="${target}"]`);
    await found.and(page.locator('.highlighted')).waitFor();
    await inMessageView(page, found);
    // Not back on the Search button it was opened with: on the conversation.
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.matches('.conversation-head h2'))).toBe(true));
    await screenshot(page, 'search-06-phone-jumped-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
