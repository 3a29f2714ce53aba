import { canReadGroup, DEFAULT_PERMISSIONS, ErrorCodes, type Role, type SearchAck } from '@parley/contract';
import { RetentionJob } from '../backend/src/retention/retention-job.service';
import { ReadGate } from '../backend/src/rate-limit/read-gate.service';
import { DatabaseService } from '../backend/src/storage/database.service';
import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, requestOk, request } from './support/clients';
import { startServer, type TestServer } from './support/server';

/**
 * search and GET /api/search: one table of queries, run on SQLite and PostgreSQL (the
 * e2e-postgres project) with the same expectations.
 */
describe('search', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  // cleo, cora and stu are only in the second part ("only what the caller may read").
  const roles = { sam: 'staff', sue: 'staff', cal: 'client', cleo: 'client', cora: 'client', stu: 'staff' } as const;
  type Who = keyof typeof roles | 'admin';
  const as = (who: Who) => connectAs(server, tokens[who], who === 'admin' ? 'admin' : roles[who], who);
  const ids: Record<string, number> = {};

  const texts = {
    redeployed: 'We redeployed the gateway last night',
    cafe: 'Lunch at the Café Müller?',
    shanghai: '我家在上海东边',
    japanese: '東京の会議は明日です',
    phrase: 'the release notes are ready for review',
    scattered: 'notes about the release are scattered',
    twoTerms: 'printer on floor two is jammed again',
    dmToCal: 'cal, your invoice printer ticket is closed',
    korean: '한국어 회의는 내일입니다',
    kana: 'データベースの移行は金曜日',
    oil: 'Öl wechseln im Lager',
  } as const;

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) tokens[name] = await createUser(server, tokens.admin, name, role);
    const sam = await as('sam');
    for (const [key, text] of Object.entries(texts)) {
      const recipients = key === 'dmToCal' ? 'cal' : 'staff';
      ids[key] = (await requestOk(sam, 'send_message', { message: text, recipients })).id;
    }
    closeAllClients();
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const found = (ack: SearchAck) => ack.results.map((r) => r.id);

  it.each([
    ['a part of a word', 'deploy', ['redeployed']],
    ['any case, no accents', 'CAFE muller', ['cafe']],
    ['Chinese by substring', '上海', ['shanghai']],
    ['Japanese by substring', '会議', ['japanese']],
    ['a quoted phrase, not the words apart', '"release notes"', ['phrase']],
    ['the words apart', 'release notes', ['scattered', 'phrase']],
    ['several terms, all required', 'printer jammed', ['twoTerms']],
    ['a DM its recipient reads', 'invoice', ['dmToCal']],
    ['Korean, a two-syllable word', '회의', ['korean']],
    ['Korean, a whole word', '한국어', ['korean']],
    ['Japanese with voiced kana', 'データ', ['kana']],
    ['not the kana without its voicing mark', 'テータ', []],
    ['a two-letter term, case and accent folded', 'OL', ['oil']],
    ['nothing', 'zebra', []],
  ])('finds %s: %s', async (_, q, expected) => {
    const sue = await as('sue');
    const ack = await requestOk(sue, 'search', { q });
    // sue is staff: she reads the staff group but not sam's DM to cal.
    const visible = expected.filter((key) => key !== 'dmToCal');
    expect(found(ack)).toEqual(visible.map((key) => ids[key]));
    const cal = await as('cal');
    const calSees = expected.filter((key) => key === 'dmToCal');
    expect(found(await requestOk(cal, 'search', { q }))).toEqual(calSees.map((key) => ids[key]));
  });

  it('answers with the result fields, a snippet and highlights', async () => {
    const sue = await as('sue');
    const ack = await requestOk(sue, 'search', { q: 'cafe' });
    expect(ack).toEqual({
      ok: true,
      results: [
        {
          id: ids.cafe,
          conversation: 'group:staff',
          sender: 'sam',
          sender_role: 'staff',
          sent_at: expect.any(String),
          snippet: texts.cafe,
          highlights: [[13, 17]],
        },
      ],
      next_cursor: null,
    });
    expect(texts.cafe.slice(13, 17)).toBe('Café');
  });

  it('filters by sender, conversation and date, and pages with a cursor', async () => {
    const sue = await as('sue');
    expect(found(await requestOk(sue, 'search', { q: 'the from:sam in:staff' }))).toEqual([ids.scattered, ids.phrase, ids.cafe, ids.redeployed]);
    expect(found(await requestOk(sue, 'search', { q: 'the from:sue' }))).toEqual([]);
    expect(found(await requestOk(sue, 'search', { q: 'the', before: '2000-01-01' }))).toEqual([]);
    expect((await requestOk(sue, 'search', { q: 'the after:2000-01-01' })).results.length).toBe(4);
    const first = await requestOk(sue, 'search', { q: 'the', limit: 2 });
    expect(first.results.length).toBe(2);
    const second = await requestOk(sue, 'search', { q: 'the', limit: 2, cursor: first.next_cursor! });
    expect([...found(first), ...found(second)]).toEqual([ids.scattered, ids.phrase, ids.cafe, ids.redeployed]);
    expect(second.next_cursor).toBeNull();
  });

  it('answers GET /api/search the same, and a bad query with INVALID_QUERY', async () => {
    const response = await api(server, 'GET', `/api/search?q=${encodeURIComponent('deploy')}&limit=5`, { token: tokens.sue });
    expect(response.status).toBe(200);
    expect((response.body as unknown as SearchAck).results.map((r) => r.id)).toEqual([ids.redeployed]);
    const bad = await api(server, 'GET', '/api/search?q=before:yesterday', { token: tokens.sue });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: ErrorCodes.InvalidQuery });
    const sue = await as('sue');
    expect(await request(sue, 'search', { q: '' })).toMatchObject({ ok: false, error: { code: ErrorCodes.InvalidQuery } });
  });

  it('refuses a bad date or cursor the same way whoever from: names (an unknown name is not confirmed)', async () => {
    const sue = await as('sue');
    for (const extra of [{ q: 'the before:junk' }, { q: 'the', cursor: 'r1' }]) {
      const known = await request(sue, 'search', { ...extra, q: `${extra.q} from:sam` });
      const unknown = await request(sue, 'search', { ...extra, q: `${extra.q} from:nobody-here` });
      expect(known).toMatchObject({ ok: false, error: { code: ErrorCodes.InvalidQuery } });
      expect(unknown).toEqual(known);
    }
  });

  it('reads a time without a zone at tz, as it reads dates', async () => {
    const sue = await as('sue');
    // Two hours from now, written without a zone: in UTC it is after every message; five hours
    // east of UTC the same clock time was three hours ago.
    const later = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 19);
    expect(found(await requestOk(sue, 'search', { q: 'deploy', before: later }))).toEqual([ids.redeployed]);
    expect(found(await requestOk(sue, 'search', { q: 'deploy', before: later, tz: 300 }))).toEqual([]);
  });

  it('pages through the same ranking with order: relevance while new matches arrive', async () => {
    const [sam, sue] = await Promise.all([as('sam'), as('sue')]);
    const first = await requestOk(sue, 'search', { q: 'release', order: 'relevance', limit: 1 });
    // A whole-word match sent between pages would rank first and shift everything below it.
    const late = await requestOk(sam, 'send_message', { message: 'release', recipients: 'staff' });
    const second = await requestOk(sue, 'search', { q: 'release', order: 'relevance', limit: 1, cursor: first.next_cursor! });
    expect([...found(first), ...found(second)].sort()).toEqual([ids.phrase, ids.scattered].sort());
    expect(second.next_cursor).toBeNull();
    expect(found(await requestOk(sue, 'search', { q: 'release', order: 'relevance', limit: 1 }))).toEqual([late.id]);
    await requestOk(sam, 'delete_message', { id: late.id });
  });

  it('counts a REST search among the caller\'s reads in progress, as the socket\'s', async () => {
    const gate = server.app.get(ReadGate);
    const { id } = await server.app.get(DatabaseService).db.selectFrom('users').select('id').where('username', '=', 'sue').executeTakeFirstOrThrow();
    // sue's two slots (PARLEY_READS_IN_FLIGHT) held by reads on her sockets.
    const held = [gate.enter('sue-socket-1', id)!, gate.enter('sue-socket-2', id)!];
    const refused = await api(server, 'GET', '/api/search?q=deploy', { token: tokens.sue });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: ErrorCodes.RateLimited });
    expect(refused.headers.get('retry-after')).toBe('1');
    held.forEach((release) => release());
    expect((await api(server, 'GET', '/api/search?q=deploy', { token: tokens.sue })).status).toBe(200);
    expect(gate.inFlight('sue-socket-1')).toBe(0);
  });

  it('never finds a deleted message, and finds an edited one by its new text only', async () => {
    const sam = await as('sam');
    const deleted = await requestOk(sam, 'send_message', { message: 'ephemeral walrus', recipients: 'staff' });
    const edited = await requestOk(sam, 'send_message', { message: 'old pelican', recipients: 'staff' });
    await requestOk(sam, 'delete_message', { id: deleted.id });
    await requestOk(sam, 'edit_message', { id: edited.id, message: 'new flamingo' });
    expect(found(await requestOk(sam, 'search', { q: 'walrus' }))).toEqual([]);
    expect(found(await requestOk(sam, 'search', { q: 'pelican' }))).toEqual([]);
    expect(await requestOk(sam, 'search', { q: 'flamingo' })).toMatchObject({ results: [{ id: edited.id, edited: true }] });
  });
  /**
   * Visibility exactly as sync's (docs/protocol.md, "search"): role groups by the permission
   * table, team conversations, channels by membership now, DMs; nothing deleted or removed by
   * retention. Every message here carries "kumquat" (no text above does).
   */
  describe('only what the caller may read', () => {
    const sent: Record<string, number> = {};
    const users = Object.keys(roles) as Array<keyof typeof roles>;
    const everyone: Who[] = ['admin', ...users];
    const roleOf = (who: Who): Role => (who === 'admin' ? 'admin' : roles[who]);
    const db = () => server.app.get(DatabaseService).db;
    const post = async (socket: ClientSocket, key: string, recipients: string) =>
      (sent[key] = (await requestOk(socket, 'send_message', { message: `${key} kumquat`, recipients })).id);
    /** Every page of a search, newest first. */
    const searchAll = async (socket: ClientSocket, q: string) => {
      const ids: number[] = [];
      for (let cursor: string | null | undefined; cursor !== null; ) {
        const page = await requestOk(socket, 'search', { q, limit: 50, ...(cursor ? { cursor } : {}) });
        ids.push(...found(page));
        cursor = page.next_cursor;
      }
      return ids;
    };
    /** What sync from 0 replays to this socket and still shows with `term` in its text. */
    const syncedWith = async (socket: ClientSocket, term: string) => {
      const ids: number[] = [];
      for (let since = 0, more = true; more; ) {
        const page = await requestOk(socket, 'sync', { since, limit: 500 });
        ids.push(...page.messages.filter((m) => !m.deleted && m.message.toLowerCase().includes(term)).map((m) => m.id));
        ({ cursor: since, more } = page);
      }
      return ids;
    };
    const codeOf = (ack: unknown) => (ack as { error?: { code: string } }).error?.code;

    beforeAll(async () => {
      const sockets = Object.fromEntries(await Promise.all(everyone.map(async (who) => [who, await as(who)] as const))) as Record<Who, ClientSocket>;
      const channel = (name: string, visibility: string, members: string[]) => api(server, 'POST', '/api/channels', { token: tokens.sam, body: { name, visibility, members } });
      expect((await channel('vault', 'private', ['sue', 'stu'])).status).toBe(201);
      expect((await channel('plaza', 'public', [])).status).toBe(201);
      await post(sockets.sam, 'staffgroup', 'staff');
      await post(sockets.sam, 'clientgroup', 'client');
      await post(sockets.admin, 'admingroup', 'admin');
      // A client writing to staff: its team conversation, team:staff:cleo.
      await post(sockets.cleo, 'teamcleo', 'staff');
      await post(sockets.sam, 'vaultchan', 'channel:vault');
      await post(sockets.sam, 'plazachan', 'channel:plaza');
      await post(sockets.sam, 'dmsue', 'sue');
      await post(sockets.sam, 'goner', 'staff');
      await requestOk(sockets.sam, 'delete_message', { id: sent.goner });
      closeAllClients();
    });

    /** Keys of the messages above `who` reads, by the permission table and the memberships made above. */
    const readable = (who: Who): string[] => {
      const role = roleOf(who);
      const keys = (['staff', 'client', 'admin'] as const).filter((group) => canReadGroup(DEFAULT_PERMISSIONS, role, group)).map((group) => `${group}group`);
      if (role === 'staff' || who === 'cleo') keys.push('teamcleo');
      if (['sam', 'sue', 'stu'].includes(who)) keys.push('vaultchan');
      if (who === 'sam') keys.push('plazachan');
      if (who === 'sam' || who === 'sue') keys.push('dmsue');
      return keys;
    };

    it.each(everyone)('%s finds what the permission table and their memberships let them read, no more', async (who) => {
      const expected = readable(who).map((key) => sent[key]).sort((a, b) => b - a);
      expect(await searchAll(await as(who), 'kumquat')).toEqual(expected);
    });

    it('answers in: a private channel one is not in as an unknown conversation, and a public one as history does', async () => {
      const cora = await as('cora');
      const unknown = await request(cora, 'search', { q: 'kumquat in:#vault' });
      expect(unknown).toMatchObject({ ok: false, error: { code: ErrorCodes.UnknownRecipient } });
      expect(codeOf(await request(cora, 'history', { conversation: 'channel:vault' }))).toBe(ErrorCodes.UnknownRecipient);
      expect(codeOf(await request(cora, 'search', { q: 'kumquat', in: 'channel:vault' }))).toBe(ErrorCodes.UnknownRecipient);
      // The same words for a channel that does not exist: the answer confirms nothing.
      expect(codeOf(await request(cora, 'search', { q: 'kumquat in:#no-such-room' }))).toBe(ErrorCodes.UnknownRecipient);

      const sue = await as('sue');
      const history = codeOf(await request(sue, 'history', { conversation: 'channel:plaza' }));
      expect(history).toBe(ErrorCodes.Forbidden);
      expect(codeOf(await request(sue, 'search', { q: 'kumquat in:#plaza' }))).toBe(history);
      expect(found(await requestOk(sue, 'search', { q: 'kumquat in:#vault' }))).toEqual([sent.vaultchan]);
    });

    it('finds a team conversation for its guest and the whole role, not for another client', async () => {
      for (const who of ['cleo', 'sam', 'stu'] as const) {
        expect(await requestOk(await as(who), 'search', { q: 'teamcleo' })).toMatchObject({ results: [{ id: sent.teamcleo, conversation: 'team:staff:cleo' }] });
      }
      const cal = await as('cal');
      expect(found(await requestOk(cal, 'search', { q: 'teamcleo' }))).toEqual([]);
      const history = codeOf(await request(cal, 'history', { conversation: 'team:staff:cleo' }));
      expect(history).toBe(ErrorCodes.UnknownRecipient);
      expect(codeOf(await request(cal, 'search', { q: 'kumquat in:team:staff:cleo' }))).toBe(history);
    });

    it('finds a DM by in:@name and in:user:name', async () => {
      const cal = await as('cal');
      expect(found(await requestOk(cal, 'search', { q: 'invoice in:@sam' }))).toEqual([ids.dmToCal]);
      expect(found(await requestOk(cal, 'search', { q: 'invoice in:user:sam' }))).toEqual([ids.dmToCal]);
      expect(found(await requestOk(cal, 'search', { q: 'invoice', in: '@sam' }))).toEqual([ids.dmToCal]);
      expect(await requestOk(await as('sue'), 'search', { q: 'kumquat in:@sam' })).toMatchObject({ results: [{ id: sent.dmsue, conversation: 'user:sam' }] });
      // Another client is out of a client's reach: unknown, as history answers.
      expect(codeOf(await request(cal, 'search', { q: 'kumquat in:@cleo' }))).toBe(ErrorCodes.UnknownRecipient);
    });

    it('answers from: someone unknown exactly as someone known who wrote nothing (no enumeration)', async () => {
      const sue = await as('sue');
      for (const order of ['newest', 'relevance'] as const) {
        const known = await request(sue, 'search', { q: 'kumquat from:cora', order });
        expect(known).toEqual({ ok: true, results: [], next_cursor: null });
        expect(await request(sue, 'search', { q: 'kumquat from:nobody-at-all', order })).toEqual(known);
        expect(await request(sue, 'search', { q: 'kumquat', from: 'nobody-at-all', order })).toEqual(known);
      }
      const byHttp = async (from: string) => (await api(server, 'GET', `/api/search?q=kumquat&from=${from}`, { token: tokens.sue })).body;
      expect(await byHttp('nobody-at-all')).toEqual(await byHttp('cora'));
    });

    it('ranks a whole word above the start of a word above the inside of one with order: relevance', async () => {
      const sam = await as('sam');
      const whole = (await requestOk(sam, 'send_message', { message: 'a quorl kumquat sighting', recipients: 'staff' })).id;
      const start = (await requestOk(sam, 'send_message', { message: 'quorlish kumquat weather', recipients: 'staff' })).id;
      const inside = (await requestOk(sam, 'send_message', { message: 'abquorlity kumquat', recipients: 'staff' })).id;
      expect(found(await requestOk(sam, 'search', { q: 'quorl' }))).toEqual([inside, start, whole]);
      expect(found(await requestOk(sam, 'search', { q: 'quorl', order: 'relevance' }))).toEqual([whole, start, inside]);
      const first = await requestOk(sam, 'search', { q: 'QUORL', order: 'relevance', limit: 2 });
      expect(found(first)).toEqual([whole, start]);
      expect(found(await requestOk(sam, 'search', { q: 'quorl', order: 'relevance', limit: 2, cursor: first.next_cursor! }))).toEqual([inside]);
    });

    it('stops finding a channel for someone removed from it, as sync stops replaying it', async () => {
      const stu = await as('stu');
      expect(found(await requestOk(stu, 'search', { q: 'vaultchan' }))).toEqual([sent.vaultchan]);
      expect(await syncedWith(stu, 'vaultchan')).toEqual([sent.vaultchan]);
      expect((await api(server, 'DELETE', '/api/channels/vault/members/stu', { token: tokens.sam })).status).toBe(204);
      expect(found(await requestOk(stu, 'search', { q: 'vaultchan' }))).toEqual([]);
      expect(await syncedWith(stu, 'vaultchan')).toEqual([]);
      expect(codeOf(await request(stu, 'search', { q: 'kumquat in:#vault' }))).toBe(ErrorCodes.UnknownRecipient);
    });

    it('stops finding messages retention removed', async () => {
      const sam = await as('sam');
      const old = (await requestOk(sam, 'send_message', { message: 'oldyak kumquat', recipients: 'sue' })).id;
      await db().updateTable('messages').set({ sent_at: Date.now() - 3 * 86_400_000 }).where('id', '=', old).execute();
      expect(found(await requestOk(sam, 'search', { q: 'oldyak' }))).toEqual([old]);
      expect((await api(server, 'PUT', '/api/admin/retention', { token: tokens.admin, body: { conversation: 'dm:sam:sue', days: 1 } })).status).toBe(200);
      // A pass the job's own timer started may predate the override: the second one follows it.
      await server.app.get(RetentionJob).runPass();
      await server.app.get(RetentionJob).runPass();
      expect(await db().selectFrom('messages').select('id').where('id', '=', old).execute()).toEqual([]);
      expect(found(await requestOk(sam, 'search', { q: 'oldyak' }))).toEqual([]);
      expect(found(await requestOk(await as('sue'), 'search', { q: 'oldyak' }))).toEqual([]);
    });

    it('agrees with sync for everyone: every result is in what sync replays, and every replayed match is found', async () => {
      for (const who of everyone) {
        const socket = await as(who);
        const searched = await searchAll(socket, 'kumquat');
        const synced = await syncedWith(socket, 'kumquat');
        expect([who, [...searched].sort((a, b) => a - b)]).toEqual([who, [...synced].sort((a, b) => a - b)]);
        expect(searched).not.toContain(sent.goner);
      }
    });

    it('answers GET /api/search with a coded 400 for a bad query string, refuses unknown keys, and wants a session', async () => {
      const refusal = (code: string) => ({ status: 400, body: { statusCode: 400, code, message: expect.any(String) } });
      const get = async (query: string, token: string | undefined = tokens.sue) => {
        const { status, body } = await api(server, 'GET', `/api/search?${query}`, { token });
        return { status, body };
      };
      for (const query of ['q=x&limit=abc', 'q=x&limit=0', 'q=x&tz=9999', 'q=x&order=oldest', 'q=x&colour=red', 'q=x&q=y', `q=${'x'.repeat(257)}`, 'q=x&in=']) {
        expect([query, await get(query)]).toEqual([query, refusal(ErrorCodes.InvalidPayload)]);
      }
      for (const query of ['q=', 'q=x&cursor=bogus', 'q=x&on=2026-02-30', 'q=x%20from:sam&from=sue', `q=${encodeURIComponent('a b c d e f g h i')}`]) {
        expect([query, await get(query)]).toEqual([query, refusal(ErrorCodes.InvalidQuery)]);
      }
      expect(await get('q=kumquat&in=%23vault', tokens.cora)).toEqual({ status: 400, body: { statusCode: 400, code: ErrorCodes.UnknownRecipient, message: expect.any(String) } });
      const anonymous = await api(server, 'GET', '/api/search?q=kumquat');
      expect({ status: anonymous.status, body: anonymous.body }).toEqual({ status: 401, body: { statusCode: 401, code: ErrorCodes.Unauthenticated, message: expect.any(String) } });
      expect(await get('q=kumquat&limit=500')).toMatchObject({ status: 200, body: { results: expect.any(Array) } });
    });
  });
});
