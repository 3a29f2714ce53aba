import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, createPeople } from '../support/clients';
import { eventually } from '../support/eventually';
import { startServer, type TestServer } from '../support/server';

/** A floor plan, 640 × 480: its thumbnail must come out 320 × 240. */
const FLOOR_PLAN_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
  <rect width="640" height="480" fill="#f4efe4"/>
  <g fill="none" stroke="#2b3a55" stroke-width="8"><rect x="40" y="40" width="560" height="400"/><path d="M320 40v160M40 240h180M280 240h320M320 300v140"/></g>
  <g font-family="sans-serif" font-size="28" fill="#2b3a55"><text x="90" y="140">Kitchen</text><text x="400" y="140">Office</text><text x="120" y="360">Hall</text><text x="420" y="380">Store</text></g>
</svg>`;
const NOTES = 'Monday: move the printer to the office.\n';

/**
 * Issue 16, files in the web app: sam (staff) attaches a picture with the file picker (the
 * upload slowed down so its progress shows), drops a text file on the conversation (the first
 * try fails for the network and is retried), pastes a picture, sees an empty file refused in the
 * server's words, and sends. sue (staff) sees the thumbnails and the file card, downloads the
 * file, and opens the picture with the keyboard. Screenshots light, dark and at phone width.
 */
describe('files in the web app', () => {
  let server: TestServer;
  let sam: Person;
  let sue: Person;

  beforeAll(async () => {
    server = await startServer();
    await createPeople(server, await adminToken(server), [
      ['sam', 'Sam Staff', 'staff'],
      ['sue', 'Sue Staff', 'staff'],
    ]);
    [sam, sue] = await Promise.all([openBrowser(server.url), openBrowser(server.url)]);
    await Promise.all([signIn(sam.page, 'sam', 'sam-passphrase-9'), signIn(sue.page, 'sue', 'sue-passphrase-9')]);
    await Promise.all([sam.page.waitForURL('**/staff/sam'), sue.page.waitForURL('**/staff/sue')]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([sam?.close(), sue?.close()]);
    await server?.stop();
  });
  afterEach(() => {
    for (const person of [sam, sue]) expect(person.errors).toEqual([]);
  });

  const cards = (page: Page) => page.getByTestId('upload-card');
  const card = (page: Page, name: string) => cards(page).filter({ hasText: name });
  const composer = (page: Page) => page.getByLabel('Message', { exact: true });
  const send = (page: Page) => page.getByRole('button', { name: 'Send' });
  /** The browser logs a failed request in the console: expected here, and taken off the list. */
  function expectLogged(person: Person, ...parts: string[]): void {
    const at = person.errors.findIndex((e) => parts.every((part) => e.includes(part)));
    expect(at).toBeGreaterThanOrEqual(0);
    person.errors.splice(at, 1);
  }

  it('uploads what is picked, dropped and pasted, with progress, a retry after a network failure and the server\'s refusal, then sends it', async () => {
    const page = sam.page;
    await page.locator('[data-conversation="group:staff"]').waitFor();
    await composer(page).waitFor();

    // Picked: an uncompressed PNG (900 KB), its upload slowed to 150 KB/s so its progress shows and Send waits for it.
    const cdp = await sam.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 150_000 });
    const png = await sharp(Buffer.from(FLOOR_PLAN_SVG)).png({ compressionLevel: 0 }).toBuffer();
    await page.getByTestId('file-picker').setInputFiles({ name: 'floor-plan.png', mimeType: 'image/png', buffer: png });
    const progress = page.getByRole('progressbar', { name: 'Uploading floor-plan.png' });
    await progress.waitFor();
    await page.getByText('Waiting for uploads…').waitFor();
    expect(await send(page).isDisabled()).toBe(true);
    await eventually(async () => expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(0));
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeLessThan(100);
    await screenshot(page, 'files-01-uploading');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await card(page, 'floor-plan.png').and(page.locator('[data-state="uploaded"]')).waitFor({ timeout: 20_000 });
    expect(await card(page, 'floor-plan.png').textContent()).toMatch(/floor-plan\.png[\d.]+ MB/);

    // Dropped on the conversation: the overlay says where it goes. The first try meets a dead network.
    await page.route('**/api/files', (route) => route.abort('internetdisconnected'));
    const notes = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'notes.txt', { type: 'text/plain' }));
      return data;
    }, NOTES);
    const pane = page.locator('section.pane');
    await pane.dispatchEvent('dragenter', { dataTransfer: notes });
    await pane.dispatchEvent('dragover', { dataTransfer: notes });
    const overlay = page.getByTestId('drop-overlay');
    expect(await overlay.textContent()).toContain('Drop files to send to Staff group');
    await screenshot(page, 'files-02-drop-overlay');
    await pane.dispatchEvent('drop', { dataTransfer: notes });
    await overlay.waitFor({ state: 'detached' });
    await card(page, 'notes.txt').getByRole('alert').waitFor();
    expect(await card(page, 'notes.txt').getByRole('alert').textContent()).toContain('cannot be reached');
    expectLogged(sam, '/api/files', 'ERR_INTERNET_DISCONNECTED');
    await page.unroute('**/api/files');
    await card(page, 'notes.txt').getByRole('button', { name: 'Retry upload of notes.txt' }).click();
    await card(page, 'notes.txt').and(page.locator('[data-state="uploaded"]')).waitFor();

    // Pasted into the message box: a picture made in the page, as a screenshot tool leaves it.
    await composer(page).evaluate(async (box) => {
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [300, 200];
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#c0392b';
      context.fillRect(0, 0, 300, 200);
      context.fillStyle = '#fff';
      context.font = '32px sans-serif';
      context.fillText('Pasted', 90, 110);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await card(page, 'image.png').and(page.locator('[data-state="uploaded"]')).waitFor();
    expect(await composer(page).inputValue()).toBe('');

    // Refused: the card says why, in the server's words, and offers Remove (no Retry: it would fail again).
    await page.getByTestId('file-picker').setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    const refused = card(page, 'empty.txt');
    await refused.getByRole('alert').waitFor();
    expect(await refused.getByRole('alert').textContent()).toBe('The file is empty');
    expect(await refused.getByRole('button', { name: 'Retry upload of empty.txt' }).count()).toBe(0);
    expectLogged(sam, '/api/files', '400');
    await screenshot(page, 'files-03-cards');
    expect(await axeViolations(page)).toEqual([]);
    await refused.getByRole('button', { name: 'Remove empty.txt' }).click();
    await refused.waitFor({ state: 'detached' });

    await composer(page).fill('Plans for Monday');
    await composer(page).press('Enter');
    await cards(page).first().waitFor({ state: 'detached' });
    const sent = page.getByTestId('message').filter({ hasText: 'Plans for Monday' });
    await sent.and(page.locator('[data-state="sent"]')).waitFor();
    // The text once: the lines naming the files are for clients that cannot show them.
    expect((await sent.locator('parley-message-text').textContent())!.trim()).toBe('Plans for Monday');
    expect(await sent.getByTestId('attachment-image').count()).toBe(2);
    await screenshot(page, 'files-04-sent');
  }, 60_000);

  it('shows the pictures and the file to the other person, who opens a picture with the keyboard and downloads the file', async () => {
    const page = sue.page;
    const message = page.getByTestId('message').filter({ hasText: 'Plans for Monday' });
    await message.waitFor();
    const plan = message.getByRole('button', { name: /^Open floor-plan\.png/ });
    const thumbnail = plan.locator('img');
    expect(await thumbnail.getAttribute('alt')).toBe('floor-plan.png');
    expect([await thumbnail.getAttribute('width'), await thumbnail.getAttribute('height')]).toEqual(['320', '240']);
    await eventually(async () => expect(await thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0));
    await eventually(async () =>
      expect(await message.getByRole('button', { name: /^Open image\.png/ }).locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0),
    );
    const download = message.getByRole('link', { name: 'Download notes.txt' });
    const href = await download.getAttribute('href');
    expect(href).toMatch(/^\/api\/files\/[^/]+$/);
    expect(await download.getAttribute('download')).not.toBeNull();
    expect(await page.evaluate(async (url) => (await fetch(url)).text(), href!)).toBe(NOTES);
    await screenshot(page, 'files-05-received');
    expect(await axeViolations(page)).toEqual([]);

    // Read before the dialog opens: with it open, the page behind is aria-hidden and role locators no longer see the button.
    const full = (await thumbnail.getAttribute('src'))!.replace(/\/thumbnail$/, '');
    await plan.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'floor-plan.png' });
    await dialog.waitFor();
    await eventually(async () => expect(await dialog.getByTestId('lightbox-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640));
    expect(await dialog.getByRole('link', { name: 'Download floor-plan.png' }).getAttribute('href')).toBe(full);
    await screenshot(page, 'files-06-lightbox');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => expect(await plan.evaluate((button) => button === document.activeElement)).toBe(true));
  });

  it('fits a phone\'s width, dark, with the pictures shrunk and nothing off to the side', async () => {
    const page = sue.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-conversation="group:staff"]').click();
    const message = page.getByTestId('message').filter({ hasText: 'Plans for Monday' });
    await message.waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await message.getByRole('button', { name: /^Open floor-plan\.png/ }).boundingBox();
    expect(box!.width).toBeLessThan(320);
    await screenshot(page, 'files-07-phone-dark');
    await screenshot(sam.page, 'files-08-sender-light');
    await sam.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(sam.page, 'files-09-sender-dark');
  });

  it('goes on with a large upload where it stopped when the connection drops, instead of starting again', async () => {
    const page = sam.page;
    await page.locator('[data-conversation="group:staff"]').click();
    const cdp = await sam.context.newCDPSession(page);
    await cdp.send('Network.enable');
    // 20 MB at 4 MB/s: three tus chunks of 8 MB (the last one short), some five seconds.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4_000_000 });
    const tus: { method: string; offset: string | null }[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/uploads')) tus.push({ method: request.method(), offset: request.headers()['upload-offset'] ?? null });
    });
    let failed = 0;
    page.on('requestfailed', (request) => void (request.url().includes('/api/uploads') && (failed += 1)));
    const big = Buffer.alloc(20 * 1024 * 1024, 'parley resumable upload ');
    // 20 MB handed to Chromium over its debugging protocol: seconds on a busy machine, past the default 10 s.
    await page.getByTestId('file-picker').setInputFiles({ name: 'site-survey.zip', mimeType: 'application/zip', buffer: big }, { timeout: 60_000 });

    // The second chunk is on its way: the connection drops.
    await eventually(() => tus.some((r) => r.method === 'PATCH' && r.offset === String(8 * 1024 * 1024)), { timeoutMs: 20_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await eventually(() => failed > 0, { timeoutMs: 20_000 });
    const before = tus.length;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await card(page, 'site-survey.zip').and(page.locator('[data-state="uploaded"]')).waitFor({ timeout: 30_000 });

    // After the drop it asked where to go on (HEAD), and went on from there, not from 0.
    const after = tus.slice(before).filter((r) => r.method !== 'OPTIONS');
    const head = after.findIndex((r) => r.method === 'HEAD');
    expect(head).toBeGreaterThanOrEqual(0);
    const next = after.slice(head).find((r) => r.method === 'PATCH');
    expect(Number(next?.offset)).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(tus.filter((r) => r.method === 'POST')).toHaveLength(1);
    // The browser logged the requests the drop cut off.
    sam.errors.splice(0, sam.errors.length, ...sam.errors.filter((e) => !e.includes('/api/uploads')));

    await composer(page).fill('Survey files');
    await composer(page).press('Enter');
    const sent = page.getByTestId('message').filter({ hasText: 'Survey files' });
    await sent.and(page.locator('[data-state="sent"]')).waitFor();
    // sue still has the staff group open (at phone width, from the test before).
    const received = sue.page.getByTestId('message').filter({ hasText: 'Survey files' });
    await received.getByRole('link', { name: 'Download site-survey.zip' }).waitFor();
    expect(await received.textContent()).toContain('21 MB');
  }, 90_000);
});

