import type { ConversationSummary, ErrorBody, WireMessage } from '@parley/contract';
import { dmConversation } from '../backend/src/chat/message-routing.service';
import { UserRegistryService } from '../backend/src/registry/user-registry.service';
import { MessageRepository } from '../backend/src/storage/message.repository';
import { UserRepository } from '../backend/src/storage/user.repository';
import { CapturedLog } from './support/captured-log';
import { startServer, type TestServer } from './support/server';
import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, login, request, requestOk, sendRaw } from './support/clients';
import { eventually } from './support/eventually';

const DEFAULT_PAGE_BYTES = 256 * 1024;
/** Just under the default 16 KiB message limit: the issue's attacker's size. */
const BIG = 15 * 1024;

/** Posts `count` messages of `bytes` to the staff group, in parallel, and returns their ids. */
async function postMany(socket: ClientSocket, count: number, bytes: number): Promise<number[]> {
  const acks = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      requestOk(socket, 'send_message', { message: `${i} ${'m'.repeat(bytes)}`.slice(0, bytes), recipients: 'staff', client_id: `big-${i}` }),
    ),
  );
  return acks.map((ack) => ack.id).sort((a, b) => a - b);
}

const wireSize = (messages: WireMessage[]) => messages.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0);

describe('the read path under a heavy reader (finding 1)', () => {
  let server: TestServer;
  let tokens: Record<string, string>;
  let ids: number[];

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    tokens = {};
    for (const name of ['poster', 'reader']) tokens[name] = await createUser(server, admin, name, 'staff');
    const poster = await connectAs(server, tokens.poster, 'staff', 'poster');
    // 100 × 15 KiB: about 1.5 MiB, more than one page's byte budget.
    ids = await postMany(poster, 100, BIG);
    poster.disconnect();
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('stops a sync page at its byte budget with more: true, and the next page continues without gaps', async () => {
    const reader = await connectAs(server, tokens.reader, 'staff', 'reader');
    const first = await requestOk(reader, 'sync', { since: 0, limit: 500 });
    expect(first.more).toBe(true);
    expect(first.messages.length).toBeGreaterThan(0);
    expect(first.messages.length).toBeLessThan(ids.length);
    expect(wireSize(first.messages)).toBeLessThanOrEqual(DEFAULT_PAGE_BYTES);

    const seen = first.messages.map((m) => m.id);
    let since = seen.at(-1)!;
    for (let page = 0; page < 10; page++) {
      const next = await requestOk(reader, 'sync', { since, limit: 500 });
      expect(wireSize(next.messages)).toBeLessThanOrEqual(DEFAULT_PAGE_BYTES);
      seen.push(...next.messages.map((m) => m.id));
      if (!next.more) break;
      since = next.messages.at(-1)!.id;
    }
    expect(seen).toEqual(ids);
  });

  it('stops a history page at its byte budget, keeping the newest, and pages back without gaps', async () => {
    const reader = await connectAs(server, tokens.reader, 'staff', 'reader');
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page++) {
      const next = await requestOk(reader, 'history', { conversation: 'staff', limit: 200, ...(before ? { before } : {}) });
      expect(wireSize(next.messages)).toBeLessThanOrEqual(DEFAULT_PAGE_BYTES);
      if (page === 0) {
        expect(next.more).toBe(true);
        expect(next.messages.at(-1)!.id).toBe(ids.at(-1));
      }
      seen.unshift(...next.messages.map((m) => m.id));
      if (!next.more) break;
      before = next.messages[0].id;
    }
    expect(seen).toEqual(ids);
  });

  it('lowers a limit above the maximum to the maximum instead of refusing it', async () => {
    const reader = await connectAs(server, tokens.reader, 'staff', 'reader');
    const sync = await requestOk(reader, 'sync', { since: 0, limit: 1_000_000 });
    expect(sync.messages[0].id).toBe(ids[0]);
    const history = await requestOk(reader, 'history', { conversation: 'staff', limit: 1_000_000 });
    expect(history.messages.length).toBeGreaterThan(0);
  });

  it('refuses a third read in progress on one socket with RATE_LIMITED and a retry hint', async () => {
    const reader = await connectAs(server, tokens.reader, 'staff', 'reader');
    // Emitted together: the server receives all three before it can answer the first.
    const answers = await Promise.all([
      request(reader, 'sync', { since: 0, limit: 500 }),
      request(reader, 'history', { conversation: 'staff' }),
      request(reader, 'sync', { since: 0, limit: 500 }),
    ]);
    expect(answers.map((a) => a.ok)).toEqual([true, true, false]);
    const refused = answers[2];
    expect(refused).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(!refused.ok && refused.error.retry_after_ms).toBeGreaterThan(0);
    // Once the answers are in, the slots are free again.
    expect((await request(reader, 'sync', { since: 0, limit: 1 })).ok).toBe(true);
  });
});

