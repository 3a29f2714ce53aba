import type { MessagePageAck, WireMessage } from '../contract/protocol';
import type { MessageRow } from '../storage/database.types';
import { toWireMessage } from './message.mapper';

export interface PageBounds {
  /** Most messages in the page (the client's limit, already capped by the schema). */
  limit: number;
  /** Most serialized bytes of messages in the page; the first message is taken whatever its size. */
  budgetBytes: number;
  /** Rows read from storage per round: few enough that one round cannot far exceed the budget. */
  batchRows: number;
}

/** Rows after (or before) `cursor`, in the order the page walks them; `undefined` starts at the end. */
export type FetchRows = (cursor: number | undefined, count: number) => Promise<MessageRow[]>;

/** What a message adds to the answer on the wire (UTF-8 of its JSON, escapes included). */
export function wireBytes(message: WireMessage): number {
  return Buffer.byteLength(JSON.stringify(message));
}

/**
 * One page of messages, walked in storage order in rounds of `batchRows`, stopping at the
 * limit or before the message that would pass the byte budget. It always takes a prefix of
 * the walk, so a client resuming from the last id it got misses nothing; `more` says there is
 * something after it. Reading in rounds keeps memory near the budget even when the limit
 * would allow hundreds of large messages.
 */
export async function collectPage(start: number | undefined, bounds: PageBounds, fetch: FetchRows): Promise<MessagePageAck> {
  const messages: WireMessage[] = [];
  let bytes = 0;
  let cursor = start;
  for (;;) {
    const want = Math.max(1, Math.min(bounds.batchRows, bounds.limit - messages.length));
    // One row past what is wanted tells whether anything follows.
    const rows = await fetch(cursor, want + 1);
    for (const row of rows.slice(0, want)) {
      const message = toWireMessage(row);
      const size = wireBytes(message);
      if (messages.length > 0 && bytes + size > bounds.budgetBytes) return { messages, more: true };
      messages.push(message);
      bytes += size;
    }
    if (rows.length <= want) return { messages, more: false };
    if (messages.length >= bounds.limit) return { messages, more: true };
    cursor = rows[want - 1].id;
  }
}
