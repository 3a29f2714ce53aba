import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { MessageRow } from '../storage/database.types';
import { messageRow } from '../storage/testing/fixtures';
import { newTestService } from '../testing/new-test-service';
import { EXPORT_PAGE, MessageExportService } from './message-export.service';

const message = (id: number): MessageRow => messageRow(id, `message ${id}`, { sender_username: 'sam', sent_at: Date.UTC(2026, 0, 1) + id });

/** A reader that takes a chunk only when the test says so. */
function slowReader() {
  const received: string[] = [];
  const pending: Array<() => void> = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk.toString());
      pending.push(done);
    },
  });
  return { out, received, takeOne: () => pending.shift()?.() };
}

describe('MessageExportService', () => {
  it('reads the next page only once the reader has taken the last one, and hashes exactly what it wrote', async () => {
    const { sut, mocks } = newTestService(MessageExportService);
    const total = 2 * EXPORT_PAGE + 1;
    mocks.messageExport.pageAfter.mockImplementation(async (_filter, afterId, limit) =>
      Array.from({ length: Math.max(0, Math.min(limit, total - afterId)) }, (_, i) => message(afterId + i + 1)),
    );
    mocks.message.reactionsOf.mockResolvedValue(new Map());
    const reader = slowReader();
    const done = sut.export({}, reader.out);

    await new Promise((resolve) => setImmediate(resolve));
    expect(mocks.messageExport.pageAfter).toHaveBeenCalledTimes(1);
    expect(reader.received).toHaveLength(1);
    // The reader takes the first page: the second is read and written, and so on.
    reader.takeOne();
    await new Promise((resolve) => setImmediate(resolve));
    expect(mocks.messageExport.pageAfter).toHaveBeenCalledTimes(2);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      reader.takeOne();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const summary = await done;

    const body = reader.received.join('');
    expect(body.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: number }).id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(summary).toEqual({ count: total, bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex'), complete: true });
  });

  it('stops when the reader goes away while it waits', async () => {
    const { sut, mocks } = newTestService(MessageExportService);
    mocks.messageExport.pageAfter.mockImplementation(async (_filter, afterId) => Array.from({ length: EXPORT_PAGE }, (_, i) => message(afterId + i + 1)));
    mocks.message.reactionsOf.mockResolvedValue(new Map());
    const reader = slowReader();
    const done = sut.export({}, reader.out);
    await new Promise((resolve) => setImmediate(resolve));
    reader.out.destroy();
    expect(await done).toMatchObject({ count: EXPORT_PAGE, complete: false });
    expect(mocks.messageExport.pageAfter).toHaveBeenCalledTimes(1);
  });
});
