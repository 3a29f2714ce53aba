import { TestBed } from '@angular/core/testing';
import { type AckOf, ClientEvents, ErrorCodes, type SearchResult } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { CLOCK } from '../core/tokens';
import { eventually } from '../../testing/eventually';
import { FakeConnection, flush } from '../../testing/fake-connection';
import { SearchStore, snippetParts } from './search.store';

type SearchAck = AckOf<typeof ClientEvents.Search>;

function result(id: number, conversation: string, snippet = `m${id}`): SearchResult {
  return { id, conversation: conversation as SearchResult['conversation'], sender: 'sam', sender_role: 'staff', sent_at: '2026-12-02T09:00:00.000Z', snippet, highlights: [] };
}

/** The search panel's state over a fake connection: debounce, stale answers, pages, and each state. */
describe('SearchStore', () => {
  let connection: FakeConnection;
  let store: SearchStore;

  beforeEach(async () => {
    connection = new FakeConnection();
    TestBed.configureTestingModule({
      providers: [SearchStore, { provide: ChatConnection, useValue: connection }, { provide: CLOCK, useValue: () => Date.parse('2026-07-01T12:00:00Z') }],
    });
    store = TestBed.inject(SearchStore);
    await connection.connect();
  });

  const queries = () => connection.sent(ClientEvents.Search).map((p) => p.q);

  it('searches once typing pauses, with the time zone, and groups results by conversation in the order found', async () => {
    connection.handlers[ClientEvents.Search] = () => ({
      ok: true,
      results: [result(9, 'channel:ops'), result(8, 'user:cleo'), result(7, 'channel:ops')],
      next_cursor: null,
    });
    store.type('de');
    store.type('dep');
    store.type('deploy');
    await eventually(() => store.state() === 'done', { what: 'the answer' });
    // A later search proves the earlier keystrokes' timers were cancelled: they would have run first.
    store.type('x');
    await eventually(() => queries().length === 2, { what: 'the second search' });
    expect(queries()).toEqual(['deploy', 'x']);
    expect(connection.sent(ClientEvents.Search)[0].tz).toBe(-new Date('2026-07-01T12:00:00Z').getTimezoneOffset());
    await eventually(() => store.state() === 'done');
    expect(store.groups().map((g) => [g.conversation, g.results.map((r) => r.id)])).toEqual([
      ['channel:ops', [9, 7]],
      ['user:cleo', [8]],
    ]);
    // Arrow keys walk what is shown: group by group.
    expect(store.shown().map((r) => r.id)).toEqual([9, 7, 8]);
  });

  it('drops an answer to an older query that arrives after a newer one', async () => {
    const pending = new Map<string, (ack: SearchAck) => void>();
    connection.handlers[ClientEvents.Search] = (p) => new Promise((resolve) => pending.set(p.q ?? '', resolve));
    store.query.set('old');
    const first = store.run();
    store.query.set('new');
    const second = store.run();
    pending.get('new')!({ ok: true, results: [result(2, 'channel:ops')], next_cursor: null });
    await second;
    pending.get('old')!({ ok: true, results: [result(1, 'channel:ops')], next_cursor: null });
    await first;
    expect(store.results().map((r) => r.id)).toEqual([2]);
    expect(store.searched()).toBe('new');
  });

  it('follows next_cursor for more results and appends them', async () => {
    connection.handlers[ClientEvents.Search] = (p) =>
      p.cursor === 'n5'
        ? { ok: true, results: [result(4, 'user:cleo')], next_cursor: null }
        : { ok: true, results: [result(6, 'user:cleo'), result(5, 'user:cleo')], next_cursor: 'n5' };
    store.query.set('plan');
    await store.run();
    await store.loadMore();
    expect(connection.sent(ClientEvents.Search).map((p) => [p.q, p.cursor])).toEqual([
      ['plan', undefined],
      ['plan', 'n5'],
    ]);
    expect(store.results().map((r) => r.id)).toEqual([6, 5, 4]);
    expect(store.nextCursor()).toBeNull();
  });

  it('lets a new query replace a "Load more" still out, and then load more of its own', async () => {
    let more: ((ack: SearchAck) => void) | null = null;
    connection.handlers[ClientEvents.Search] = (p) =>
      p.cursor === 'n5' && p.q === 'plan' ? new Promise((resolve) => (more = resolve)) : { ok: true, results: [result(6, 'user:cleo')], next_cursor: 'n5' };
    store.query.set('plan');
    await store.run();
    const outstanding = store.loadMore();
    expect(store.loadingMore()).toBe(true);
    store.query.set('plans');
    await store.run();
    expect(store.loadingMore()).toBe(false);
    more!({ ok: true, results: [result(1, 'user:cleo')], next_cursor: null });
    await outstanding;
    expect(store.results().map((r) => r.id)).toEqual([6]);
    connection.handlers[ClientEvents.Search] = () => ({ ok: true, results: [result(4, 'user:cleo')], next_cursor: null });
    await store.loadMore();
    expect(store.results().map((r) => r.id)).toEqual([6, 4]);
  });

  it('shows the server\'s words for an invalid query, and offers a retry for other failures', async () => {
    connection.handlers[ClientEvents.Search] = () => ({ ok: false, error: { code: ErrorCodes.InvalidQuery, message: 'Only one from: filter per search' } });
    store.query.set('from:a from:b');
    await store.run();
    expect(store.state()).toBe('invalid');
    expect(store.error()).toBe('Only one from: filter per search');

    connection.handlers[ClientEvents.Search] = () => ({ ok: false, error: { code: ErrorCodes.Internal, message: 'boom' } });
    store.query.set('plan');
    await store.run();
    expect(store.state()).toBe('failed');
    connection.handlers[ClientEvents.Search] = () => ({ ok: true, results: [result(1, 'channel:ops')], next_cursor: null });
    await store.run();
    expect(store.state()).toBe('done');
    expect(store.results()).toHaveLength(1);
  });

  it('says it is offline without asking, keeps the query, and searches when the connection is back', async () => {
    connection.handlers[ClientEvents.Search] = () => ({ ok: true, results: [result(1, 'channel:ops')], next_cursor: null });
    connection.statusSignal.set('offline');
    store.query.set('plan');
    await store.run();
    expect(store.state()).toBe('offline');
    expect(queries()).toEqual([]);
    await connection.connect();
    TestBed.tick();
    await eventually(() => store.state() === 'done', { what: 'the search run again' });
    expect(queries()).toEqual(['plan']);
    expect(store.query()).toBe('plan');
  });

  it('clears the results when the box is emptied, and an answer still out is dropped', async () => {
    let answer!: (ack: SearchAck) => void;
    connection.handlers[ClientEvents.Search] = () => new Promise((resolve) => (answer = resolve));
    store.query.set('plan');
    const out = store.run();
    await flush();
    store.type('');
    answer({ ok: true, results: [result(1, 'channel:ops')], next_cursor: null });
    await out;
    expect(store.state()).toBe('idle');
    expect(store.results()).toEqual([]);
  });
});

describe('snippetParts', () => {
  it('marks the [start, end) ranges and keeps the text between them, as text', () => {
    expect(snippetParts('…we redeployed <b>it</b>', [[5, 11], [16, 17]])).toEqual([
      { text: '…we r', mark: false },
      { text: 'edeplo', mark: true },
      { text: 'yed <', mark: false },
      { text: 'b', mark: true },
      { text: '>it</b>', mark: false },
    ]);
  });

  it('skips ranges that overlap or run past the end rather than repeat text', () => {
    expect(snippetParts('abcdef', [[0, 2], [1, 3], [4, 9]])).toEqual([
      { text: 'ab', mark: true },
      { text: 'cdef', mark: false },
    ]);
  });
});
