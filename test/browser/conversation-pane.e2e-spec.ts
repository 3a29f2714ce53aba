import type { Locator, Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, closeAllClients, connectAs, createUser, requestOk, type ClientSocket } from '../support/clients';
import { eventually } from '../support/eventually';
import { startServer, type TestServer } from '../support/server';

/**
 * The conversation pane in Chromium (issue 12, items 1–4 and parts of 12–13): drafts per
 * conversation, where a conversation opens (newest message, or the "New" divider), new messages
 * that do not move a reader who scrolled up, the empty state, the composer's focus and the
 * messages' delivery marks and times. cleo uses the browser; admin and sam are scripted sockets.
 */
describe('the conversation pane', () => {
  let server: TestServer;
  let cleo: Person;
  let adminSocket: ClientSocket;
  let samSocket: ClientSocket;
  /** cleo on another device: reads there move her read marks. */
  let cleoSocket: ClientSocket;
  const people: Person[] = [];

  // A cold CI run starts the server (transpiling @nestjs on first import) and several Chromiums
  // here, on two cores: more than the 30 s default for one step. A hang still fails.
  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    const sam = await createUser(server, admin, 'sam', 'staff');
    const cleoToken = await createUser(server, admin, 'cleo', 'client');
    adminSocket = await connectAs(server, admin, 'admin', 'admin');
    samSocket = await connectAs(server, sam, 'staff', 'sam');
    cleoSocket = await connectAs(server, cleoToken, 'client', 'cleo');
    cleo = await openBrowser(server.url);
    people.push(cleo);
    await signIn(cleo.page, 'cleo', 'cleo-passphrase-9');
    await cleo.page.waitForURL('**/client/cleo');
  }, 90_000);
  afterAll(async () => {
    closeAllClients();
    await Promise.all(people.map((p) => p.close()));
    await server?.stop();
  });

  const conversation = (page: Page, id: string) => page.locator(`[data-conversation="${id}"]`);
  const messages = (page: Page) => page.getByTestId('message');
  const composer = (page: Page) => page.getByLabel('Message', { exact: true });
  const pane = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const composerFocused = (page: Page) => page.evaluate(() => document.activeElement?.id === 'composer-text');

  /** Where the pane is scrolled, and how far the last message's bottom edge is above the pane's. */
  function geometry(log: Locator) {
    return log.evaluate((el) => {
      const last = Array.from(el.querySelectorAll('[data-testid="message"]')).at(-1);
      return {
        scrollTop: el.scrollTop,
        fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
        gapBelowLast: last ? el.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom : null,
        // The start is enough to tell messages apart, and keeps a failure's report short.
        lastText: last?.querySelector('parley-message-text')?.textContent?.trim().slice(0, 40) ?? null,
      };
    });
  }

  /** The pane shows the end of the conversation: scrolled to the bottom, the last message there. */
  async function expectAtNewest(page: Page, lastText: string): Promise<void> {
    await eventually(async () => {
      const at = await geometry(pane(page));
      expect(at.lastText).toBe(lastText.slice(0, 40));
      expect(at.fromBottom).toBeLessThanOrEqual(1);
      // Only the list's own padding below the last message, no blank space.
      expect(at.gapBelowLast).toBeGreaterThanOrEqual(0);
      expect(at.gapBelowLast).toBeLessThanOrEqual(24);
    });
  }

  async function send(socket: ClientSocket, text: string, to = 'cleo'): Promise<number> {
    return (await requestOk(socket, 'send_message', { message: text, recipients: to })).id;
  }

  it('shows an empty conversation as such, and focuses the composer of what is opened', async () => {
    const page = cleo.page;
    await page.getByRole('combobox', { name: 'New direct message' }).click({ force: true });
    await page.getByRole('option', { name: /sam/ }).click();
    const empty = page.getByTestId('empty-conversation');
    await empty.getByText('No messages yet.').waitFor();
    expect(await empty.textContent()).toContain('sam');
    await screenshot(page, 'pane-01-empty-dm');
    expect(await axeViolations(page)).toEqual([]);
    await conversation(page, 'team:staff:cleo').click();
    await page.getByTestId('empty-conversation').getByText('Your line to the Staff team').waitFor();
    await eventually(() => composerFocused(page));
  });

  it('keeps one draft per conversation, across switches and a reload, and clears it when sent', async () => {
    const page = cleo.page;
    // A conversation with a message, so it is listed again after the reload.
    await send(samSocket, 'Hello cleo');
    await conversation(page, 'user:sam').click();
    await messages(page).filter({ hasText: 'Hello cleo' }).waitFor();
    await composer(page).fill('For sam only');
    await conversation(page, 'team:staff:cleo').click();
    // The DM's text does not follow into the group (where Enter would post it to every member).
    await eventually(async () => expect(await composer(page).inputValue()).toBe(''));
    await composer(page).fill('For the staff team');
    await conversation(page, 'user:sam').click();
    await eventually(async () => expect(await composer(page).inputValue()).toBe('For sam only'));

    await page.reload();
    await conversation(page, 'team:staff:cleo').click();
    await eventually(async () => expect(await composer(page).inputValue()).toBe('For the staff team'));
    await conversation(page, 'user:sam').click();
    await eventually(async () => expect(await composer(page).inputValue()).toBe('For sam only'));

    await composer(page).press('Enter');
    await messages(page).filter({ hasText: 'For sam only' }).waitFor();
    await page.reload();
    await conversation(page, 'user:sam').click();
    await messages(page).filter({ hasText: 'For sam only' }).waitFor();
    expect(await composer(page).inputValue()).toBe('');
  });

  it('marks own messages quietly once sent, and gives every time its full date', async () => {
    const page = cleo.page;
    const mine = messages(page).filter({ hasText: 'For sam only' });
    await mine.and(page.locator('[data-state="sent"]')).waitFor();
    expect(await mine.locator('.state').count()).toBe(0);
    expect(await mine.locator('.tick').getAttribute('title')).toBe('Sent');
    const time = mine.locator('time');
    const full = await time.getAttribute('title');
    expect(full).toContain(String(new Date().getFullYear()));
    // Screen readers get the same full date as the tooltip.
    expect(await time.locator('.visually-hidden').textContent()).toBe(full);
  });

  it('opens at a "New" divider before the first unread message', async () => {
    const page = cleo.page;
    const before = await send(samSocket, 'Read already');
    await requestOk(cleoSocket, 'mark_read', { conversation: 'user:sam', up_to: before });
    await conversation(page, 'team:staff:cleo').click();
    // More than the first page of history (50): the pane loads back to the first unread one.
    for (let i = 0; i < 70; i++) await send(samSocket, `Unread ${String(i).padStart(2, '0')}`);
    await conversation(page, 'user:sam').getByLabel('70 unread').waitFor();
    await conversation(page, 'user:sam').click();
    const divider = page.getByTestId('new-divider');
    await divider.waitFor();
    // Right before the first unread message, and that is where the pane opened.
    await eventually(async () => expect(await divider.evaluate((el) => el.nextElementSibling?.textContent ?? '')).toContain('Unread 00'));
    await eventually(async () => {
      const [paneBox, dividerBox] = [await pane(page).boundingBox(), await divider.boundingBox()];
      expect(dividerBox!.y).toBeGreaterThanOrEqual(paneBox!.y);
      expect(dividerBox!.y).toBeLessThan(paneBox!.y + paneBox!.height / 3);
    });
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    await screenshot(page, 'pane-02-new-divider');
    expect(await axeViolations(page)).toEqual([]);

    // Read now: the next visit opens at the newest message, without a divider.
    await conversation(page, 'team:staff:cleo').click();
    await conversation(page, 'user:sam').click();
    await expectAtNewest(page, 'Unread 69');
    expect(await divider.count()).toBe(0);
  });

  it('opens a long conversation with very long messages at its newest message, every time', async () => {
    const page = cleo.page;
    let last = 0;
    for (let i = 0; i < 120; i++) last = await send(adminSocket, `backlog ${String(i).padStart(3, '0')}`);
    const long = (n: number) => `Long ${n}: ${'a rather long line of text that wraps '.repeat(300)}end ${n}`;
    for (const n of [1, 2, 3]) last = await send(adminSocket, long(n));
    // Read on cleo's other device, so this is about the newest message, not the divider.
    await requestOk(cleoSocket, 'mark_read', { conversation: 'user:admin', up_to: last });

    for (let visit = 0; visit < 2; visit++) {
      await page.reload();
      await conversation(page, 'user:admin').click();
      await expectAtNewest(page, long(3));
    }
    // Away from the bottom, a button leads back.
    await pane(page).evaluate((el) => el.scrollBy({ top: -2000 }));
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expectAtNewest(page, long(3));
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor({ state: 'detached' });

    // Every older page loaded, then away and back: still at the newest message.
    await eventually(
      async () => {
        await pane(page).evaluate((el) => el.scrollTo({ top: 0 }));
        expect(await messages(page).filter({ hasText: 'backlog 000' }).count()).toBe(1);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await conversation(page, 'team:staff:cleo').click();
    await conversation(page, 'user:admin').click();
    await expectAtNewest(page, long(3));
    await screenshot(page, 'pane-03-long-conversation');
  });

  it('keeps a reader who scrolled up in place when messages arrive, and counts them', async () => {
    const page = cleo.page;
    await pane(page).evaluate((el) => el.scrollTo({ top: 0 }));
    await eventually(async () => expect((await geometry(pane(page))).scrollTop).toBe(0));
    await send(adminSocket, 'Arrived while reading 1');
    await page.getByRole('button', { name: '1 new message' }).waitFor();
    await send(adminSocket, 'Arrived while reading 2');
    await page.getByRole('button', { name: '2 new messages' }).waitFor();
    expect(await messages(page).filter({ hasText: 'Arrived while reading 2' }).count()).toBe(1);
    expect((await geometry(pane(page))).scrollTop).toBe(0);
    expect(await messages(page).filter({ hasText: 'backlog 000' }).isVisible()).toBe(true);
    await screenshot(page, 'pane-04-new-messages-button');

    await page.getByRole('button', { name: '2 new messages' }).click();
    await expectAtNewest(page, 'Arrived while reading 2');
    // At the bottom, what arrives keeps the pane at the bottom.
    await send(adminSocket, 'Arrived at the bottom');
    await expectAtNewest(page, 'Arrived at the bottom');
    // What one sends oneself is shown, wherever one was reading.
    await pane(page).evaluate((el) => el.scrollBy({ top: -2000 }));
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    await composer(page).fill('My own reply');
    await composer(page).press('Enter');
    await expectAtNewest(page, 'My own reply');
  });

  it('behaves the same on a phone', async () => {
    const phone = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(phone);
    const page = phone.page;
    await signIn(page, 'cleo', 'cleo-passphrase-9');
    await page.waitForURL('**/client/cleo');
    await conversation(page, 'user:admin').click();
    await expectAtNewest(page, 'My own reply');
    await pane(page).evaluate((el) => el.scrollBy({ top: -1500 }));
    // The list learns it was scrolled up from the scroll event, a frame later: wait for it.
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor();
    await send(adminSocket, 'Arrived on the phone');
    await page.getByRole('button', { name: '1 new message' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'pane-05-phone-new-messages');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '1 new message' }).click();
    await expectAtNewest(page, 'Arrived on the phone');
  });

  it('logged no console errors', () => {
    expect(people.flatMap((p) => p.errors)).toEqual([]);
  });
});
