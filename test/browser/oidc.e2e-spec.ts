import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, type Person } from '../support/browser';
import { OIDC_PEOPLE, oidcEnv, startOidcProvider, type OidcTestProvider } from '../support/oidc-provider';
import { eventually } from '../support/eventually';
import { startServer, type TestServer } from '../support/server';

/**
 * Issue 17, single sign-on end to end in Chromium: "Sign in with Test Provider" on Parley's
 * sign-in page, the provider's own login and consent pages (oidc-provider, on another site:
 * localhost against Parley's 127.0.0.1, so SameSite rules apply as with a real provider), back
 * to the staff chat signed in. Someone in no mapped group comes back to the sign-in page with
 * the reason.
 */
describe('single sign-on in the web app', () => {
  let provider: OidcTestProvider;
  let server: TestServer;
  const people: Person[] = [];

  // The provider's development pages ask for a web font and a favicon the test network lacks.
  const ownErrors = (person: Person) => person.errors.filter((error) => !/fonts\.googleapis|favicon\.ico|ERR_NAME_NOT_RESOLVED|localhost:\d+\/(interaction|auth)/.test(error));

  /** At the provider's own pages: its development login takes the subject as the login name, any password. */
  const atProvider = async (person: Person, login: string) => {
    const page = person.page;
    await page.waitForURL((url) => url.hostname === 'localhost');
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
    await page.locator('button[type=submit]').click();
    // Consent, when the provider asks for it.
    const back = page.waitForURL((url) => url.hostname === '127.0.0.1');
    const consent = page.getByRole('button', { name: /continue|authorize/i });
    await Promise.race([back, consent.waitFor().then(() => consent.click())]);
  };

  beforeAll(async () => {
    provider = await startOidcProvider({ hostname: 'localhost' });
    server = await startServer(oidcEnv(provider));
    provider.allowParley(server.url);
  }, 60_000);
  afterAll(async () => {
    for (const person of people) await person.close();
    await server?.stop();
    await provider?.stop();
  });

  it('signs a person in through the provider and lands them in the chat of their role', async () => {
    const sven = await openBrowser(server.url);
    people.push(sven);
    const page = sven.page;
    await page.goto('/login');
    const button = page.getByRole('button', { name: 'Sign in with Test Provider' }).or(page.getByRole('link', { name: 'Sign in with Test Provider' }));
    await button.waitFor();
    // The theme button's icon is a font ligature: until the font is in, its name shows as text.
    await page.evaluate(() => document.fonts.ready);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'oidc-01-sign-in-page');
    await button.click();
    await atProvider(sven, OIDC_PEOPLE.staff.sub);
    await page.waitForURL('**/staff/sven');
    await page.getByText(OIDC_PEOPLE.staff.name).first().waitFor();
    await screenshot(page, 'oidc-02-signed-in');

    await page.goto('/staff/sven/account');
    await page.getByText('You sign in with Test Provider; your password is managed there.').waitFor();
    await page.getByText('Your name comes from Test Provider.').waitFor();
    await screenshot(page, 'oidc-03-account');
    expect(ownErrors(sven)).toEqual([]);
  }, 60_000);

  it('sends someone in no mapped group back to the sign-in page with the reason', async () => {
    const nils = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(nils);
    const page = nils.page;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in with Test Provider' }).or(page.getByRole('link', { name: 'Sign in with Test Provider' })).click();
    await atProvider(nils, OIDC_PEOPLE.none.sub);
    await page.waitForURL((url) => url.pathname === '/login' && url.hostname === '127.0.0.1');
    await page.getByRole('alert').filter({ hasText: 'Your account is not in any group that may use Parley' }).waitFor();
    // The code is gone from the address: a reload does not show the message again.
    await page.waitForURL((url) => !url.search.includes('sso_error'));
    // Once laid out (the page was measured 438 px wide once while its styles were still coming in).
    await eventually(async () => (await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, { what: 'no sideways scrolling at 390 px' });
    await screenshot(page, 'oidc-04-no-role-phone-dark');
    expect(await axeViolations(page)).toEqual([]);
    expect(ownErrors(nils)).toEqual([]);
  }, 60_000);
});