describe('a rate-limit burst smaller than what a read costs', () => {
  it('still lets reads through once the bucket refills: a read then costs the whole burst, not more than the bucket holds', async () => {
    const server = await startServer({ PARLEY_RATE_LIMIT_BURST: '5', PARLEY_RATE_LIMIT_PER_SECOND: '20' });
    try {
      const admin = await adminToken(server);
      const socket = await connectAs(server, await createUser(server, admin, 'tiny', 'staff'), 'staff', 'tiny');
      // As the web app does: a refusal says how long to wait; then the read goes through.
      let page = await request(socket, 'sync', { since: 0 });
      for (let tries = 0; tries < 5 && !page.ok; tries++) {
        expect(page.error).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: expect.any(Number) });
        // The wait the server asked for is the behaviour under test, not a guess.
        await new Promise((resolve) => setTimeout(resolve, page.ok ? 0 : page.error.retry_after_ms));
        page = await request(socket, 'sync', { since: 0 });
      }
      expect(page).toMatchObject({ ok: true, more: false });
    } finally {
      closeAllClients();
      await server.stop();
    }
  });
});

describe('a socket that does not read (finding 1, backpressure)', () => {
  let server: TestServer;
  const log = new CapturedLog();
  let tokens: Record<string, string>;

  beforeAll(async () => {
    // A small output bound (and page), so a socket that stops reading passes it quickly.
    server = await startServer(
      { PARLEY_SOCKET_MAX_BUFFERED_BYTES: String(64 * 1024), PARLEY_READ_PAGE_BYTES: String(16 * 1024) },
      [],
      { log: { destination: log, level: 'warn' }, logger: undefined },
    );
    const admin = await adminToken(server);
    tokens = {};
    for (const name of ['slow', 'bystander']) tokens[name] = await createUser(server, admin, name, 'staff');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('disconnects a socket that stops reading once its unsent output passes the bound, and logs why', async () => {
    const slow = await connectAs(server, tokens.slow, 'staff', 'slow');
    const slowId = slow.id!;
    const bystander = await connectAs(server, tokens.bystander, 'staff', 'bystander');
    // The client stops reading its TCP socket: what the server sends it piles up.
    const engine = slow.io.engine as unknown as { transport: { ws: { _socket: { pause(): void } } } };
    engine.transport.ws._socket.pause();
    const registry = server.app.get(UserRegistryService);
    // Group messages go to the slow socket too; the kernel's buffers take some megabytes first.
    let sent = 0;
    while (registry.getVerified(slowId) && sent < 2000) {
      await requestOk(bystander, 'send_message', { message: 'p'.repeat(BIG), recipients: 'staff' });
      sent++;
    }
    await eventually(() => !registry.get(slowId), { what: 'the slow socket to be gone' });
    expect(sent).toBeLessThan(2000);
    const line = log.lines().find((l) => String(l.msg).includes('does not read'));
    expect(line).toMatchObject({ socketId: slowId, ip: expect.any(String) });
    // The sender was never held up: it still chats.
    expect((await request(bystander, 'send_message', { message: 'still fine', recipients: 'staff' })).ok).toBe(true);
  }, 30_000);
});

describe('long lists come in pages (finding 1: GET /api/users, directory)', () => {
  let server: TestServer;
  let admin: string;
  const staff = ['sa', 'sb', 'sc', 'sd', 'se', 'sf', 'sg'];

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
    for (const username of [...staff, 'cl']) {
      const role = username === 'cl' ? 'client' : 'staff';
      const created = await api(server, 'POST', '/api/users', { token: admin, body: { username, role, password: `${username}-passphrase-9`, display_name: `Person ${username.toUpperCase()}` } });
      expect(created.status).toBe(201);
    }
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('pages GET /api/users with limit and after, in name order, and filters with q', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response = await api(server, 'GET', `/api/users?limit=3${after ? `&after=${after}` : ''}`, { token: admin });
      expect(response.status).toBe(200);
      const users = response.body.users as Array<{ username: string }>;
      expect(users.length).toBeLessThanOrEqual(3);
      seen.push(...users.map((u) => u.username));
      after = response.body.next_after as string | null;
      if (after === null) break;
      expect(after).toBe(users.at(-1)!.username);
    }
    expect(seen).toEqual(['admin', 'cl', ...staff]);

    const found = await api(server, 'GET', '/api/users?q=person%20s', { token: admin });
    expect((found.body.users as Array<{ username: string }>).map((u) => u.username)).toEqual(staff);
    expect(found.body.next_after).toBeNull();
  });

  it('refuses a limit above the maximum with 400 INVALID_PAYLOAD', async () => {
    const response = await api(server, 'GET', '/api/users?limit=100000', { token: admin });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_PAYLOAD' });
  });

  it('pages the socket directory and filters it by name', async () => {
    const socket = await connectAs(server, await login(server, 'sa', 'sa-passphrase-9'), 'staff', 'sa');
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const ack = await requestOk(socket, 'directory', { limit: 2, ...(after ? { after } : {}) });
      expect(ack.users.length).toBeLessThanOrEqual(2);
      seen.push(...ack.users.map((u) => u.username));
      if (ack.next_after === null) break;
      after = ack.next_after;
    }
    // Everyone staff may message, except themselves, each once.
    expect(seen).toEqual(['admin', 'cl', ...staff.filter((n) => n !== 'sa')]);
    const found = await requestOk(socket, 'directory', { q: 'SG' });
    expect(found.users.map((u) => u.username)).toEqual(['sg']);
    // An older client's bare request still gets the first page.
    expect((await requestOk(socket, 'directory')).users.length).toBeGreaterThan(0);
  });
});

