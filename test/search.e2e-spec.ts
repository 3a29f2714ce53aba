import { ErrorCodes, type SearchAck } from '@parley/contract';
import { adminToken, api, closeAllClients, connectAs, createUser, requestOk, request } from './support/clients';
import { startServer, type TestServer } from './support/server';

/**
 * search and GET /api/search: one table of queries, run on SQLite and PostgreSQL (the
 * e2e-postgres project) with the same expectations.
 */
describe('search', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const roles = { sam: 'staff', sue: 'staff', cal: 'client' } as const;
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
});
