import { eventually } from '../../../test/support/eventually';
import type { InsertedMessage } from '../storage/message.repository';
import type { NewMessageRow } from '../storage/database.types';
import { storedRow } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { MessageWriter } from './message-writer.service';

// That a batch is one transaction, all or nothing, with ids in order, is tested on both
// databases in storage/repositories.spec.ts; here, what the writer makes of it.
describe('MessageWriter (group commit)', () => {
  let writer: MessageWriter;
  let mocks: ServiceMocks;
  let lastId: number;

  beforeEach(() => {
    ({ sut: writer, mocks } = newTestService(MessageWriter));
    lastId = 0;
    mocks.message.insertBatch.mockImplementation(async (batch) => batch.map(store));
  });

  const store = (message: NewMessageRow): InsertedMessage => ({
    row: storedRow(message, ++lastId),
    duplicate: false,
  });
  const batchSizes = () => mocks.message.insertBatch.mock.calls.map(([batch]) => batch.length);
  const message = (body: string, client_id: string | null = null): NewMessageRow => ({
    client_id,
    sender_id: 1,
    sender_username: 'w',
    sender_role: 'staff',
    sender_socket: 's',
    target_kind: 'group',
    target: 'staff',
    recipient_id: null,
    conversation: 'group:staff',
    body,
    sent_at: 1,
  });

  it('commits messages written in the same tick as one transaction, in order', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => writer.write(message(`m${i}`))));
    expect(batchSizes()).toEqual([200]);
    expect(mocks.message.insertBatch.mock.calls[0][0].map((m) => m.body)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(results.map((r) => r.row.body)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
  });

  it('collects messages that arrive during a commit into the next one', async () => {
    let commit!: () => void;
    mocks.message.insertBatch.mockImplementationOnce(async (batch) => {
      await new Promise<void>((resolve) => (commit = resolve));
      return batch.map(store);
    });
    const first = writer.write(message('first'));
    await eventually(() => batchSizes().length === 1); // the first commit is under way
    const later = Array.from({ length: 5 }, (_, i) => writer.write(message(`later ${i}`)));
    commit();
    await Promise.all([first, ...later]);
    expect(batchSizes()).toEqual([1, 5]);
  });

  it('fails only the bad row of a batch; the others are stored', async () => {
    // The database refuses the whole transaction for one bad row (say, a sender that is gone).
    mocks.message.insertBatch.mockImplementation(async (batch) => {
      if (batch.some((m) => m.body === 'bad')) throw new Error('FOREIGN KEY constraint failed');
      return batch.map(store);
    });
    const results = await Promise.allSettled([writer.write(message('a')), writer.write(message('bad')), writer.write(message('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'STORAGE_FAILED' });
    // The batch, then each row alone.
    expect(mocks.message.insertBatch.mock.calls.map(([batch]) => batch.map((m) => m.body))).toEqual([['a', 'bad', 'b'], ['a'], ['bad'], ['b']]);
  });

  it('answers STORAGE_FAILED when the database fails, then carries on', async () => {
    mocks.message.insertBatch.mockRejectedValueOnce(new Error('disk full'));
    await expect(writer.write(message('a'))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await expect(writer.write(message('c'))).resolves.toMatchObject({ row: { body: 'c' }, duplicate: false });
  });

  it('flushes everything pending before shutdown completes', async () => {
    const committed: string[] = [];
    mocks.message.insertBatch.mockImplementation(async (batch) => {
      await new Promise((resolve) => setImmediate(resolve));
      committed.push(...batch.map((m) => m.body));
      return batch.map(store);
    });
    const pending = Array.from({ length: 10 }, (_, i) => writer.write(message(`p${i}`, `k${i}`)));
    await writer.beforeApplicationShutdown();
    expect(committed).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    await Promise.all(pending);
  });
});
