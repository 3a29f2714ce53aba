import type { MessageRow } from '../storage/database.types';
import { messageRow } from '../storage/testing/fixtures';
import { collectPage, wireBytes, type FetchRows } from './message-page';
import { toWireMessage } from './message.mapper';

const row = (id: number, body = 'x'.repeat(100)): MessageRow => messageRow(id, body);

/** Rows 1..n stored, read forward after a cursor, counting the rows each round fetched. */
function store(rows: MessageRow[]) {
  const rounds: number[] = [];
  const fetch: FetchRows = async (after, count) => {
    const page = rows.filter((r) => r.id > (after ?? 0)).slice(0, count);
    rounds.push(page.length);
    return page;
  };
  return { fetch, rounds };
}

describe('wireBytes', () => {
  it.each([
    ['plain ASCII', 'hello there'],
    ['quotes, backslashes and control characters', 'say "hi" \\ now\n\t\u0001\u001f end'],
    ['UTF-8 beyond ASCII', 'grüße 東京 🎉 \u2028'],
    ['empty', ''],
  ])('is the UTF-8 length of the JSON of a message with %s', (_what, text) => {
    const message = toWireMessage(row(1, text));
    expect(wireBytes(message)).toBe(Buffer.byteLength(JSON.stringify(message)));
  });
});

describe('collectPage', () => {
  const size = wireBytes(toWireMessage(row(1)));

  it('stops before the message that would pass the byte budget, with more', async () => {
    const { fetch } = store(Array.from({ length: 10 }, (_, i) => row(i + 1)));
    const page = await collectPage(0, { limit: 100, budgetBytes: size * 3 + 1, maxMessageBytes: 10 }, fetch);
    expect(page.messages.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(page.more).toBe(true);
  });

  it('takes one message larger than the whole budget, so paging always moves forward', async () => {
    const { fetch } = store([row(1, 'y'.repeat(5000)), row(2)]);
    const page = await collectPage(0, { limit: 100, budgetBytes: 1000, maxMessageBytes: 5000 }, fetch);
    expect(page.messages.map((m) => m.id)).toEqual([1]);
    expect(page.more).toBe(true);
  });

  it('reads only as many rows per round as could fit in the budget left, resuming after the last', async () => {
    const { fetch, rounds } = store(Array.from({ length: 7 }, (_, i) => row(i + 1)));
    // Room for 3 of the largest messages at first; these are smaller, so more rounds follow.
    const page = await collectPage(0, { limit: 100, budgetBytes: size * 6, maxMessageBytes: size * 2 }, fetch);
    expect(page.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(page.more).toBe(true);
    // 3 (+1 to look ahead); then room for one more of the largest each time; the 7th (the last
    // stored) would pass the budget.
    expect(rounds).toEqual([4, 2, 2, 2, 1]);
  });

  it('stops at the limit and says whether anything follows', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => row(i + 1));
    expect(await collectPage(0, { limit: 5, budgetBytes: 1e9, maxMessageBytes: 1e8 }, store(rows).fetch)).toMatchObject({ more: false });
    const cut = await collectPage(0, { limit: 4, budgetBytes: 1e9, maxMessageBytes: 1e8 }, store(rows).fetch);
    expect(cut.messages.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    expect(cut.more).toBe(true);
  });

  it('pages through everything without gaps or repeats when resumed from the last id', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => row(i + 1, 'z'.repeat((i * 37) % 400)));
    const seen: number[] = [];
    let since = 0;
    for (;;) {
      const page = await collectPage(since, { limit: 20, budgetBytes: 2000, maxMessageBytes: 400 }, store(rows).fetch);
      seen.push(...page.messages.map((m) => m.id));
      if (!page.more) break;
      since = page.messages.at(-1)!.id;
    }
    expect(seen).toEqual(rows.map((r) => r.id));
  });
});
