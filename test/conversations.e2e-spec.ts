import type { ConversationSummary, Role, WireMessage } from '@parley/contract';
import { ChannelRepository } from '../backend/src/storage/channel.repository';
import { DatabaseService } from '../backend/src/storage/database.service';
import { UserRepository } from '../backend/src/storage/user.repository';
import {
  adminToken,
  api,
  type ClientSocket,
  closeAllClients,
  connectAs,
  createUser,
  nextEvent,
  record,
  request,
  requestOk,
  roundTrip,
} from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * The conversation model (docs/architecture.md): team conversations, supervised role groups,
 * channels, mentions, per-conversation notify settings, live and through sync/history.
 */
describe('team conversations, supervised groups, channels and mentions', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const roles: Record<string, Role> = { admin: 'admin', sam: 'staff', sal: 'staff', cleo: 'client', cid: 'client', del: 'client' };

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) if (name !== 'admin') tokens[name] = await createUser(server, tokens.admin, name, role);
    // Channels are created in storage: the channel REST API is another module's.
    const channels = server.app.get(ChannelRepository);
    const users = server.app.get(UserRepository);
    const id = async (name: string) => (await users.findByUsername(name))!.id;
    const now = Date.now();
    await channels.create({ name: 'ops', topic: '', visibility: 'public', createdBy: await id('admin'), memberIds: [await id('sam'), await id('cleo')], now });
    await channels.create({ name: 'secret', topic: '', visibility: 'private', createdBy: await id('admin'), memberIds: [], now });
    const old = await channels.create({ name: 'old', topic: '', visibility: 'public', createdBy: await id('admin'), memberIds: [await id('sam')], now });
    await server.app.get(DatabaseService).db.updateTable('channels').set({ archived_at: now }).where('id', '=', old.id).execute();
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const as = (name: string) => connectAs(server, tokens[name], roles[name], name);
  const live = (socket: ClientSocket) => record(socket, 'message_from_user');
  const texts = (messages: WireMessage[]) => messages.map((m) => m.message);
  const summary = async (socket: ClientSocket, conversation: string): Promise<ConversationSummary | undefined> =>
    (await requestOk(socket, 'conversations', {})).conversations.find((c) => c.conversation === conversation);
  const since0 = async (socket: ClientSocket) => (await requestOk(socket, 'sync', { since: 0, limit: 500 })).messages;

  it("makes a client's post to staff and a staff reply one conversation, seen live and after by the client and every staff member", async () => {
    const [cleo, sam, sal, admin] = [await as('cleo'), await as('sam'), await as('sal'), await as('admin')];
    const [toCleo, toSam, toSal, toAdmin] = [live(cleo), live(sam), live(sal), live(admin)];

    const asked = await requestOk(cleo, 'send_message', { message: 'my order is late', recipients: 'staff' });
    await eventually(() => expect(texts(toSam)).toEqual(['my order is late']));
    expect(toSam[0]).toMatchObject({ target_kind: 'team', target: 'staff', guest: 'cleo', sender_name: 'cleo' });
    await eventually(() => expect(texts(toSal)).toEqual(['my order is late']));

    const reply = await requestOk(sam, 'send_message', { message: 'looking into it', recipients: 'team:staff:cleo' });
    await eventually(() => expect(texts(toCleo)).toEqual(['looking into it']));
    expect(toCleo[0]).toMatchObject({ target_kind: 'team', target: 'staff', guest: 'cleo', sender_name: 'sam' });
    await eventually(() => expect(texts(toSal)).toEqual(['my order is late', 'looking into it']));
    // Supervisors read role groups, not the team's conversations with outsiders.
    await roundTrip(admin);
    expect(toAdmin).toEqual([]);

    for (const socket of [cleo, sam, sal]) {
      expect(texts((await since0(socket)).filter((m) => m.target_kind === 'team'))).toEqual(['my order is late', 'looking into it']);
      expect(texts((await requestOk(socket, 'history', { conversation: 'team:staff:cleo' })).messages)).toEqual(['my order is late', 'looking into it']);
    }
    expect(texts((await since0(admin)).filter((m) => m.target_kind === 'team'))).toEqual([]);
    // The client's own name for it, the group they write to, is the same conversation.
    expect(await requestOk(cleo, 'history', { conversation: 'staff' })).toMatchObject({ messages: [{ id: asked.id }, { id: reply.id }] });

    expect(await summary(cleo, 'team:staff:cleo')).toMatchObject({ unread: 1, last: { id: reply.id } });
    expect(await summary(sam, 'team:staff:cleo')).toMatchObject({ unread: 1 });
    expect(await summary(sal, 'team:staff:cleo')).toMatchObject({ unread: 2 });
    expect(await request(sal, 'mark_read', { conversation: 'team:staff:cleo', up_to: reply.id })).toEqual({ ok: true, conversation: 'team:staff:cleo' });
    expect(await summary(sal, 'team:staff:cleo')).toMatchObject({ unread: 0, last_read_id: reply.id });
    expect(await request(cleo, 'mark_read', { conversation: 'staff', up_to: reply.id })).toEqual({ ok: true, conversation: 'team:staff:cleo' });
    expect(await summary(cleo, 'team:staff:cleo')).toMatchObject({ unread: 0 });
  });

  it("gives two clients writing to staff two conversations, neither seeing the other's", async () => {
    const [cleo, cid, sam] = [await as('cleo'), await as('cid'), await as('sam')];
    const [toCleo, toCid] = [live(cleo), live(cid)];
    await requestOk(cid, 'send_message', { message: 'cid asks', recipients: 'group:staff' });
    await requestOk(cleo, 'send_message', { message: 'cleo asks', recipients: 'group:staff' });
    await requestOk(sam, 'send_message', { message: 'for cid', recipients: 'team:staff:cid' });
    await eventually(() => expect(texts(toCid)).toEqual(['for cid']));
    await roundTrip(cleo);
    expect(texts(toCleo)).toEqual([]);

    expect(texts(await since0(cid)).filter((t) => t.includes('cleo'))).toEqual([]);
    const cidList = (await requestOk(cid, 'conversations', {})).conversations.map((c) => c.conversation);
    expect(cidList).toContain('team:staff:cid');
    expect(cidList).not.toContain('team:staff:cleo');
    const samList = (await requestOk(sam, 'conversations', {})).conversations.map((c) => c.conversation);
    expect(samList).toEqual(expect.arrayContaining(['team:staff:cid', 'team:staff:cleo']));

    // Another client's team conversation is answered as one that does not exist.
    const other = await request(cid, 'history', { conversation: 'team:staff:cleo' });
    const nobody = await request(cid, 'history', { conversation: 'team:staff:nobody' });
    expect(other).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
    expect(other).toEqual(JSON.parse(JSON.stringify(nobody).replace('nobody', 'cleo')));
    expect(await request(cid, 'send_message', { message: 'x', recipients: 'team:staff:cleo' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
  });

  it('lets an admin read the staff group live and through sync and history', async () => {
    const [admin, sam, sal] = [await as('admin'), await as('sam'), await as('sal')];
    const [toAdmin, toSal] = [live(admin), live(sal)];
    const sent = await requestOk(sam, 'send_message', { message: 'staff meeting at 3', recipients: 'staff' });
    await eventually(() => expect(texts(toAdmin)).toEqual(['staff meeting at 3']));
    expect(toAdmin[0]).toMatchObject({ target_kind: 'group', target: 'staff' });
    await eventually(() => expect(texts(toSal)).toEqual(['staff meeting at 3']));
    expect((await since0(admin)).map((m) => m.id)).toContain(sent.id);
    expect((await requestOk(admin, 'history', { conversation: 'group:staff' })).messages.map((m) => m.id)).toContain(sent.id);
    expect(await summary(admin, 'group:staff')).toMatchObject({ unread: expect.any(Number) });
    expect((await summary(admin, 'group:staff'))!.unread).toBeGreaterThan(0);
    // An admin's post there stays a group post, read by the staff.
    await requestOk(admin, 'send_message', { message: 'noted', recipients: 'staff' });
    await eventually(() => expect(texts(toSal)).toContain('noted'));
  });

  it('delivers a channel message to its members only; a private channel answers as one that does not exist', async () => {
    const [sam, cleo, admin, sal] = [await as('sam'), await as('cleo'), await as('admin'), await as('sal')];
    const [toCleo, toAdmin, toSal] = [live(cleo), live(admin), live(sal)];
    await requestOk(sam, 'send_message', { message: 'deploying', recipients: 'channel:ops' });
    await eventually(() => expect(texts(toCleo)).toEqual(['deploying']));
    await eventually(() => expect(texts(toAdmin)).toEqual(['deploying']));
    expect(toCleo[0]).toMatchObject({ target_kind: 'channel', target: 'ops' });
    await roundTrip(sal);
    expect(toSal).toEqual([]);
    expect(texts(await since0(cleo))).toContain('deploying');
    expect(texts(await since0(sal))).not.toContain('deploying');
    expect(texts((await requestOk(admin, 'history', { conversation: 'channel:ops' })).messages)).toEqual(['deploying']);
    expect(await summary(cleo, 'channel:ops')).toMatchObject({ unread: 1 });

    expect(await request(sal, 'send_message', { message: 'x', recipients: 'channel:ops' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(sal, 'history', { conversation: 'channel:ops' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await request(sam, 'send_message', { message: 'x', recipients: 'channel:old' })).toMatchObject({ ok: false, error: { code: 'CHANNEL_ARCHIVED' } });
    for (const event of ['send_message', 'history'] as const) {
      const payload = (conversation: string) => (event === 'send_message' ? { message: 'x', recipients: conversation } : { conversation });
      const hidden = await request(sal, event, payload('channel:secret') as never);
      const missing = await request(sal, event, payload('channel:nope') as never);
      expect(hidden).toEqual(JSON.parse(JSON.stringify(missing).replace('nope', 'secret')));
      expect(hidden).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
    }
  });

  it('carries mentions the sender may make, and counts unread mentions per conversation', async () => {
    const [cleo, sam, sal] = [await as('cleo'), await as('sam'), await as('sal')];
    const toSam = live(sam);
    // cid is another client: cleo may not reach them, so the mention is dropped (it would confirm the account).
    const first = await requestOk(cleo, 'send_message', { message: '@sam please @cid @ghost', recipients: 'staff' });
    for (const socket of [sam, sal]) await requestOk(socket, 'mark_read', { conversation: 'team:staff:cleo', up_to: first.id - 1 });
    await requestOk(cleo, 'send_message', { message: 'anyone @here?', recipients: 'staff' });
    await requestOk(cleo, 'send_message', { message: 'no mention', recipients: 'staff' });
    await eventually(() => expect(toSam).toHaveLength(3));
    expect(toSam.map((m) => m.mentions)).toEqual([['sam'], ['@here'], undefined]);
    expect(toSam[2]).not.toHaveProperty('mentions');
    expect(await summary(sam, 'team:staff:cleo')).toMatchObject({ unread: 3, mentions: 2 });
    expect(await summary(sal, 'team:staff:cleo')).toMatchObject({ unread: 3, mentions: 1 });
    // '@here' means nothing in a DM.
    const toCleo = live(cleo);
    await requestOk(sam, 'send_message', { message: '@cleo @here', recipients: 'user:cleo' });
    await eventually(() => expect(toCleo).toHaveLength(1));
    expect(toCleo[0].mentions).toEqual(['cleo']);
    expect((await since0(sam)).find((m) => m.message === '@sam please @cid @ghost')?.mentions).toEqual(['sam']);
  });

  it("stores a conversation's notify setting, tells the user's other devices, and reports it in summaries", async () => {
    const [phone, laptop, sal] = [await as('sam'), await as('sam'), await as('sal')];
    const changed = nextEvent(laptop, 'notify_changed');
    const sawSal = record(sal, 'notify_changed');
    expect(await request(phone, 'set_notify', { conversation: 'team:staff:cleo', notify: 'mentions' })).toEqual({
      ok: true,
      conversation: 'team:staff:cleo',
      notify: 'mentions',
    });
    expect(await changed).toEqual({ conversation: 'team:staff:cleo', notify: 'mentions' });
    expect(await summary(laptop, 'team:staff:cleo')).toMatchObject({ notify: 'mentions' });
    expect(await summary(sal, 'team:staff:cleo')).toMatchObject({ notify: 'all' });
    await roundTrip(sal);
    expect(sawSal).toEqual([]);
    await requestOk(phone, 'set_notify', { conversation: 'channel:ops', notify: 'nothing' });
    expect(await summary(phone, 'channel:ops')).toMatchObject({ notify: 'nothing' });
    expect(await request(phone, 'set_notify', { conversation: 'channel:secret', notify: 'all' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
    expect(await request(phone, 'set_notify', { conversation: 'channel:ops', notify: 'loud' } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });

  it('relays typing in team conversations and channels to the same audience as a message', async () => {
    const [cleo, sam, admin, sal] = [await as('cleo'), await as('sam'), await as('admin'), await as('sal')];
    const [samTyping, cleoTyping, adminTyping, salTyping] = [record(sam, 'typing'), record(cleo, 'typing'), record(admin, 'typing'), record(sal, 'typing')];
    await requestOk(cleo, 'typing', { conversation: 'staff' });
    await eventually(() => expect(samTyping).toEqual([{ user_name: 'cleo', target_kind: 'team', target: 'staff', guest: 'cleo' }]));
    await requestOk(sam, 'typing', { conversation: 'team:staff:cleo' });
    await eventually(() => expect(cleoTyping).toEqual([{ user_name: 'sam', target_kind: 'team', target: 'staff', guest: 'cleo' }]));
    await requestOk(sam, 'typing', { conversation: 'channel:ops' });
    await eventually(() => expect(adminTyping).toEqual([{ user_name: 'sam', target_kind: 'channel', target: 'ops' }]));
    await roundTrip(sal);
    expect(salTyping).toEqual([{ user_name: 'cleo', target_kind: 'team', target: 'staff', guest: 'cleo' }, { user_name: 'sam', target_kind: 'team', target: 'staff', guest: 'cleo' }]);
  });

  it("renames a deleted guest's team conversation to the tombstone", async () => {
    const del = await as('del');
    await requestOk(del, 'send_message', { message: 'bye', recipients: 'staff' });
    expect((await api(server, 'DELETE', '/api/users/del', { token: tokens.admin })).status).toBe(204);
    const sam = await as('sam');
    const list = (await requestOk(sam, 'conversations', {})).conversations.map((c) => c.conversation);
    const tombstoned = list.find((c) => c.startsWith('team:staff:deleted#'));
    expect(tombstoned).toBeDefined();
    expect(list).not.toContain('team:staff:del');
    expect(texts((await requestOk(sam, 'history', { conversation: tombstoned! })).messages)).toEqual(['bye']);
  });
});
