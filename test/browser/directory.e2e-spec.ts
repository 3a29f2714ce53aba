import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { directoryPassword, ldapEnv, startLdap, type LdapTestServer } from '../support/ldap-server';
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
});