describe('several tabs of one user catching up at once (finding 1, default limits)', () => {
  let server: TestServer;
  let token: string;
  let ids: number[];

  beforeAll(async () => {
    // The default socket rate limits (burst 60, 20/s, 2 reads in flight per user): what a real
    // user with several tabs or devices meets after a restart.
    server = await startServer({ PARLEY_RATE_LIMIT_PER_SECOND: '20', PARLEY_RATE_LIMIT_BURST: '60' });
    const admin = await adminToken(server);
    token = await createUser(server, admin, 'tabs', 'staff');
    // 400 × 8 KiB in the staff group, stored directly: sending them would itself meet the rate limit.
    const sender = (await server.app.get(UserRepository).findByUsername('admin'))!;
    const rows = Array.from({ length: 400 }, (_, i) => ({
      client_id: null,
      sender_id: sender.id,
      sender_username: sender.username,
      sender_role: sender.role,
      sender_socket: 'seed',
      target_kind: 'group' as const,
      target: 'staff',
      recipient_id: null,
      conversation: 'group:staff',
      audience: 'group:staff',
      body: `${i} ${'b'.repeat(8 * 1024)}`.slice(0, 8 * 1024),
      sent_at: Date.now(),
    }));
    ids = (await server.app.get(MessageRepository).insertBatch(rows)).map((inserted) => inserted.row.id);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  /** The web app's catch-up: sync page by page; a refused read waits as told and asks again. */
  async function catchUp(socket: ClientSocket, refusals: ErrorBody[]): Promise<number[]> {
    const seen: number[] = [];
    let since = 0;
    for (;;) {
      const page = await request(socket, 'sync', { since });
      if (!page.ok) {
        refusals.push(page.error);
        if (page.error.code !== 'RATE_LIMITED' || refusals.length > 500) throw new Error(`sync gave up: ${JSON.stringify(page.error)}`);
        // As told: the server's retry_after_ms is what is under test here.
        await new Promise((resolve) => setTimeout(resolve, page.error.retry_after_ms ?? 250));
        continue;
      }
      seen.push(...page.messages.map((m) => m.id));
      if (!page.more) return seen;
      since = page.messages.at(-1)!.id;
    }
  }

  it('brings 4 sockets of one user through a multi-page backlog, each message exactly once, none cut off', async () => {
    const sockets = await Promise.all(Array.from({ length: 4 }, () => connectAs(server, token, 'staff', 'tabs')));
    const refusals: ErrorBody[] = [];
    const results = await Promise.all(sockets.map((socket) => catchUp(socket, refusals)));
    for (const seen of results) expect(seen).toEqual(ids);
    // Two reads in flight per user: the others were refused, and each refusal said when to retry.
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: expect.any(Number) });
    expect(refusals.filter((r) => r.message.includes('disconnecting'))).toEqual([]);
    expect(sockets.every((socket) => socket.connected)).toBe(true);
  }, 30_000);
});

