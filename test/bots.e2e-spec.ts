import { createHash } from 'node:crypto';
import type { WireMessage } from '@parley/contract';
import { DatabaseService } from '../backend/src/storage/database.service';
import { CapturedLog } from './support/captured-log';
import { adminToken, api, closeAllClients, connect, connectAs, createUser, type Json, nextEvent, record, request } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/** Bots (admin-made accounts with API tokens) and messages over REST, on the whole server. */
describe('bots and REST messages', () => {
  let server: TestServer;
  /** The server's JSON log: incoming webhooks' tokens must never reach it. */
  const log = new CapturedLog();
  let admin: string;
  let sam: string;
  let cleo: string;
  /** relay's current token, replaced as the tests rotate it. */
  let relay: string;

  const createBot = (username: string, role: string, token = admin) =>
    api(server, 'POST', '/api/admin/bots', { token, body: { username, role, display_name: `${username} bot` } });
  const post = (token: string, body: unknown) => api(server, 'POST', '/api/messages', { token, body });
  const page = (token: string, conversation: string, query = '') => api(server, 'GET', `/api/conversations/${encodeURIComponent(conversation)}/messages${query}`, { token });
  const texts = (body: Json) => (body.messages as WireMessage[]).map((m) => m.message);
  const auditActions = async () =>
    ((await api(server, 'GET', '/api/admin/audit?limit=200', { token: admin })).body.entries as Json[]).map((e) => `${String(e.action)} ${String(e.target)}`);

  beforeAll(async () => {
    server = await startServer({}, [], { log: { destination: log, level: 'log' } });
    admin = await adminToken(server);
    sam = await createUser(server, admin, 'sam', 'staff');
    cleo = await createUser(server, admin, 'cleo', 'client');
    const created = await createBot('relay', 'staff');
    expect(created.status).toBe(201);
    relay = created.body.token as string;
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('creates a bot with a token shown once, stored only as its hash, and audited', async () => {
    expect(relay).toMatch(/^parley_bot_[A-Za-z0-9_-]{43}$/);
    const rows = await server.app.get(DatabaseService).db.selectFrom('bot_tokens').select('token_hash').execute();
    expect(rows).toEqual([{ token_hash: createHash('sha256').update(relay).digest('hex') }]);
    const { body } = await api(server, 'GET', '/api/admin/bots', { token: admin });
    expect(body).toEqual({
      bots: [
        {
          username: 'relay',
          display_name: 'relay bot',
          role: 'staff',
          disabled: false,
          created_at: expect.any(String),
          token: { created_at: expect.any(String), created_by: 'admin', last_used_at: null },
        },
      ],
    });
    expect(JSON.stringify(body)).not.toContain(relay);
    expect(await auditActions()).toContain('bot.created relay');
    // A bot is an account like any other in the user list, marked as a bot, with no password.
    const users = (await api(server, 'GET', '/api/users?q=relay', { token: admin })).body.users as Json[];
    expect(users).toEqual([expect.objectContaining({ username: 'relay', bot: true, has_password: false })]);
  });

  it('lets only admins create and manage bots, and bot tokens no admin routes', async () => {
    const refused = { statusCode: 403, code: 'FORBIDDEN', message: expect.any(String) };
    expect(await createBot('sneaky', 'admin', sam)).toMatchObject({ status: 403, body: refused });
    expect(await api(server, 'POST', '/api/admin/bots/relay/token', { token: sam })).toMatchObject({ status: 403, body: refused });
    expect(await api(server, 'GET', '/api/users', { token: relay })).toMatchObject({ status: 403, body: refused });
    expect(await createBot('sneaky', 'admin', relay)).toMatchObject({ status: 403, body: refused });
    expect((await api(server, 'GET', '/api/admin/bots', { token: admin })).body.bots).toHaveLength(1);
  });

  it('never gives a bot a password or a sign-in', async () => {
    const botAccount = { statusCode: 409, code: 'BOT_ACCOUNT', message: expect.stringContaining('bot') };
    expect(await api(server, 'POST', '/api/users/relay/password', { token: admin, body: { password: 'a long enough passphrase 42' } })).toMatchObject({ status: 409, body: botAccount });
    expect(await api(server, 'POST', '/api/me/password', { token: relay, body: { current_password: 'x', new_password: 'a long enough passphrase 42' } })).toMatchObject({ status: 409, body: botAccount });
    expect(await api(server, 'PATCH', '/api/me', { token: relay, body: { display_name: 'Not a bot' } })).toMatchObject({ status: 409, body: botAccount });
    expect((await api(server, 'POST', '/api/auth/login', { body: { username: 'relay', password: 'anything at all' } })).status).toBe(401);
  });

  it('posts over REST to a group and a DM, delivered live with the bot mark, with the ack of send_message', async () => {
    const samSocket = await connectAs(server, sam, 'staff', 'sam');
    const inbox = record(samSocket, 'message_from_user');
    const group = await post(relay, { recipients: 'group:staff', message: 'Deploy finished', client_id: 'deploy-1' });
    expect(group).toMatchObject({ status: 201, body: { ok: true, id: expect.any(Number), sent_at: expect.any(String), client_id: 'deploy-1', duplicate: false } });
    const dm = await post(relay, { recipients: 'user:sam', message: 'Your report is ready' });
    expect(dm).toMatchObject({ status: 201, body: { ok: true, client_id: null, duplicate: false } });
    await eventually(() =>
      expect(inbox).toEqual([
        expect.objectContaining({ id: group.body.id, message: 'Deploy finished', sender_name: 'relay', sender_role: 'staff', sender_bot: true, target_kind: 'group', target: 'staff' }),
        expect.objectContaining({ id: dm.body.id, message: 'Your report is ready', sender_name: 'relay', sender_bot: true, target_kind: 'user', target: 'sam' }),
      ]),
    );
    // A person's messages carry no mark; any signed-in person may post over REST.
    expect(await post(sam, { recipients: 'user:relay', message: 'Thanks' })).toMatchObject({ status: 201 });
    expect((await page(relay, 'user:sam')).body.messages).toEqual([
      expect.objectContaining({ message: 'Your report is ready', sender_bot: true }),
      expect.not.objectContaining({ sender_bot: expect.anything() }),
    ]);
    // The token's use is noted (to the minute).
    const bots = (await api(server, 'GET', '/api/admin/bots', { token: admin })).body.bots as Json[];
    expect(bots[0].token).toMatchObject({ last_used_at: expect.any(String) });
  });

  it('stores and delivers a resend with the same client_id once', async () => {
    const samSocket = await connectAs(server, sam, 'staff', 'sam');
    const inbox = record(samSocket, 'message_from_user');
    const first = await post(relay, { recipients: 'staff', message: 'Backup done', client_id: 'backup-7' });
    const again = await post(relay, { recipients: 'staff', message: 'Backup done', client_id: 'backup-7' });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 200, body: { ok: true, id: first.body.id, sent_at: first.body.sent_at, client_id: 'backup-7', duplicate: true } });
    // A later message arrives after any second copy would have.
    await post(relay, { recipients: 'staff', message: 'marker' });
    await eventually(() => expect(inbox.map((m) => m.message)).toEqual(['Backup done', 'marker']));
  });

  it('answers bad input with 400 and a code, never a stack', async () => {
    const bad = (code: string) => ({ status: 400, body: { statusCode: 400, code, message: expect.not.stringContaining(' at ') } });
    expect(await post(relay, {})).toMatchObject(bad('INVALID_PAYLOAD'));
    expect(await post(relay, { recipients: 'staff', message: '' })).toMatchObject(bad('INVALID_PAYLOAD'));
    expect(await post(relay, { recipients: 'staff', message: 'x'.repeat(16 * 1024 + 1) })).toMatchObject(bad('MESSAGE_TOO_LONG'));
    expect(await post(relay, { recipients: 'user:nobody', message: 'hi' })).toMatchObject(bad('UNKNOWN_RECIPIENT'));
    expect(await page(relay, 'group:staff', '?limit=0')).toMatchObject(bad('INVALID_PAYLOAD'));
    expect(await page(relay, 'group:staff', '?before=soon')).toMatchObject(bad('INVALID_PAYLOAD'));
    expect(await createBot('Not A Name!', 'staff')).toMatchObject(bad('INVALID_PAYLOAD'));
    expect(await api(server, 'POST', '/api/admin/bots', { token: admin, body: { username: 'x1', role: 'boss' } })).toMatchObject(bad('INVALID_PAYLOAD'));
    expect(await api(server, 'POST', '/api/admin/bots/sam/token', { token: admin })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('pages history over REST as the socket does, and hides what the caller may not read', async () => {
    for (const n of [1, 2, 3]) await post(relay, { recipients: 'group:staff', message: `page ${n}` });
    const newest = await page(sam, 'group:staff', '?limit=2');
    expect(newest).toMatchObject({ status: 200, body: { ok: true, more: true, receipts: expect.any(Array) } });
    expect(texts(newest.body)).toEqual(['page 2', 'page 3']);
    const oldestId = (newest.body.messages as WireMessage[])[0].id;
    const older = await page(sam, 'group:staff', `?limit=2&before=${oldestId}`);
    expect(texts(older.body).at(-1)).toBe('page 1');
    // The socket's history gives the same page.
    const socket = await connectAs(server, sam, 'staff', 'sam');
    const ack = await request(socket, 'history', { conversation: 'group:staff', limit: 2 });
    expect(ack).toMatchObject({ ok: true, messages: newest.body.messages, more: true });

    // A client posting to staff reads only their own team conversation with it, not the group.
    expect(texts((await page(cleo, 'group:staff')).body)).toEqual([]);
    // A conversation the caller may not know of is not found, exactly as one that does not exist.
    const missing = await page(cleo, 'user:nobody');
    expect(missing).toEqual({ status: 404, body: { statusCode: 404, code: 'UNKNOWN_RECIPIENT', message: 'No group, user or socket called "user:nobody"' }, headers: expect.anything() });
    expect((await page(cleo, 'channel:nowhere')).status).toBe(404);
  });

  it('connects a bot over the socket with its token and sends as the bot', async () => {
    const samSocket = await connectAs(server, sam, 'staff', 'sam');
    const bot = await connectAs(server, relay, 'staff', 'relay');
    const arriving = nextEvent(samSocket, 'message_from_user', (m) => m.message === 'Hello from the socket');
    const ack = await request(bot, 'send_message', { recipients: 'user:sam', message: 'Hello from the socket', client_id: 'sock-1' });
    expect(ack).toMatchObject({ ok: true, duplicate: false });
    expect(await arriving).toMatchObject({ sender_name: 'relay', sender_bot: true, sender: bot.id });
    // Claiming another name with the bot's token is refused, as for a session.
    const other = await connect(server, { token: relay });
    expect(await request(other, 'verify_user', { user_type: 'staff', user_name: 'sam' })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
  });

  it('rotates: the old token stops at once (REST 401, its sockets closed and refused), the new one works', async () => {
    const oldSocket = await connectAs(server, relay, 'staff', 'relay');
    const ended = nextEvent(oldSocket, 'session_ended');
    const closed = new Promise((resolve) => oldSocket.once('disconnect', resolve));
    // Connected with the old token but not verified yet: it goes too.
    const unverified = await connect(server, { token: relay });
    const unverifiedClosed = new Promise((resolve) => unverified.once('disconnect', resolve));

    const rotated = await api(server, 'POST', '/api/admin/bots/relay/token', { token: admin });
    expect(rotated).toMatchObject({ status: 200, body: { bot: { username: 'relay', token: { created_by: 'admin', last_used_at: null } }, token: expect.stringMatching(/^parley_bot_/) } });
    const old = relay;
    relay = rotated.body.token as string;
    expect(relay).not.toBe(old);

    expect(await ended).toEqual({ reason: 'token_revoked' });
    expect(await closed).toBe('io server disconnect');
    expect(await post(old, { recipients: 'staff', message: 'stale' })).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await unverifiedClosed).toBe('io server disconnect');
    const fresh = await connect(server, { token: old });
    expect(await request(fresh, 'verify_user', { user_type: 'staff', user_name: 'relay' })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });

    expect(await post(relay, { recipients: 'staff', message: 'fresh token' })).toMatchObject({ status: 201 });
    await connectAs(server, relay, 'staff', 'relay');
    expect(await auditActions()).toContain('bot.token_rotated relay');
  });

  it('disabling a bot suspends its token; enabling it again restores it', async () => {
    const socket = await connectAs(server, relay, 'staff', 'relay');
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    expect((await api(server, 'PATCH', '/api/users/relay', { token: admin, body: { disabled: true } })).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    expect((await post(relay, { recipients: 'staff', message: 'while disabled' })).status).toBe(401);
    expect((await api(server, 'PATCH', '/api/users/relay', { token: admin, body: { disabled: false } })).status).toBe(200);
    expect((await post(relay, { recipients: 'staff', message: 'back' })).status).toBe(201);
  });

  it('revokes: the bot has no working token until a new one is rotated in', async () => {
    const socket = await connectAs(server, relay, 'staff', 'relay');
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    const revoked = await api(server, 'DELETE', '/api/admin/bots/relay/token', { token: admin });
    expect(revoked).toMatchObject({ status: 200, body: { bot: { username: 'relay', token: null } } });
    expect(await closed).toBe('io server disconnect');
    expect((await post(relay, { recipients: 'staff', message: 'revoked' })).status).toBe(401);
    expect((await api(server, 'GET', '/api/admin/bots', { token: admin })).body.bots).toEqual([expect.objectContaining({ username: 'relay', token: null })]);
    expect(await auditActions()).toContain('bot.token_revoked relay');

    relay = (await api(server, 'POST', '/api/admin/bots/relay/token', { token: admin })).body.token as string;
    expect((await post(relay, { recipients: 'staff', message: 'working again' })).status).toBe(201);
  });

  describe('incoming webhooks', () => {
    const createHook = (body: unknown, token = admin) => api(server, 'POST', '/api/admin/incoming-webhooks', { token, body });
    /** As curl would: no cookie, no bearer, no CSRF header; only the URL's path, since the test server's host is 127.0.0.1. */
    const hookPost = (url: string, body: unknown) => api(server, 'POST', new URL(url).pathname, { body });
    let staffHook: { id: number; url: string };

    beforeAll(async () => {
      expect((await createBot('ci', 'staff')).status).toBe(201);
    });

    it('creates a hook bound to a conversation as a bot: a secret URL shown once, only its hash stored, audited', async () => {
      const created = await createHook({ bot: 'ci', conversation: 'group:staff', name: 'CI builds' });
      expect(created).toMatchObject({
        status: 201,
        body: {
          hook: { id: expect.any(Number), name: 'CI builds', bot: 'ci', conversation: 'group:staff', created_by: 'admin', created_at: expect.any(String), last_used_at: null, revoked_at: null },
          url: expect.stringMatching(new RegExp(`^${server.url}/api/hooks/parley_hook_[A-Za-z0-9_-]{43}$`)),
        },
      });
      staffHook = { id: (created.body.hook as Json).id as number, url: created.body.url as string };
      const token = staffHook.url.split('/').at(-1)!;
      const rows = await server.app.get(DatabaseService).db.selectFrom('incoming_webhooks').select('token_hash').execute();
      expect(rows).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex') }]);
      const listed = await api(server, 'GET', '/api/admin/incoming-webhooks', { token: admin });
      expect(listed).toMatchObject({ status: 200, body: { hooks: [created.body.hook] } });
      expect(JSON.stringify(listed.body)).not.toContain(token);
      expect(await auditActions()).toContain(`incoming_webhook.created incoming_webhook:${staffHook.id}`);
    });

    it('posts into its conversation and nowhere else, as the bot, delivered live, with the ack of send_message', async () => {
      const samSocket = await connectAs(server, sam, 'staff', 'sam');
      const cleoSocket = await connectAs(server, cleo, 'client', 'cleo');
      const samInbox = record(samSocket, 'message_from_user');
      const cleoInbox = record(cleoSocket, 'message_from_user');
      const posted = await hookPost(staffHook.url, { text: 'Build 42 passed', client_id: 'build-42' });
      expect(posted).toMatchObject({ status: 201, body: { ok: true, id: expect.any(Number), sent_at: expect.any(String), client_id: 'build-42', duplicate: false } });
      await eventually(() =>
        expect(samInbox).toEqual([expect.objectContaining({ id: posted.body.id, message: 'Build 42 passed', sender_name: 'ci', sender_role: 'staff', sender_bot: true, target_kind: 'group', target: 'staff' })]),
      );
      // A retry with the same client_id is the same message, not sent again.
      expect(await hookPost(staffHook.url, { text: 'Build 42 passed', client_id: 'build-42' })).toMatchObject({ status: 200, body: { id: posted.body.id, duplicate: true } });
      // A body naming other recipients is refused, not posted anywhere.
      expect(await hookPost(staffHook.url, { text: 'to cleo', recipients: 'user:cleo' })).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD' } });
      // cleo (no reader of the staff group) got nothing: a DM sent after everything above arrives alone.
      await post(relay, { recipients: 'user:cleo', message: 'marker for cleo' });
      await eventually(() => expect(cleoInbox.map((m) => m.message)).toEqual(['marker for cleo']));
      expect(samInbox).toHaveLength(1);
      expect(texts((await page(cleo, 'user:ci')).body)).toEqual([]);
      // Its use is noted; the token never reached the log, only /api/hooks/….
      const listed = (await api(server, 'GET', '/api/admin/incoming-webhooks', { token: admin })).body.hooks as Json[];
      expect(listed[0]).toMatchObject({ last_used_at: expect.any(String) });
      expect(log.text).not.toContain('parley_hook_');
      expect(log.text).toContain('POST /api/hooks/… 201');
    });

    it('answers bad bodies with 400 and a code, unknown tokens with 404, and hook creation errors', async () => {
      const bad = (code: string) => ({ status: 400, body: { statusCode: 400, code, message: expect.not.stringContaining(' at ') } });
      expect(await hookPost(staffHook.url, {})).toMatchObject(bad('INVALID_PAYLOAD'));
      expect(await hookPost(staffHook.url, { text: '' })).toMatchObject(bad('INVALID_PAYLOAD'));
      expect(await hookPost(staffHook.url, { text: 42 })).toMatchObject(bad('INVALID_PAYLOAD'));
      expect(await hookPost(staffHook.url, { text: 'x'.repeat(16 * 1024 + 1) })).toMatchObject(bad('MESSAGE_TOO_LONG'));
      const unknown = { status: 404, body: { statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) } };
      expect(await api(server, 'POST', '/api/hooks/parley_hook_nothing', { body: { text: 'hi' } })).toMatchObject(unknown);
      expect(await createHook({ bot: 'sam', conversation: 'group:staff' })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect(await createHook({ bot: 'ci', conversation: 'user:nobody' })).toMatchObject(bad('UNKNOWN_RECIPIENT'));
      expect(await createHook({ bot: 'ci', conversation: 'group:staff', extra: true })).toMatchObject(bad('INVALID_PAYLOAD'));
      expect(await api(server, 'DELETE', '/api/admin/incoming-webhooks/999999', { token: admin })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    });

    it('lets only admins create, list and revoke hooks', async () => {
      const refused = { status: 403, body: { statusCode: 403, code: 'FORBIDDEN' } };
      expect(await createHook({ bot: 'ci', conversation: 'group:staff' }, sam)).toMatchObject(refused);
      expect(await createHook({ bot: 'ci', conversation: 'group:staff' }, relay)).toMatchObject(refused);
      expect(await api(server, 'GET', '/api/admin/incoming-webhooks', { token: sam })).toMatchObject(refused);
      expect(await api(server, 'DELETE', `/api/admin/incoming-webhooks/${staffHook.id}`, { token: sam })).toMatchObject(refused);
      expect((await api(server, 'GET', '/api/admin/incoming-webhooks', { token: admin })).body.hooks).toHaveLength(1);
    });

    it('limits posts per hook with 429 and Retry-After', async () => {
      const hook = await createHook({ bot: 'ci', conversation: 'user:sam', name: 'noisy' });
      const url = hook.body.url as string;
      // All at once: one after another, a slow database (PostgreSQL) lets the bucket refill between them.
      const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => hookPost(url, { text: `burst ${n}` })));
      const limited = answers.find((a) => a.status === 429);
      expect(limited).toMatchObject({ body: { statusCode: 429, code: 'RATE_LIMITED' } });
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(20);
      // Another hook has its own allowance.
      expect((await hookPost(staffHook.url, { text: 'still fine' })).status).toBe(201);
    });

    it('stops a hook whose bot is disabled, and for good once revoked (audited)', async () => {
      expect((await api(server, 'PATCH', '/api/users/ci', { token: admin, body: { disabled: true } })).status).toBe(200);
      expect(await hookPost(staffHook.url, { text: 'while disabled' })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect((await api(server, 'PATCH', '/api/users/ci', { token: admin, body: { disabled: false } })).status).toBe(200);
      expect((await hookPost(staffHook.url, { text: 'enabled again' })).status).toBe(201);

      const revoked = await api(server, 'DELETE', `/api/admin/incoming-webhooks/${staffHook.id}`, { token: admin });
      expect(revoked).toMatchObject({ status: 200, body: { id: staffHook.id, revoked_at: expect.any(String) } });
      expect(await hookPost(staffHook.url, { text: 'after revoke' })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect(await api(server, 'DELETE', `/api/admin/incoming-webhooks/${staffHook.id}`, { token: admin })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      expect(await auditActions()).toContain(`incoming_webhook.revoked incoming_webhook:${staffHook.id}`);
      expect(texts((await page(sam, 'group:staff', '?limit=5')).body)).not.toContain('after revoke');
    });
  });
});
