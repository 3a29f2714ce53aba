import type { NewMessageRow } from '../storage/database.types';
import { MessageRepository } from '../storage/message.repository';
import { openTestDatabase, type TestDatabase } from '../storage/testing/test-databases';
import { UserRepository } from '../storage/user.repository';
import { MessageWriter } from './message-writer.service';

describe('MessageWriter (group commit, on a real SQLite file)', () => {
  let testDb: TestDatabase;
  let repository: MessageRepository;
  let writer: MessageWriter;
  let senderId: number;

  beforeEach(async () => {
    testDb = await openTestDatabase('sqlite');
    repository = new MessageRepository(testDb.database);
    writer = new MessageWriter(repository);
    const sender = await new UserRepository(testDb.database).create({
      username: 'w',
      display_name: 'W',
      role: 'staff',
      password_hash: null,
      created_at: 0,
      updated_at: 0,
    });
    senderId = sender.id;
  });
  afterEach(() => testDb.dispose());

  const message = (body: string, client_id: string | null = null): NewMessageRow => ({
    client_id,
    sender_id: senderId,
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
    const insertBatch = jest.spyOn(repository, 'insertBatch');
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => writer.write(message(`m${i}`))));
    expect(insertBatch).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.row.body)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    const ids = results.map((r) => r.row.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('collects messages that arrive during a commit into the next one', async () => {
    const insertBatch = jest.spyOn(repository, 'insertBatch');
    const first = writer.write(message('first'));
    await new Promise((r) => setImmediate(r)); // the first commit is under way
    const later = Array.from({ length: 5 }, (_, i) => writer.write(message(`later ${i}`)));
    await Promise.all([first, ...later]);
    expect(insertBatch.mock.calls.map(([batch]) => batch.length)).toEqual([1, 5]);
  });

  it('fails only the bad row of a batch; the others are stored', async () => {
    const bad = { ...message('from nobody'), sender_id: senderId + 1000 }; // violates the foreign key
    const results = await Promise.allSettled([writer.write(message('a')), writer.write(bad), writer.write(message('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'STORAGE_FAILED' });
    const stored = await repository.findConversationBefore({ conversation: 'group:staff' }, undefined, 10);
    expect(stored.map((m) => m.body)).toEqual(['a', 'b']);
  });

  it('answers STORAGE_FAILED when the database fails, then carries on', async () => {
    jest.spyOn(repository, 'insertBatch').mockRejectedValueOnce(new Error('disk full'));
    await expect(writer.write(message('a'))).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await expect(writer.write(message('c'))).resolves.toMatchObject({ row: { body: 'c' }, duplicate: false });
  });

  it('flushes everything pending before shutdown completes', async () => {
    const pending = Array.from({ length: 10 }, (_, i) => writer.write(message(`p${i}`, `k${i}`)));
    await writer.beforeApplicationShutdown();
    expect(await repository.latestId()).toBe(10);
    await Promise.all(pending);
  });
});