describe('the conversation list is bounded (finding 1, conversations)', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer();
    token = await createUser(server, await adminToken(server), 'popular', 'staff');
    const users = server.app.get(UserRepository);
    const popular = (await users.findByUsername('popular'))!;
    // 205 people who each wrote one DM (as a spammer's open-mode accounts would), stored directly.
    const rows = [];
    for (let i = 0; i < 205; i++) {
      const sender = await users.create({ username: `fan-${i}`, display_name: `Fan ${i}`, role: 'client', password_hash: null, created_at: 1, updated_at: 1 });
      rows.push({
        client_id: null,
        sender_id: sender.id,
        sender_username: sender.username,
        sender_role: sender.role,
        sender_socket: 'seed',
        target_kind: 'user' as const,
        target: 'popular',
        recipient_id: popular.id,
        conversation: dmConversation(sender.id, popular.id),
        // The newest is long: its preview is cut, the rest are short.
        body: i === 204 ? `long ${'é'.repeat(8000)}` : `hello from ${i}`,
        sent_at: Date.now(),
      });
    }
    await server.app.get(MessageRepository).insertBatch(rows);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('lists at most 200 conversations, newest first, with previews cut to 300 characters; history has the whole message', async () => {
    const socket = await connectAs(server, token, 'staff', 'popular');
    const ack = await requestOk(socket, 'conversations', {});
    expect(ack.conversations).toHaveLength(200);
    expect(ack.more).toBe(true);
    const [newest, next] = ack.conversations;
    expect(newest).toMatchObject({ conversation: 'user:fan-204', last_truncated: true, unread: 1 });
    expect(Array.from(newest.last.message)).toHaveLength(300);
    expect(next).toMatchObject({ conversation: 'user:fan-203', last_truncated: false, last: { message: 'hello from 203' } });
    expect(ack.conversations.at(-1)!.conversation).toBe('user:fan-5');

    const history = await requestOk(socket, 'history', { conversation: 'user:fan-204' });
    expect(history.messages.at(-1)!.message).toBe(`long ${'é'.repeat(8000)}`);
  });

  it('pages on with `before`: every conversation exactly once, newest first, with its unread count', async () => {
    const socket = await connectAs(server, token, 'staff', 'popular');
    const seen: ConversationSummary[] = [];
    let before: number | undefined;
    for (let pages = 1; ; pages++) {
      const page = await requestOk(socket, 'conversations', before === undefined ? {} : { before });
      seen.push(...page.conversations);
      // 205 conversations are two pages; a server ignoring `before` would repeat the first forever.
      expect(pages).toBeLessThanOrEqual(2);
      if (!page.more) break;
      before = page.conversations.at(-1)!.last.id;
    }
    // 205 DMs, plus the staff group if anyone posted there (nobody did).
    expect(seen.map((s) => s.conversation)).toEqual(Array.from({ length: 205 }, (_, i) => `user:fan-${204 - i}`));
    expect(seen.every((s) => s.unread === 1)).toBe(true);
    const ids = seen.map((s) => s.last.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    // Below the oldest conversation there is nothing; a malformed cursor is refused, coded.
    expect(await request(socket, 'conversations', { before: ids.at(-1)! })).toMatchObject({ ok: true, conversations: [], more: false });
    expect(await sendRaw(socket, 'conversations', { before: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });
});
