import type { MessagePageAck, WireMessage } from '@parley/contract';
import type { MessageRow } from '../storage/database.types';
import { toWireMessage } from './message.mapper';

export interface PageBounds {
  /** Most messages in the page (the client's limit, already capped by the schema). */
  limit: number;
  /** Most serialized bytes of messages in the page; the first message is taken whatever its size. */
  budgetBytes: number;
  /**
   * The largest message text (PARLEY_MAX_MESSAGE_BYTES): each round reads only as many rows as
   * could fit in what is left of the budget, so storage is never read far past it.
   */
  maxMessageBytes: number;
}

/** Rows after (or before) `cursor`, in the order the page walks them; `undefined` starts at the end. */
export type FetchRows = (cursor: number | undefined, count: number) => Promise<MessageRow[]>;

/** Characters JSON.stringify writes as an escape (`\"`, `\\`, `\n`, `\u0001`, ...). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/**
 * What a message adds to the answer on the wire: the UTF-8 bytes of its JSON. The text is most
 * of it and may be large, so it is not serialized a second time just to be measured: text with
 * nothing to escape takes its own UTF-8 length plus two quotes (exact); other text is measured
 * by serializing it.
 */
export function wireBytes(message: WireMessage): number {
  const text = message.message;
  const textBytes = NEEDS_ESCAPE.test(text) ? Buffer.byteLength(JSON.stringify(text)) : Buffer.byteLength(text) + 2;
  // The other fields are short; "" stands for the text in their JSON.
  return Buffer.byteLength(JSON.stringify({ ...message, message: '' })) - 2 + textBytes;
}

/**
 * One page of messages, walked in storage order in rounds sized to the budget left, stopping at the
 * limit or before the message that would pass the byte budget. It always takes a prefix of
 * the walk, so a client resuming from the last id it got misses nothing; `more` says there is
 * something after it. Reading in rounds keeps memory near the budget even when the limit
 * would allow hundreds of large messages.
 */
export interface PageWalk {
  /** Rows as the wire shows them (MessageViews.render); default: the row alone. */
  render?: (rows: MessageRow[]) => Promise<WireMessage[]> | WireMessage[];
  /** Where a row sits in the walk, for the next round's cursor; default its id. */
  position?: (row: MessageRow) => number;
}

export async function collectPage(
  start: number | undefined,
  bounds: PageBounds,
  fetch: FetchRows,
  walk: PageWalk = {},
): Promise<MessagePageAck> {
  const render = walk.render ?? ((rows: MessageRow[]) => rows.map((row) => toWireMessage(row)));
  const position = walk.position ?? ((row: MessageRow) => row.id);
  const messages: WireMessage[] = [];
  let bytes = 0;
  let cursor = start;
  for (;;) {
    const fits = Math.floor((bounds.budgetBytes - bytes) / bounds.maxMessageBytes);
    const want = Math.max(1, Math.min(fits, bounds.limit - messages.length));
    // One row past what is wanted tells whether anything follows.
    const rows = await fetch(cursor, want + 1);
    for (const message of await render(rows.slice(0, want))) {
      const size = wireBytes(message);
      if (messages.length > 0 && bytes + size > bounds.budgetBytes) return { messages, more: true };
      messages.push(message);
      bytes += size;
    }
    if (rows.length <= want) return { messages, more: false };
    if (messages.length >= bounds.limit) return { messages, more: true };
    cursor = position(rows[want - 1]);
  }
}
