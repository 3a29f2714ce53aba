import { ErrorCodes, type WireMessage } from '@parley/contract';
import { DatabaseService } from '../backend/src/storage/database.service';
import { adminToken, api, closeAllClients, connectAs, createUser, nextEvent, record, request, requestOk, roundTrip } from './support/clients';
import { startServer, type TestServer } from './support/server';

/**
 * edit_message, delete_message, react and send_message's reply_to: who may, what everyone who
 * sees the message is told, and what sync replays to a device that was away. Runs on SQLite and
 * PostgreSQL (the e2e-postgres project).
 */
describe('a message after it is sent: edit, delete, react, reply', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const roles = { sam: 'staff', sue: 'staff', cal: 'client', cid: 'client' } as const;
  type Who = keyof typeof roles | 'admin';

  const as = (who: Who) => connectAs(server, tokens[who], who === 'admin' ? 'admin' : roles[who], who);
  const refused = (code: string) => ({ ok: false, error: expect.objectContaining({ code }) });
  /** Moves a message's sending time back, as if it had been sent `minutes` ago. */
  const age = (id: number, minutes: number) =>
    server.app.get(DatabaseService).db.updateTable('messages').set({ sent_at: Date.now() - minutes * 60_000 }).where('id', '=', id).execute();

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) tokens[name] = await createUser(server, tokens.admin, name, role);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('edits one\'s own message: the ack, message_edited to everyone who sees it, mentions recomputed, history shows the new text', async () => {
    const [sam, samLaptop, sue, cal] = await Promise.all([as('sam'), as('sam'), as('sue'), as('cal')]);
    const calSees = record(cal, 'message_edited');
    const sent = await requestOk(sam, 'send_message', { message: 'meeting at 3', recipients: 'staff' });
    const suesCopy = nextEvent(sue, 'message_edited');
    const laptopCopy = nextEvent(samLaptop, 'message_edited');
    const ack = await requestOk(sam, 'edit_message', { id: sent.id, message: 'meeting at 4 @sue' });
    expect(ack).toEqual({ ok: true, id: sent.id, rev: expect.any(Number), edited_at: expect.any(String) });
    expect(ack.rev).toBeGreaterThan(sent.id);
    const edited = await suesCopy;
    expect(edited).toMatchObject({ id: sent.id, message: 'meeting at 4 @sue', rev: ack.rev, edited_at: ack.edited_at, mentions: ['sue'], sender_name: 'sam' });
    expect(await laptopCopy).toEqual(edited);
    // The same text again is a no-op success: no new rev.
    expect(await requestOk(sam, 'edit_message', { id: sent.id, message: 'meeting at 4 @sue' })).toMatchObject({ rev: ack.rev });

    const history = await requestOk(sue, 'history', { conversation: 'group:staff' });
    expect(history.messages.find((m) => m.id === sent.id)).toMatchObject({ message: 'meeting at 4 @sue', edited_at: ack.edited_at });
    // A client does not read the staff group: told nothing.
    await roundTrip(cal);
    expect(calSees).toEqual([]);
  });

  it('lets nobody edit another\'s message, answers a message out of sight exactly as a missing one, and checks the size', async () => {
    const [sam, sue, cal, cid] = await Promise.all([as('sam'), as('sue'), as('cal'), as('cid')]);
    const group = await requestOk(sam, 'send_message', { message: 'staff only', recipients: 'staff' });
    const dm = await requestOk(sam, 'send_message', { message: 'for cal', recipients: 'cal' });
    expect(await request(sue, 'edit_message', { id: group.id, message: 'hijacked' })).toEqual(refused(ErrorCodes.Forbidden));
    expect(await request(cal, 'edit_message', { id: dm.id, message: 'hijacked' })).toEqual(refused(ErrorCodes.Forbidden));
    // cid sees neither: the same answer as for an id that was never used.
    const missing = await request(cid, 'edit_message', { id: 999_999_999, message: 'x' });
    expect(missing).toEqual(refused(ErrorCodes.UnknownMessage));
    for (const id of [group.id, dm.id]) {
      for (const [event, payload] of [
        ['edit_message', { id, message: 'x' }],
        ['delete_message', { id }],
        ['react', { id, emoji: '👍', on: true }],
      ] as const) {
        const answer = await request(cid, event, payload as never);
        expect(answer).toEqual(refused(ErrorCodes.UnknownMessage));
        expect(JSON.stringify(answer).replace(String(id), 'N')).toBe(JSON.stringify(missing).replace('999999999', 'N'));
      }
    }
    expect(await request(sam, 'edit_message', { id: dm.id, message: 'x'.repeat(16 * 1024 + 1) })).toEqual(refused(ErrorCodes.MessageTooLong));
    expect(await request(sam, 'edit_message', { id: dm.id, message: '' })).toEqual(refused(ErrorCodes.InvalidPayload));
  });

  it('closes edits and deletes after the window; an admin still deletes (moderation, audited without the text)', async () => {
    const [sam, sue, admin] = await Promise.all([as('sam'), as('sue'), as('admin')]);
    const old = await requestOk(sue, 'send_message', { message: 'an old secret remark', recipients: 'staff' });
    await age(old.id, 16);
    expect(await request(sue, 'edit_message', { id: old.id, message: 'x' })).toEqual(refused(ErrorCodes.EditWindowClosed));
    expect(await request(sue, 'delete_message', { id: old.id })).toEqual(refused(ErrorCodes.EditWindowClosed));
    // Staff read the group but may not moderate it.
    expect(await request(sam, 'delete_message', { id: old.id })).toEqual(refused(ErrorCodes.Forbidden));

    const tombstone = nextEvent(sam, 'message_deleted');
    const ack = await requestOk(admin, 'delete_message', { id: old.id });
    expect(ack).toEqual({ ok: true, id: old.id, rev: expect.any(Number) });
    expect(await tombstone).toMatchObject({ id: old.id, message: '', deleted: true, rev: ack.rev, sender_name: 'sue' });
    // Again: the same answer, nothing new.
    expect(await request(admin, 'delete_message', { id: old.id })).toEqual(ack);

    const audit = await api(server, 'GET', '/api/admin/audit?action=message.moderated', { token: tokens.admin });
    const entries = audit.body.entries as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'admin',
      action: 'message.moderated',
      target: 'sue',
      details: { message_id: old.id, sender: 'sue', conversation: 'group:staff' },
    });
    expect(JSON.stringify(audit.body)).not.toContain('secret remark');
  });

  it('deletes one\'s own message into a tombstone for everyone; a deleted message takes no edit, reaction or reply', async () => {
    const [sam, cal, calPhone] = await Promise.all([as('sam'), as('cal'), as('cal')]);
    const sent = await requestOk(cal, 'send_message', { message: 'oops, wrong person', recipients: 'sam' });
    await requestOk(sam, 'react', { id: sent.id, emoji: '👍', on: true });
    const samTold = nextEvent(sam, 'message_deleted');
    const phoneTold = nextEvent(calPhone, 'message_deleted');
    const ack = await requestOk(cal, 'delete_message', { id: sent.id });
    const tombstone = await samTold;
    expect(tombstone).toMatchObject({ id: sent.id, message: '', deleted: true, rev: ack.rev, sender_name: 'cal', target_kind: 'user', target: 'sam' });
    expect(tombstone.reactions).toBeUndefined();
    expect(tombstone.mentions).toBeUndefined();
    expect(await phoneTold).toEqual(tombstone);
    expect(await request(cal, 'delete_message', { id: sent.id })).toEqual(ack);
    expect(await request(cal, 'edit_message', { id: sent.id, message: 'x' })).toEqual(refused(ErrorCodes.MessageDeleted));
    expect(await request(sam, 'react', { id: sent.id, emoji: '👍', on: true })).toEqual(refused(ErrorCodes.MessageDeleted));
    expect(await request(sam, 'send_message', { message: 're', recipients: 'cal', reply_to: sent.id })).toEqual(refused(ErrorCodes.MessageDeleted));
    // A client may not delete what someone else sent them.
    const fromSam = await requestOk(sam, 'send_message', { message: 'keep this', recipients: 'cal' });
    expect(await request(cal, 'delete_message', { id: fromSam.id })).toEqual(refused(ErrorCodes.Forbidden));
  });

  it('reacts: reaction_changed to everyone who sees it; adding twice or taking back a reaction never made changes nothing', async () => {
    const [sam, sue, admin] = await Promise.all([as('sam'), as('sue'), as('admin')]);
    const sent = await requestOk(sam, 'send_message', { message: 'ship it?', recipients: 'staff' });
    const suesCopy = nextEvent(sue, 'reaction_changed');
    const ack = await requestOk(admin, 'react', { id: sent.id, emoji: '👍', on: true });
    expect(ack).toEqual({ ok: true, id: sent.id, rev: expect.any(Number), reactions: [{ emoji: '👍', users: ['admin'] }] });
    expect(await suesCopy).toMatchObject({ id: sent.id, message: 'ship it?', rev: ack.rev, reactions: ack.reactions, reaction: { emoji: '👍', user_name: 'admin', on: true } });
    const both = await requestOk(sue, 'react', { id: sent.id, emoji: '👍', on: true });
    expect(both.reactions).toEqual([{ emoji: '👍', users: ['admin', 'sue'] }]);
    expect(await requestOk(sue, 'react', { id: sent.id, emoji: '👍', on: true })).toEqual(both);
    expect(await requestOk(sue, 'react', { id: sent.id, emoji: '🎉', on: false })).toEqual(both);
    const takenBack = nextEvent(sam, 'reaction_changed', (e) => !e.reaction.on);
    const off = await requestOk(admin, 'react', { id: sent.id, emoji: '👍', on: false });
    expect(off.reactions).toEqual([{ emoji: '👍', users: ['sue'] }]);
    expect(await takenBack).toMatchObject({ reactions: [{ emoji: '👍', users: ['sue'] }], reaction: { emoji: '👍', user_name: 'admin', on: false } });
    expect(await request(sue, 'react', { id: sent.id, emoji: 'nope', on: true } as never)).toEqual(refused(ErrorCodes.InvalidPayload));
  });

  it('replies within the conversation: the live message carries the quote; another conversation\'s message is unknown', async () => {
    const [sam, cal, cid] = await Promise.all([as('sam'), as('cal'), as('cid')]);
    const question = await requestOk(cal, 'send_message', { message: 'when is the delivery?', recipients: 'sam' });
    const elsewhere = await requestOk(sam, 'send_message', { message: 'staff chatter', recipients: 'staff' });
    const toCid = await requestOk(sam, 'send_message', { message: 'for cid', recipients: 'cid' });
    const delivered = nextEvent(cal, 'message_from_user', (m) => m.message === 'tomorrow');
    const reply = await requestOk(sam, 'send_message', { message: 'tomorrow', recipients: 'cal', reply_to: question.id });
    expect(await delivered).toMatchObject({ id: reply.id, reply_to: { id: question.id, sender_name: 'cal', excerpt: 'when is the delivery?' } });
    const history = await requestOk(cal, 'history', { conversation: 'user:sam' });
    expect(history.messages.find((m) => m.id === reply.id)?.reply_to).toEqual({ id: question.id, sender_name: 'cal', excerpt: 'when is the delivery?' });
    // The conversation list's preview is the same message, quote included.
    const { conversations } = await requestOk(cal, 'conversations', {});
    expect(conversations.find((c) => c.conversation === 'user:sam')?.last.reply_to).toEqual({ id: question.id, sender_name: 'cal', excerpt: 'when is the delivery?' });
    // Visible to sam, but in another conversation; and one sam cannot see at all.
    expect(await request(sam, 'send_message', { message: 'x', recipients: 'cal', reply_to: elsewhere.id })).toEqual(refused(ErrorCodes.UnknownMessage));
    expect(await request(cal, 'send_message', { message: 'x', recipients: 'sam', reply_to: toCid.id })).toEqual(refused(ErrorCodes.UnknownMessage));
    expect(await request(cid, 'send_message', { message: 'x', recipients: 'sam', reply_to: 999_999_999 })).toEqual(refused(ErrorCodes.UnknownMessage));
  });

  it('refuses changes in an archived channel, as posting is; an admin still deletes', async () => {
    const [sam, sue, admin] = await Promise.all([as('sam'), as('sue'), as('admin')]);
    await api(server, 'POST', '/api/channels', { token: tokens.sam, body: { name: 'old-project', visibility: 'public', members: ['sue', 'admin'] } });
    const sent = await requestOk(sam, 'send_message', { message: 'final notes', recipients: 'channel:old-project' });
    await api(server, 'PATCH', '/api/channels/old-project', { token: tokens.sam, body: { archived: true } });
    expect(await request(sam, 'edit_message', { id: sent.id, message: 'x' })).toEqual(refused(ErrorCodes.ChannelArchived));
    expect(await request(sam, 'delete_message', { id: sent.id })).toEqual(refused(ErrorCodes.ChannelArchived));
    expect(await request(sue, 'react', { id: sent.id, emoji: '👍', on: true })).toEqual(refused(ErrorCodes.ChannelArchived));
    expect(await requestOk(admin, 'delete_message', { id: sent.id })).toMatchObject({ id: sent.id });
  });

  it('replays every change once, in order, with the final state, to a device that was away (paged)', async () => {
    const [sam, sue] = await Promise.all([as('sam'), as('sue')]);
    const suePhone = await as('sue');
    const before = await requestOk(suePhone, 'sync', { since: 0, limit: 500 });
    expect(before.more).toBe(false);
    const cursor = before.cursor;
    suePhone.disconnect();

    const a = await requestOk(sam, 'send_message', { message: 'a', recipients: 'staff' });
    const b = await requestOk(sam, 'send_message', { message: 'b', recipients: 'staff' });
    const c = await requestOk(sam, 'send_message', { message: 'c', recipients: 'staff' });
    await requestOk(sam, 'edit_message', { id: a.id, message: 'a, edited' });
    await requestOk(sue, 'react', { id: b.id, emoji: '🎉', on: true });
    await requestOk(sam, 'edit_message', { id: a.id, message: 'a, edited twice' });
    await requestOk(sam, 'delete_message', { id: c.id });
    const d = await requestOk(sam, 'send_message', { message: 'd', recipients: 'staff' });

    const back = await as('sue');
    const seen: WireMessage[] = [];
    let since = cursor;
    for (let page = 0; page < 10; page++) {
      const answer = await requestOk(back, 'sync', { since, limit: 2 });
      seen.push(...answer.messages);
      expect(answer.cursor).toBeGreaterThanOrEqual(since);
      since = answer.cursor;
      if (!answer.more) break;
    }
    // Each message once, at its latest position: b (reacted), a (edited twice), c (deleted), d (new).
    expect(seen.map((m) => m.id)).toEqual([b.id, a.id, c.id, d.id]);
    expect(seen[0]).toMatchObject({ message: 'b', reactions: [{ emoji: '🎉', users: ['sue'] }] });
    expect(seen[1]).toMatchObject({ message: 'a, edited twice', edited_at: expect.any(String) });
    expect(seen[2]).toMatchObject({ message: '', deleted: true });
    expect(seen[3]).toMatchObject({ message: 'd' });
    const positions = seen.map((m) => m.rev ?? m.id);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    // Caught up: nothing more from the last cursor.
    expect((await requestOk(back, 'sync', { since, limit: 2 })).messages).toEqual([]);
  });
});
