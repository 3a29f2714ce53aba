import { X509Certificate } from 'node:crypto';
import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { ADMIN_PASSWORD, localCa, startServer, type TestServer } from '../support/server';

/**
 * Issue 18, a LAN without internet: with PARLEY_TLS=auto, a browser that has not trusted
 * Parley's CA is refused at https and finds how to trust it at http://…/trust; one that trusts
 * the CA (installed in its certificate store, as the page explains) opens Parley over https in
 * a secure context, is sent there from plain http, and never asks anything of the internet:
 * every request that does not go to this machine is blocked and recorded, and none is made.
 */
describe('HTTPS on a LAN without internet (PARLEY_TLS=auto) in Chromium', () => {
  let server: TestServer;
  let ca: string;
  let port: number;
  const people: Person[] = [];

  beforeAll(async () => {
    server = await startServer({ PARLEY_TLS: 'auto' });
    port = Number(new URL(server.url).port);
    ca = await localCa(server);
  }, 60_000);
  afterAll(async () => {
    for (const person of people) await person.close();
    await server?.stop();
  });

  it('refuses https until the CA is trusted, and shows how to trust it over plain http', async () => {
    const stranger = await openBrowser(server.url);
    people.push(stranger);
    const page = stranger.page;
    await page.goto(`http://127.0.0.1:${port}/trust`);
    await page.getByRole('heading', { name: 'Trust this Parley server' }).waitFor();
    expect(await page.locator('.fingerprint').innerText()).toBe(new X509Certificate(ca).fingerprint256);
    await page.getByRole('link', { name: /Download the certificate/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'lan-https-01-trust-page');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('heading', { name: 'Trust this Parley server' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'lan-https-02-trust-page-phone-dark');
    // The app itself is https only, and this browser does not trust the CA yet.
    await expect(stranger.context.newPage().then((other) => other.goto(`https://127.0.0.1:${port}/login`))).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  }, 60_000);

  it('opens Parley over https once the CA is trusted, from plain http too, asking nothing of the internet', async () => {
    const admin = await openBrowser(server.url, undefined, [], { trustCa: ca });
    people.push(admin);
    const outside: string[] = [];
    const failed: string[] = [];
    await admin.context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return route.continue();
      outside.push(url.href);
      return route.abort('internetdisconnected');
    });
    admin.page.on('requestfailed', (request) => {
      // ERR_ABORTED: a navigation cancelled the page's own pending loads (the redirect to https, the sign-in).
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`);
    });
    const page = admin.page;

    await page.goto(`http://127.0.0.1:${port}/login`);
    await page.waitForURL(`https://127.0.0.1:${port}/login`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL('**/admin/admin');
    await page.getByText('Administrator').first().waitFor();
    await screenshot(page, 'lan-https-03-signed-in');
    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
    expect(admin.errors).toEqual([]);
  }, 60_000);
});
