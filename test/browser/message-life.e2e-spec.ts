import type { Locator, Page } from 'playwright-core';
import { axeViolations } from '../support/axe';
import { inMessageView, openBrowser, savedForOffline, screenshot, signIn, type Person } from '../support/browser';
import { adminToken, closeAllClients, connectAs, createUser, nextEvent, requestOk, type ClientSocket } from '../support/clients';
import { eventually } from '../support/eventually';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

/**
 * A message's whole life in Chromium (issue 14): edit in place (menu and Up arrow), delete with
 * a confirmation and a tombstone for everyone, an admin's moderation at phone width, replies
 * with a quote that jumps to the original (loading older history), reactions, and "Seen" /
 * "Seen by N". sam (staff) and an admin use browsers; cleo, tess and the admin's other device
 * are scripted sockets. Screenshots light, dark and at phone width.
 */
describe('a message\'s life in the web app', () => {
  let server: TestServer;
  let sam: Person;
  let cleoSocket: ClientSocket;
  let tessSocket: ClientSocket;
  let nedSocket: ClientSocket;
  /** sam on another device. */
  let samSocket: ClientSocket;
  const people: Person[] = [];

  beforeAll(async () => {
    server = await startServer({ PARLEY_EDIT_WINDOW_MINUTES: '15', PARLEY_READ_RECEIPTS: 'true' });
    const admin = await adminToken(server);
    const samToken = await createUser(server, admin, 'sam', 'staff');
    const cleo = await createUser(server, admin, 'cleo', 'client');
    const tess = await createUser(server, admin, 'tess', 'staff');
    cleoSocket = await connectAs(server, cleo, 'client', 'cleo');
    tessSocket = await connectAs(server, tess, 'staff', 'tess');
    nedSocket = await connectAs(server, await createUser(server, admin, 'ned', 'staff'), 'staff', 'ned');
    samSocket = await connectAs(server, samToken, 'staff', 'sam');
    sam = await openBrowser(server.url);
    people.push(sam);
    await signIn(sam.page, 'sam', 'sam-passphrase-9');
    await sam.page.waitForURL('**/staff/sam');
  }, 90_000);
  afterAll(async () => {
    closeAllClients();
    await Promise.all(people.map((p) => p.close()));
    await server?.stop();
  });
  afterEach(() => {
    // Refusals are shown on the page; nothing may fail in the console.
    for (const person of people) expect(person.errors).toEqual([]);
  });

  const conversation = (page: Page, id: string) => page.locator(`[data-conversation="${id}"]`);
  const messages = (page: Page) => page.getByTestId('message');
  const message = (page: Page, text: string) => messages(page).filter({ has: page.locator('parley-message-text', { hasText: text }) });
  const composer = (page: Page) => page.getByLabel('Message', { exact: true });
  const idOf = async (locator: Locator) => Number(await locator.getAttribute('data-id'));

  /** Opens a message's "⋯" menu (hovering first, as a mouse user would) and picks an item. */
  async function messageAction(page: Page, target: Locator, item: string): Promise<void> {
    await target.hover();
    await target.getByRole('button', { name: 'Message actions' }).click();
    await page.getByRole('menuitem', { name: item }).click();
  }

  /** Sends from the page's composer; resolves once the server has stored it. */
  async function post(page: Page, text: string): Promise<{ sent: Locator; id: number }> {
    await composer(page).fill(text);
    await composer(page).press('Enter');
    const sent = message(page, text);
    await sent.and(page.locator('[data-state="sent"]')).waitFor();
    return { sent, id: await idOf(sent) };
  }

  /** The "Seen" mark under one message. */
  const seenUnder = (page: Page, id: number) =>
    page.locator('parley-message-item').filter({ has: page.locator(`[data-testid="message"][data-id="${id}"]`) }).getByTestId('seen');

  async function openDm(page: Page, name: string): Promise<void> {
    await conversation(page, `user:${name}`).click();
    await page.getByRole('log', { name: 'Messages' }).waitFor();
  }

  async function send(socket: ClientSocket, text: string, to: string, replyTo?: number): Promise<number> {
    return (await requestOk(socket, 'send_message', { message: text, recipients: to, ...(replyTo ? { reply_to: replyTo } : {}) })).id;
  }

  it('edits one\'s own message in place from its menu, and with Up in the empty composer', async () => {
    const page = sam.page;
    await send(cleoSocket, 'Are we on for Thursday?', 'sam');
    await openDm(page, 'cleo');
    const { sent: mine, id } = await post(page, 'Helo cleo, yes we are');

    await messageAction(page, mine, 'Edit');
    const box = page.getByLabel('Edit message');
    await eventually(async () => expect(await box.evaluate((el) => el === document.activeElement)).toBe(true));
    await box.fill('Hello cleo, yes we are');
    await screenshot(page, 'life-01-editing');
    expect(await axeViolations(page)).toEqual([]);
    // From here, not before the screenshot and axe: nextEvent's time limit starts at once.
    const edited = nextEvent(cleoSocket, 'message_edited', (m) => m.id === id);
    await box.press('Enter');
    const fixed = message(page, 'Hello cleo, yes we are');
    await fixed.getByTestId('edited').waitFor();
    expect((await edited).message).toBe('Hello cleo, yes we are');
    // The time of the edit, for screen readers as in the tooltip.
    expect(await fixed.getByTestId('edited').textContent()).toContain(String(new Date().getFullYear()));
    // The list's preview says what the message says now.
    await eventually(async () => expect(await conversation(page, 'user:cleo').textContent()).toContain('Hello cleo, yes we are'));

    // Up in the empty composer edits the last message; Escape leaves it as it was.
    await composer(page).click();
    await composer(page).press('ArrowUp');
    await eventually(async () => expect(await page.getByLabel('Edit message').inputValue()).toBe('Hello cleo, yes we are'));
    await page.getByLabel('Edit message').press('Escape');
    await page.getByLabel('Edit message').waitFor({ state: 'detached' });
    await screenshot(page, 'life-02-edited');
  });

  it('shows others\' edits live, and keeps an edit in progress when messages arrive', async () => {
    const page = sam.page;
    const theirs = await send(cleoSocket, 'See you at 10', 'sam');
    await message(page, 'See you at 10').waitFor();
    const mine = message(page, 'Hello cleo, yes we are');
    await messageAction(page, mine, 'Edit');
    await page.getByLabel('Edit message').fill('Hello cleo, yes we are, at 11');
    await requestOk(cleoSocket, 'edit_message', { id: theirs, message: 'See you at 11' });
    await message(page, 'See you at 11').getByTestId('edited').waitFor();
    await send(cleoSocket, 'Bring the keys', 'sam');
    await message(page, 'Bring the keys').waitFor();
    expect(await page.getByLabel('Edit message').inputValue()).toBe('Hello cleo, yes we are, at 11');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('reacts from the picker, shows counts and who reacted, and takes a reaction back with the chip', async () => {
    const page = sam.page;
    const target = message(page, 'Bring the keys');
    const id = await idOf(target);
    await target.hover();
    await target.getByRole('button', { name: 'Add reaction' }).click();
    await page.getByRole('menuitem', { name: 'thumbs up' }).click();
    const chip = target.getByTestId('reaction');
    await eventually(async () => expect(await chip.getAttribute('aria-label')).toBe('thumbs up, 1: You. Press to take yours back'));
    expect(await chip.getAttribute('aria-pressed')).toBe('true');

    const changed = await requestOk(cleoSocket, 'react', { id, emoji: '👍', on: true });
    expect(changed.reactions).toEqual([{ emoji: '👍', users: ['sam', 'cleo'] }]);
    await eventually(async () => expect(await chip.textContent()).toContain('👍 2'));
    expect(await chip.getAttribute('aria-label')).toBe('thumbs up, 2: You and cleo. Press to take yours back');
    await chip.hover();
    await page.locator('mat-tooltip-component').filter({ hasText: 'You and cleo' }).waitFor();
    await screenshot(page, 'life-03-reactions');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'life-03-reactions-dark');
    // The tooltip lives in the overlay, outside the page's landmarks: gone before axe looks.
    await page.mouse.move(0, 0);
    await page.locator('mat-tooltip-component').waitFor({ state: 'detached' });
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    await chip.click();
    await eventually(async () => expect(await chip.getAttribute('aria-label')).toBe('thumbs up, 1: cleo. Press to add yours'));
    expect(await chip.getAttribute('aria-pressed')).toBe('false');
  });

  it('replies with a quote, and a click on a quote loads older history back to the original', async () => {
    const page = sam.page;
    const target = message(page, 'See you at 11');
    const original = await idOf(target);
    await messageAction(page, target, 'Reply');
    await page.getByTestId('replying').filter({ hasText: 'See you at 11' }).waitFor();
    // Escape drops the reply; the composer keeps its text.
    await composer(page).fill('half typed');
    await composer(page).press('Escape');
    await page.getByTestId('replying').waitFor({ state: 'detached' });
    expect(await composer(page).inputValue()).toBe('half typed');
    await messageAction(page, target, 'Reply');
    await composer(page).fill('11 works');
    const arrived = nextEvent(cleoSocket, 'message_from_user', (m) => m.message === '11 works');
    await composer(page).press('Enter');
    expect((await arrived).reply_to).toMatchObject({ id: original, sender_name: 'cleo', excerpt: 'See you at 11' });
    const reply = message(page, '11 works');
    expect(await reply.getByTestId('reply-quote').textContent()).toContain('See you at 11');
    await page.getByTestId('replying').waitFor({ state: 'detached' });

    // An answer to a message far back: more than a page of history lies between them.
    const far = await send(cleoSocket, 'The very first plan', 'sam');
    for (let i = 0; i < 60; i++) await send(cleoSocket, `filler ${String(i).padStart(2, '0')}`, 'sam');
    await send(cleoSocket, 'About that first plan', 'sam', far);
    // Reloaded once the copy kept for offline has them (a reload seconds after they arrived
    // would replay them all from the copy's older cursor, and the original would be loaded).
    await savedForOffline(page, 'sam', 'About that first plan');
    await page.reload();
    await openDm(page, 'cleo');
    const answer = message(page, 'About that first plan');
    await answer.waitFor();
    expect(await message(page, 'The very first plan').count()).toBe(0);
    // The quote as history gives it (a button to the original), not a stand-in from the list.
    const quote = answer.locator('button[data-testid="reply-quote"]');
    await quote.click();
    const found = message(page, 'The very first plan');
    await found.and(page.locator('.highlighted')).waitFor();
    await inMessageView(page, found);
    await screenshot(page, 'life-04-jumped-to-quote');
  });

  it('deletes one\'s own message after a confirmation, as a tombstone for everyone', async () => {
    const page = sam.page;
    const { sent: mine, id } = await post(page, 'Wrong person, sorry');
    await messageAction(page, mine, 'Delete');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Delete this message?').waitFor();
    await screenshot(page, 'life-05-delete-confirm');
    expect(await axeViolations(page)).toEqual([]);
    // Listening from here: nextEvent's time limit counts from now, and the screenshot and axe above take a while.
    const deleted = nextEvent(cleoSocket, 'message_deleted', (m) => m.id === id);
    await dialog.getByRole('button', { name: 'Delete message' }).click();
    const tombstone = messages(page).and(page.locator(`[data-id="${id}"]`));
    await tombstone.getByTestId('tombstone').waitFor();
    expect(await tombstone.textContent()).not.toContain('Wrong person');
    expect(await deleted).toMatchObject({ id, deleted: true, message: '' });

    // cleo takes back one of hers: gone here too, live, and the quote of it says so after a reload.
    const hers = await send(cleoSocket, 'Ignore this one', 'sam');
    await message(page, 'Ignore this one').waitFor();
    await send(cleoSocket, 'Answering the ignored one', 'sam', hers);
    await requestOk(cleoSocket, 'delete_message', { id: hers });
    await messages(page).and(page.locator(`[data-id="${hers}"]`)).getByTestId('tombstone').waitFor();
    const quote = message(page, 'Answering the ignored one').getByTestId('reply-quote');
    await quote.filter({ hasText: 'Original message deleted' }).waitFor();
    await page.reload();
    await openDm(page, 'cleo');
    await message(page, 'Answering the ignored one').getByTestId('reply-quote').filter({ hasText: 'Original message deleted' }).waitFor();
    await screenshot(page, 'life-06-tombstones');
  });

  it('says "Seen" in a DM and "Seen by N" with the names in a group', async () => {
    const page = sam.page;
    await send(cleoSocket, 'Back at the office', 'sam');
    await openDm(page, 'cleo');
    const { id: dmId } = await post(page, 'Did you get the keys?');
    expect(await seenUnder(page, dmId).count()).toBe(0);
    await requestOk(cleoSocket, 'mark_read', { conversation: 'user:sam', up_to: dmId });
    await seenUnder(page, dmId).filter({ hasText: /^Seen$/ }).waitFor();
    // Only under the newest message read: one mark in the conversation.
    expect(await page.getByTestId('seen').count()).toBe(1);

    await conversation(page, 'group:staff').click();
    const { id: groupId } = await post(page, 'Rota for next week is up');
    await requestOk(tessSocket, 'mark_read', { conversation: 'group:staff', up_to: groupId });
    await page.getByTestId('seen').filter({ hasText: 'Seen by 1' }).waitFor();
    await requestOk(nedSocket, 'mark_read', { conversation: 'group:staff', up_to: groupId });
    await page.getByTestId('seen').filter({ hasText: 'Seen by 2' }).click();
    const names = page.getByTestId('seen-name');
    await eventually(async () => expect((await names.allTextContents()).map((n) => n.trim()).sort()).toEqual(['ned', 'tess']));
    await screenshot(page, 'life-07-seen-by');
    await page.keyboard.press('Escape');
    // After a reload it comes from history's receipts.
    await page.reload();
    await conversation(page, 'group:staff').click();
    await page.getByTestId('seen').filter({ hasText: 'Seen by 2' }).waitFor();
  });

  it('lets an admin delete anyone\'s message as moderation, by tap at phone width', async () => {
    const admin = await openBrowser(server.url, { width: 390, height: 844 });
    people.push(admin);
    await signIn(admin.page, 'admin', ADMIN_PASSWORD);
    await admin.page.waitForURL('**/admin/admin');
    const posted = await send(tessSocket, 'Something that must go', 'staff');
    const page = admin.page;
    await conversation(page, 'group:staff').click();
    const target = message(page, 'Something that must go');
    await target.waitFor();
    // Nothing hovers on a phone: the "⋯" is there to tap.
    const more = target.getByRole('button', { name: 'Message actions' });
    expect(await more.evaluate((el) => getComputedStyle(el.parentElement!).opacity)).toBe('1');
    await more.click();
    await page.getByRole('menuitem', { name: 'Delete (moderation)' }).click();
    await page.getByRole('dialog').getByText("Delete tess's message?").waitFor();
    await screenshot(page, 'life-08-moderation-phone');
    const seenByTess = nextEvent(tessSocket, 'message_deleted', (m) => m.id === posted);
    await page.getByRole('dialog').getByRole('button', { name: 'Delete (moderation)' }).click();
    await messages(page).and(page.locator(`[data-id="${posted}"]`)).getByTestId('tombstone').waitFor();
    await seenByTess;
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'life-09-tombstone-phone-dark');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('keeps the text of an edit in progress when the message is deleted on another device', async () => {
    const page = sam.page;
    await conversation(page, 'user:cleo').click();
    const { sent: mine, id } = await post(page, 'Keys are under the mat');
    await messageAction(page, mine, 'Edit');
    await page.getByLabel('Edit message').fill('Keys are with the neighbour');
    await requestOk(samSocket, 'delete_message', { id });
    const editor = messages(page).and(page.locator(`[data-id="${id}"]`));
    await editor.getByTestId('edit-error').filter({ hasText: 'deleted meanwhile' }).waitFor();
    expect(await page.getByLabel('Edit message').inputValue()).toBe('Keys are with the neighbour');
    await screenshot(page, 'life-10-deleted-while-editing');
    await editor.getByRole('button', { name: 'Cancel', exact: true }).click();
    await editor.getByTestId('tombstone').waitFor();
  });
});
