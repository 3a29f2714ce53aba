import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { directoryPassword, ldapEnv, startLdap, type LdapTestServer } from '../support/ldap-server';
import { api } from '../support/clients';
import { startServer, type TestServer } from '../support/server';

/**
 * Issue 17: Sam, a directory person in the staff group, signs in on the usual sign-in page with
 * the directory password and lands in the staff chat; the account page says the password lives
 * in the directory. Taken out of the group, Sam's page is signed out within one sync interval
 * and says why; the admin's Users page shows where each account comes from.
 */
describe('the company directory in the web app', () => {
  let directory: LdapTestServer;
  let server: TestServer;
  let sam: Person;

  beforeAll(async () => {
    directory = await startLdap();
    server = await startServer(ldapEnv(directory, '1'));
    sam = await openBrowser(server.url);
  }, 60_000);
  afterAll(async () => {
    await sam?.close();
    await server?.stop();
    await directory?.dispose();
  });

  it('signs a directory person in with their role, and signs them out when they leave the group', async () => {
    const page = sam.page;
    await signIn(page, 'sam', directoryPassword('sam'));
    await page.waitForURL('**/staff/sam');
    await page.getByText('Sam Staff').first().waitFor();
    await screenshot(page, 'directory-01-signed-in');

    await page.goto('/staff/sam/account');
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByText('Your password is managed by the company directory').waitFor();
    expect(await page.getByRole('form', { name: 'Change your password' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'directory-02-account');

    await page.goto('/staff/sam');
    await page.getByText('Sam Staff').first().waitFor();
    await directory.removeFromGroup('sam', 'parley-staff');
    await page.waitForURL('**/login', { timeout: 15_000 });
    await page.getByTestId('session-ended').filter({ hasText: 'Your access to Parley was removed in the company directory' }).waitFor();
    await screenshot(page, 'directory-03-removed');
    expect(sam.errors.filter((e) => !e.includes('401'))).toEqual([]);
  }, 60_000);

  it("shows the admin where each account comes from, and offers no password reset for a directory account", async () => {
    // Ann is an admin through the directory's admin group.
    // Cleo's account exists once she has signed in.
    expect((await api(server, 'POST', '/api/auth/login', { body: { username: 'cleo', password: directoryPassword('cleo') } })).status).toBe(200);
    const ann = await openBrowser(server.url);
    try {
      const page = ann.page;
      await signIn(page, 'ann', directoryPassword('ann'));
      await page.waitForURL('**/admin/ann');
      await page.goto('/admin/ann/users');
      const row = (name: string) => page.locator(`tr[data-user="${name}"]`);
      await row('cleo').getByTestId('source').filter({ hasText: 'Directory' }).waitFor();
      expect(await row('admin').getByTestId('source').textContent()).toContain('Local');
      expect(await row('cleo').getByRole('button', { name: /Reset password/ }).count()).toBe(0);
      expect(await row('admin').getByRole('button', { name: /Reset password/ }).count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'directory-04-users');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      // A fresh load, so no colour is caught halfway through the theme's transition.
      await page.goto('/admin/ann/users');
      await row('cleo').getByTestId('source').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'directory-05-users-phone-dark');
      expect(ann.errors).toEqual([]);
    } finally {
      await ann.close();
    }
  }, 60_000);
});
