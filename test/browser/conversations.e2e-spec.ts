import type { Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { openBrowser, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, api, createPeople } from '../support/clients';
import { eventually } from '../support/eventually';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * Issue 13 in the web app: a client's line to the staff team and a staff member's reply, a
 * channel created with an invitation and used by both, and a mention marked and counted; with
 * axe over the new dialog and panel, and screenshots light, dark and at phone width.
 */
describe('team conversations, channels and mentions in the web app', () => {
  let server: TestServer;
  const people: Person[] = [];
  let cleo: Person;
  let sam: Person;
  let tess: Person;

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    await createPeople(server, admin, [
      ['sam', 'Sam Staff', 'staff'],
      ['tess', 'Tess Staff', 'staff'],
      ['cleo', 'Cleo Client', 'client'],
    ]);
    cleo = await signedIn('cleo');
    sam = await signedIn('sam');
    tess = await signedIn('tess');
  }, 90_000);
  afterAll(async () => {
    await Promise.all(people.map((p) => p.close()));
    await server?.stop();
  });

  async function signedIn(username: string, viewport = DESKTOP): Promise<Person> {
    const person = await openBrowser(server.url, viewport);
    people.push(person);
    await signIn(person.page, username, `${username}-passphrase-9`);
    await person.page.locator('[data-conversation]').first().waitFor();
    return person;
  }
  const conversation = (page: Page, id: string) => page.locator(`[data-conversation="${id}"]`);
  /** axe once a dialog has finished opening: half-way through its fade, every colour fails contrast. */
  const expectNoAxeViolations = (page: Page) => eventually(async () => expect(await axeViolations(page)).toEqual([]), { timeoutMs: 5_000 });
  const messages = (page: Page) => page.getByTestId('message');
  async function send(page: Page, text: string): Promise<void> {
    const box = page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
    await page.locator('[data-testid="message"][data-state="sent"]', { hasText: text }).waitFor();
  }
  it('carries a client\'s post to staff and a staff member\'s reply to both, in one team conversation', async () => {
    // cleo's line to the staff team is called "Staff", and is where a post to staff goes.
    const line = conversation(cleo.page, 'team:staff:cleo');
    expect(await line.locator('.title').textContent()).toBe('Staff');
    await line.click();
    await cleo.page.getByRole('heading', { level: 2, name: 'Staff' }).waitFor();
    await send(cleo.page, 'Is my order ready to collect?');

    // Every staff member has one entry per guest, marked as shared with the team.
    const entry = conversation(sam.page, 'team:staff:cleo');
    await entry.getByLabel('1 unread').waitFor();
    expect(await entry.locator('.title').textContent()).toBe('Cleo Client · client');
    expect(await entry.textContent()).toContain('Staff team');
    await conversation(tess.page, 'team:staff:cleo').getByLabel('1 unread').waitFor();
    await entry.click();
    await sam.page.getByText('Shared with the whole staff team').waitFor();
    await messages(sam.page).filter({ hasText: 'Is my order ready' }).waitFor();
    await send(sam.page, 'Yes, it is ready since noon.');

    // cleo sees the reply, from Sam by name; tess, on the same team, sees both.
    const reply = messages(cleo.page).filter({ hasText: 'ready since noon' });
    await reply.waitFor();
    expect(await reply.locator('.sender').textContent()).toBe('Sam Staff');
    await conversation(tess.page, 'team:staff:cleo').click();
    await messages(tess.page).filter({ hasText: 'ready since noon' }).waitFor();
    await screenshot(cleo.page, 'conv-client-team-light');
    await screenshot(sam.page, 'conv-staff-team');
  });

  it('lets a staff member create a private channel and invite someone, and both talk there', async () => {
    await sam.page.getByRole('button', { name: 'Browse / create' }).click();
    const dialog = sam.page.getByRole('dialog', { name: 'Channels' });
    await dialog.getByTestId('no-channels-found').waitFor();
    // The name rule is shown before anything is sent; a role name is refused as you type.
    const name = dialog.getByLabel('Name');
    await name.fill('staff');
    await name.blur();
    await dialog.getByText('not a role name').first().waitFor();
    await name.fill('ops');
    await dialog.getByLabel('Topic (optional)').fill('Rota, cover and on-call');
    await dialog.getByRole('radio', { name: /Private/ }).check();
    await dialog.getByRole('combobox', { name: 'Invite people' }).fill('tes');
    await sam.page.getByRole('option', { name: /Tess Staff/ }).click();
    await dialog.getByRole('list', { name: 'People invited' }).getByText('Tess Staff').waitFor();
    await expectNoAxeViolations(sam.page);
    await screenshot(sam.page, 'conv-channel-dialog');
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The new channel is open: its name, topic and size in the header.
    await sam.page.getByRole('heading', { level: 2, name: /ops/ }).waitFor();
    await sam.page.getByTestId('channel-topic').getByText('Rota, cover and on-call').waitFor();
    await send(sam.page, 'Who covers Friday?');

    // tess was invited: #ops appears in her list as it happens, locked as private.
    const ops = conversation(tess.page, 'channel:ops');
    await ops.getByLabel('1 unread').waitFor();
    expect(await ops.textContent()).toContain('(private channel)');
    await ops.click();
    await messages(tess.page).filter({ hasText: 'Who covers Friday?' }).waitFor();
    await send(tess.page, 'I can do Friday.');
    await messages(sam.page).filter({ hasText: 'I can do Friday.' }).waitFor();

    // The members panel: both, with presence; sam manages the channel.
    await sam.page.getByRole('button', { name: /Members and details/ }).click();
    const details = sam.page.getByRole('dialog');
    await details.locator('[data-member="tess"]').getByText('(online)').waitFor({ state: 'attached' });
    await details.getByRole('button', { name: 'Remove Tess Staff' }).waitFor();
    await expectNoAxeViolations(sam.page);
    await screenshot(sam.page, 'conv-channel-members');
    await details.getByRole('button', { name: 'Close' }).click();
    await details.waitFor({ state: 'detached' });
    await screenshot(sam.page, 'conv-channel');
  });

  it('marks a mention of the reader and counts it, per conversation and in all', async () => {
    // tess is elsewhere when sam mentions her in #ops.
    await conversation(tess.page, 'group:staff').click();
    await conversation(sam.page, 'channel:ops').click();
    const box = sam.page.getByLabel('Message', { exact: true });
    await box.fill('');
    await box.pressSequentially('@te');
    const option = sam.page.getByRole('option', { name: /@tess/ });
    await option.waitFor();
    await screenshot(sam.page, 'conv-mention-autocomplete');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('@tess ');
    await box.pressSequentially('can you check the rota?');
    await box.press('Enter');
    await sam.page.locator('[data-testid="message"][data-state="sent"]', { hasText: 'check the rota' }).waitFor();

    await conversation(tess.page, 'channel:ops').getByLabel('1 mention').waitFor();
    await tess.page.getByTestId('mentions-total').getByText('@1').waitFor();
    await conversation(tess.page, 'channel:ops').click();
    const mentioned = messages(tess.page).filter({ hasText: 'check the rota' });
    expect(await mentioned.locator('mark.mention-me').textContent()).toBe('@tess');
    await tess.page.getByTestId('mentions-total').waitFor({ state: 'detached' });
    await screenshot(tess.page, 'conv-mention');

    // Dark, as she might have it in the evening.
    await tess.page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(tess.page, 'conv-mention-dark');
    await expectNoAxeViolations(tess.page);
    await tess.page.emulateMedia({ colorScheme: 'light' });
  });

  it('keeps a notification setting per conversation in its header menu', async () => {
    await conversation(tess.page, 'channel:ops').click();
    await tess.page.getByRole('button', { name: 'Conversation options' }).click();
    await tess.page.getByRole('menuitemradio', { name: 'Mentions only' }).click();
    await tess.page.getByRole('button', { name: 'Conversation options' }).click();
    await eventually(async () => expect(await tess.page.getByRole('menuitemradio', { name: 'Mentions only' }).getAttribute('aria-checked')).toBe('true'));
    await tess.page.keyboard.press('Escape');
    // Another device of hers learns it (notify_changed), and so does a reload (the summary's notify).
    await tess.page.reload();
    await conversation(tess.page, 'channel:ops').click();
    await tess.page.getByRole('button', { name: 'Conversation options' }).click();
    await eventually(async () => expect(await tess.page.getByRole('menuitemradio', { name: 'Mentions only' }).getAttribute('aria-checked')).toBe('true'));
    await tess.page.keyboard.press('Escape');
  });

  it('lists the groups an admin supervises like their own, with what staff say there', async () => {
    await conversation(sam.page, 'group:staff').click();
    await send(sam.page, 'Staff: the rota is up');
    const admin = await openBrowser(server.url, DESKTOP);
    people.push(admin);
    await signIn(admin.page, 'admin', ADMIN_PASSWORD);
    const staffGroup = conversation(admin.page, 'group:staff');
    expect(await staffGroup.locator('.title').textContent()).toBe('Staff group');
    expect(await conversation(admin.page, 'group:client').locator('.title').textContent()).toBe('Client group');
    await staffGroup.click();
    const post = messages(admin.page).filter({ hasText: 'the rota is up' });
    await post.waitFor();
    expect(await post.locator('.sender').textContent()).toBe('Sam Staff');
  });

  it('fits a phone: the list with its sections, then a channel with its header', async () => {
    const phone = await signedIn('sam', PHONE);
    await conversation(phone.page, 'channel:ops').waitFor();
    await screenshot(phone.page, 'conv-phone-list');
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await conversation(phone.page, 'channel:ops').click();
    await messages(phone.page).filter({ hasText: 'I can do Friday.' }).waitFor();
    await screenshot(phone.page, 'conv-phone-channel');
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await expectNoAxeViolations(phone.page);
    // The details dialog fits too, dark as well.
    await phone.page.emulateMedia({ colorScheme: 'dark' });
    await phone.page.getByRole('button', { name: /Members and details/ }).click();
    const details = phone.page.getByRole('dialog');
    await details.locator('[data-member="tess"]').waitFor();
    await screenshot(phone.page, 'conv-phone-details-dark');
    await expectNoAxeViolations(phone.page);
    await details.getByRole('button', { name: 'Close' }).click();
    await details.waitFor({ state: 'detached' });
    await phone.page.getByRole('button', { name: 'Back to conversations' }).click();
    await phone.page.getByRole('button', { name: 'Browse / create' }).click();
    const browser = phone.page.getByRole('dialog', { name: 'Channels' });
    await browser.locator('[data-channel="ops"]').waitFor();
    await screenshot(phone.page, 'conv-phone-browse-dark');
    await expectNoAxeViolations(phone.page);
    await browser.getByRole('button', { name: 'Close' }).click();
  });

  it('shows a client the channels they are invited to, read-only once archived', async () => {
    // sam invites cleo to #ops, then archives it; cleo sees the note in place of the composer.
    const token = await api(server, 'POST', '/api/auth/login', { body: { username: 'sam', password: 'sam-passphrase-9' } });
    const auth = { token: token.body.token as string };
    expect((await api(server, 'POST', '/api/channels/ops/members', { ...auth, body: { username: 'cleo' } })).status).toBeLessThan(300);
    await conversation(cleo.page, 'channel:ops').click();
    await messages(cleo.page).filter({ hasText: 'I can do Friday.' }).waitFor();
    expect((await api(server, 'PATCH', '/api/channels/ops', { ...auth, body: { archived: true } })).status).toBeLessThan(300);
    await cleo.page.getByTestId('archived-note').waitFor();
    expect(await cleo.page.getByLabel('Message', { exact: true }).count()).toBe(0);
    await screenshot(cleo.page, 'conv-archived');

    // Removed while she has it open: it leaves her list, and the page says so.
    expect((await api(server, 'DELETE', '/api/channels/ops/members/cleo', auth)).status).toBeLessThan(300);
    await cleo.page.getByRole('status').filter({ hasText: 'You are no longer in #ops' }).first().waitFor();
    await conversation(cleo.page, 'channel:ops').waitFor({ state: 'detached' });
    await screenshot(cleo.page, 'conv-removed');
  });
});
