import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, createUser } from '../support/clients';
import { startServer, type TestServer } from '../support/server';

/**
 * Message formatting in Chromium, between two people: what one types as Markdown the other sees
 * formatted, links open in a new tab with no opener, and HTML or script in a message never runs
 * or renders, under the page's real Content-Security-Policy.
 */
describe('message formatting in a real browser', () => {
  let server: TestServer;
  let sam: Person;
  let tess: Person;
  /** Dialogs (alert, confirm, prompt) any page opened: a hostile message must open none. */
  const dialogs: string[] = [];

  // A cold CI run starts the server (transpiling @nestjs on first import) and several Chromiums
  // here, on two cores: more than the 30 s default for one step. A hang still fails.
  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    await createUser(server, admin, 'sam', 'staff');
    await createUser(server, admin, 'tess', 'staff');
    sam = await openBrowser(server.url);
    tess = await openBrowser(server.url);
    for (const person of [sam, tess]) {
      person.page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    }
    await signIn(sam.page, 'sam', 'sam-passphrase-9');
    await sam.page.waitForURL('**/staff/sam');
    await signIn(tess.page, 'tess', 'tess-passphrase-9');
    await tess.page.waitForURL('**/staff/tess');
  }, 90_000);
  afterAll(async () => {
    await sam?.close();
    await tess?.close();
    await server?.stop();
  });

  const conversation = (person: Person, id: string) => person.page.locator(`[data-conversation="${id}"]`);
  /** The other person's copy of a message, found by a word it contains. */
  const received = (marker: string) => tess.page.getByTestId('message').filter({ hasText: marker });

  async function send(text: string, marker: string): Promise<void> {
    const box = sam.page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
    await sam.page.locator('[data-testid="message"][data-state="sent"]', { hasText: marker }).waitFor();
  }

  it('shows the other person bold, italic, strikethrough, code, quotes and lists', async () => {
    await sam.page.getByRole('combobox', { name: 'New direct message' }).click({ force: true });
    await sam.page.getByRole('option', { name: /tess/ }).click();
    await send(
      ['Formatted: **bold** *italic* ~~struck~~ `inline <code>`', 'next line', '', '> a quote', '', '- one', '- two', '', '1. first', '2. second'].join('\n'),
      'Formatted',
    );
    await conversation(tess, 'user:sam').click();
    const message = received('Formatted');
    await message.waitFor();
    expect(await message.locator('strong').allTextContents()).toEqual(['bold']);
    expect(await message.locator('em').allTextContents()).toEqual(['italic']);
    expect(await message.locator('s').allTextContents()).toEqual(['struck']);
    expect(await message.locator('p code').allTextContents()).toEqual(['inline <code>']);
    expect(await message.locator('p br').count()).toBe(1);
    expect(await message.locator('blockquote').allTextContents()).toEqual([expect.stringContaining('a quote')]);
    expect(await message.locator('ul > li').allTextContents()).toEqual(['one', 'two']);
    expect(await message.locator('ol > li').allTextContents()).toEqual(['first', 'second']);
  });

  it('scrolls a long code block sideways inside the message, not the page', async () => {
    const longLine = `const line = "${'x'.repeat(300)}";`;
    await send(['Code block:', '```', longLine, '```'].join('\n'), 'Code block');
    const pre = received('Code block').locator('pre');
    await pre.waitFor();
    expect(await pre.textContent()).toBe(`${longLine}\n`);
    const layout = await pre.evaluate((element) => ({
      scrolls: element.scrollWidth > element.clientWidth,
      overflowX: getComputedStyle(element).overflowX,
      monospace: /mono/i.test(getComputedStyle(element.querySelector('code')!).fontFamily),
      pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
      // The message list itself must not scroll sideways because one line of code is long.
      listOverflow: element.closest('[role="log"]')!.scrollWidth - element.closest('[role="log"]')!.clientWidth,
    }));
    expect(layout).toEqual({ scrolls: true, overflowX: 'auto', monospace: true, pageOverflow: 0, listOverflow: 0 });
    // A keyboard user reaches it and scrolls it with the arrow keys.
    await pre.focus();
    await tess.page.keyboard.press('ArrowRight');
    await tess.page.waitForFunction((element) => element!.scrollLeft > 0, await pre.elementHandle());
  });

  it('makes http(s) and mailto addresses links that open a new tab with no opener and no referrer', async () => {
    const target = `${server.url}/health/live`;
    await send(`Links: ${target} and [the docs](https://docs.example/guide) or mail desk@example.com`, 'Links:');
    const links = received('Links:').locator('a');
    await links.first().waitFor();
    expect(
      await links.evaluateAll((anchors) => anchors.map((a) => [a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')])),
    ).toEqual([
      [target, '_blank', 'noopener noreferrer'],
      ['https://docs.example/guide', '_blank', 'noopener noreferrer'],
      ['mailto:desk@example.com', '_blank', 'noopener noreferrer'],
    ]);
    // Follow the one on this server: a new tab, which cannot reach back into the chat page.
    const [tab] = await Promise.all([tess.context.waitForEvent('page'), links.first().click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(target);
    expect(await tab.evaluate(() => ({ opener: window.opener as unknown, referrer: document.referrer }))).toEqual({ opener: null, referrer: '' });
    await tab.close();
  });

  it('shows HTML and script in a message as text, and runs none of it', async () => {
    const hostile = [
      'Hostile: <script>window.parleyHacked = "script"</script>',
      '<img src="/nothing.png" onerror="window.parleyHacked = \'img\'; alert(1)">',
      '<a href="javascript:alert(2)">html link</a> [md link](javascript:alert(3)) <javascript:alert(4)>',
      '[data](data:text/html,<script>alert(5)</script>) &lt;b&gt;entity&lt;/b&gt;',
    ].join('\n');
    await send(hostile, 'Hostile:');
    const message = received('Hostile:');
    await message.waitFor();
    const text = message.locator('parley-message-text');
    expect(await text.locator('script, img, a, b, svg, iframe').count()).toBe(0);
    expect(await text.textContent()).toContain('<script>window.parleyHacked = "script"</script>');
    expect(await text.textContent()).toContain('<img src="/nothing.png" onerror=');
    expect(await text.textContent()).toContain('[md link](javascript:alert(3))');
    expect(await text.textContent()).toContain('&lt;b&gt;entity&lt;/b&gt;');
    // Clicking where a link would be does nothing either.
    await text.getByText('[md link](javascript:alert(3))', { exact: false }).click();
    // The preview in the conversation list is plain text too.
    const preview = conversation(tess, 'user:sam');
    await preview.filter({ hasText: '<script>' }).waitFor();
    expect(await preview.locator('script, img, a').count()).toBe(0);
    // Nothing ran, in either browser: the flag is unset and no dialog opened. (The sender's own
    // page renders the message through the same component.)
    for (const person of [sam, tess]) {
      expect(await person.page.evaluate(() => (window as unknown as { parleyHacked?: string }).parleyHacked)).toBeUndefined();
    }
    expect(dialogs).toEqual([]);
    await screenshot(tess.page, 'format-01-desktop');
  });

  it('keeps the formatting readable and inside the screen at phone width', async () => {
    await tess.page.setViewportSize({ width: 390, height: 844 });
    await received('Hostile:').waitFor();
    expect(await tess.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    const list = tess.page.getByRole('log', { name: 'Messages' });
    expect(await list.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(0);
    await received('Code block').scrollIntoViewIfNeeded();
    await screenshot(tess.page, 'format-02-phone');
    await tess.page.setViewportSize({ width: 1280, height: 800 });
  });

  it('adds no accessibility violations inside messages, received or own', async () => {
    // Only what lies inside a message's text is this feature's; the page's other findings are
    // checked by the page's own spec.
    const inMessages: string[] = [];
    for (const person of [tess, sam]) {
      for (const violation of await axeViolations(person.page)) {
        for (const target of violation.targets) {
          const inside = await person.page.evaluate((selector) => document.querySelector(selector)?.closest('parley-message-text') != null, target);
          if (inside) inMessages.push(`${violation.id}: ${target}`);
        }
      }
    }
    expect(inMessages).toEqual([]);
    await screenshot(sam.page, 'format-03-sender');
  });

  it('logged no console errors (a CSP violation would show there)', () => {
    expect([...sam.errors, ...tess.errors]).toEqual([]);
  });
});
