import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { eventually } from './eventually';

/** Debian's Chromium; nothing downloads a browser of its own (see README, "Tests"). */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far; a test expects none. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * One person at one browser: their own profile, so their own session cookie. `trustCa` (PEM):
 * this browser trusts that certificate authority, as a person who installed it would (an NSS
 * database in the browser's own home folder, where Chromium on Linux reads trusted roots).
 */
export async function openBrowser(
  baseUrl: string,
  viewport = { width: 1280, height: 800 },
  extraArgs: string[] = [],
  { trustCa }: { trustCa?: string } = {},
): Promise<Person> {
  const profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  const home = join(profile, 'home');
  if (trustCa) {
    const nss = join(home, '.pki', 'nssdb');
    mkdirSync(nss, { recursive: true });
    writeFileSync(join(home, 'ca.pem'), trustCa);
    execFileSync('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password'], { stdio: 'pipe' });
    execFileSync('certutil', ['-d', `sql:${nss}`, '-A', '-t', 'C,,', '-n', 'Parley local CA', '-i', join(home, 'ca.pem')], { stdio: 'pipe' });
  }
  const context = await chromium.launchPersistentContext(join(profile, 'data'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...extraArgs],
    viewport,
    baseURL: baseUrl,
    ...(trustCa ? { env: { ...process.env, HOME: home } } : {}),
  });
  // Fail a step with Playwright's own message well before jest's test timeout.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()} ${message.text()} ${JSON.stringify(message.location())}`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // A dialog caught mid-fade shows the page through it: wait for finite animations and
  // transitions to end (spinners loop for ever and are left running). Bounded, and only a picture.
  await page
    .waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** From the chat page on a wide screen: an admin page through the header's Admin menu. */
export async function openAdminPage(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('menu', { name: 'Admin pages' }).getByRole('menuitem', { name, exact: true }).click();
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until a message is wholly inside the conversation's scrolled list (a jump brought it into view). */
export async function inMessageView(page: Page, message: Locator): Promise<void> {
  await eventually(async () => {
    const [pane, box] = [await page.getByRole('log', { name: 'Messages' }).boundingBox(), await message.boundingBox()];
    if (!pane || !box) throw new Error('the message list or the message is not on screen');
    if (box.y < pane.y || box.y + box.height > pane.y + pane.height) throw new Error(`the message at ${box.y}..${box.y + box.height} is outside the list at ${pane.y}..${pane.y + pane.height}`);
  });
}

/**
 * Waits until the copy of recent conversations this browser keeps for offline (IndexedDB
 * `parley`, store `recent`) holds `text` for `user`: it is written a few seconds after changes,
 * and a page reloaded before that starts from the older copy and syncs the difference.
 */
export async function savedForOffline(page: Page, user: string, text: string): Promise<void> {
  await eventually(
    () =>
      page.evaluate(
        ([user, text]) =>
          new Promise<boolean>((resolve) => {
            const opening = indexedDB.open('parley');
            opening.onerror = () => resolve(false);
            opening.onsuccess = () => {
              const db = opening.result;
              if (!db.objectStoreNames.contains('recent')) return resolve(false);
              const get = db.transaction('recent').objectStore('recent').get(user);
              get.onsuccess = () => resolve(JSON.stringify(get.result ?? null).includes(text));
              get.onerror = () => resolve(false);
            };
          }),
        [user, text] as const,
      ),
    { timeoutMs: 30_000, intervalMs: 250, what: `"${text}" in ${user}'s copy kept for offline` },
  );
}
