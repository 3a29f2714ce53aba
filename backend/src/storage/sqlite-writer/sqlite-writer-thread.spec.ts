import SqliteDatabase from 'better-sqlite3';
import { eventually } from '../../../../test/support/eventually';
import { ChangeStream } from '../change-stream';
import { MessageRepository } from '../message.repository';
import { staffPost } from '../testing/fixtures';
import { openTestDatabase, type TestDatabase } from '../testing/test-databases';
import { UserRepository } from '../user.repository';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { SqliteWriteError, type SqliteWriterThread } from './sqlite-writer-thread';

// What the writer thread changes: who commits, and whether the event loop waits for it. What a
// batch stores (ids in order, duplicates, files) is repositories.spec.ts's, on both databases.
describe('SQLite messages written on their own thread', () => {
  let testDb: TestDatabase;
  let messages: MessageRepository;
  let sam: { id: number; username: string };

  beforeEach(async () => {
    testDb = await openTestDatabase('sqlite');
    messages = new MessageRepository(testDb.database);
    const users = new UserRepository(testDb.database);
    const row = await users.create({ username: 'sam', display_name: 'Sam', role: 'staff', password_hash: null, created_at: 1, updated_at: 1 });
    sam = { id: row.id, username: row.username };
  });
  afterEach(() => testDb.dispose());

  it('commits on a connection of its own, while this thread goes on running', async () => {
    const main = testDb.database.sqlite!;
    // This connection holds the write lock: the thread's transaction must wait for it. Written on
    // this connection instead, the insert would join this transaction and be answered at once.
    main.prepare('begin immediate').run();
    let settled = false;
    const storing = messages.insertBatch([staffPost(sam, 'while the lock is held')]).finally(() => (settled = true));
    // Timers still fire here: waiting for the lock (or for the disk) blocks the writer thread only.
    let fired = 0;
    const timer = setInterval(() => (fired += 1), 10);
    try {
      await eventually(() => fired >= 5, { timeoutMs: 5_000, what: 'timers firing while the thread waits' });
    } finally {
      clearInterval(timer);
    }
    expect(settled).toBe(false);
    main.prepare('commit').run();
    const [stored] = await storing;
    expect(stored.duplicate).toBe(false);
    // Answered after its commit: this connection reads it at once.
    expect(main.prepare('select body from messages where id = ?').pluck().get(stored.row.id)).toBe('while the lock is held');
  });

  it('answers each new message with the row exactly as stored, and a duplicate with the earlier row', async () => {
    const main = testDb.database.sqlite!;
    const plain = staffPost(sam, 'plain');
    const full = { ...staffPost(sam, 'with everything @sam'), client_id: 'c-1', mentions: JSON.stringify(['sam']), reply_to: null, attachments: undefined };
    const [first, second, again] = await messages.insertBatch([plain, full, { ...full, body: 'same client id' }]);
    for (const { row } of [first, second]) expect(row).toEqual(main.prepare('select * from messages where id = ?').get(row.id));
    expect(again).toEqual({ row: second.row, duplicate: true });
    const [later] = await messages.insertBatch([{ ...full, body: 'sent again later' }]);
    expect(later).toEqual({ row: second.row, duplicate: true });
  });

  it('answers a batch in the order given, ids increasing, and a refused batch with SQLite\'s code', async () => {
    const stored = await messages.insertBatch(['one', 'two', 'three'].map((body) => staffPost(sam, body)));
    expect(stored.map((s) => s.row.body)).toEqual(['one', 'two', 'three']);
    expect(stored[1].row.id).toBe(stored[0].row.id + 1);
    expect(stored[2].row.id).toBe(stored[1].row.id + 1);

    const refused = messages.insertBatch([staffPost({ id: 9999, username: 'nobody' }, 'no such sender')]);
    await expect(refused).rejects.toBeInstanceOf(SqliteWriteError);
    await expect(refused).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    // The thread goes on after a refusal.
    expect((await messages.insertBatch([staffPost(sam, 'after')]))[0].row.id).toBe(stored[2].row.id + 1);
  });

  it('draws a change\'s stream position only after the messages in flight are answered, and holds new ones until it has', async () => {
    const changes = new ChangeStream(testDb.database);
    const order: string[] = [];
    const before = messages.insertBatch(['a', 'b', 'c'].map((body) => staffPost(sam, body))).then((stored) => {
      order.push('messages answered');
      return stored;
    });
    const change = changes.write(() => []).then((result) => {
      order.push('change written');
      return result;
    });
    const after = messages.insertBatch([staffPost(sam, 'sent while the change waits')]);
    const [{ rev }, stored, [later]] = await Promise.all([change, before, after]);
    // Emitted in this order, a client's cursor never passes a message it has not received.
    expect(order).toEqual(['messages answered', 'change written']);
    expect(rev).toBeGreaterThan(stored[2].row.id);
    expect(later.row.id).toBeGreaterThan(rev);
  });

  it('fails every batch when the thread dies, the ones held back for a change included', async () => {
    await messages.insertBatch([staffPost(sam, 'starts the thread')]);
    const thread = (testDb.database as unknown as { writerThread: SqliteWriterThread }).writerThread;
    const { worker } = thread as unknown as { worker: Worker };
    // The thread never sees what comes next: a batch stays in flight, so a change holds new ones back.
    const post = jest.spyOn(worker, 'postMessage').mockImplementation(() => undefined);
    const inFlight = thread.insertBatch([staffPost(sam, 'in flight')]);
    void thread.settled();
    const heldBack = thread.insertBatch([staffPost(sam, 'held back')]);
    // The thread ends without close() having asked: told directly, so that its connection is
    // closed cleanly (no connection of this process is left open on a file a later spec reuses).
    post.mockRestore();
    const exited = once(worker, 'exit');
    worker.postMessage({ close: true });
    await exited;
    await expect(inFlight).rejects.toThrow(/writer thread stopped/);
    await expect(heldBack).rejects.toThrow(/writer thread stopped/);
    expect(thread.failed?.message).toMatch(/writer thread stopped/);
  });

  it('finishes what it was given before the database closes', async () => {
    const storing = messages.insertBatch(Array.from({ length: 50 }, (_, i) => staffPost(sam, `late ${i}`)));
    await testDb.database.onApplicationShutdown();
    expect(await storing).toHaveLength(50);
    await expect(messages.insertBatch([staffPost(sam, 'too late')])).rejects.toThrow(/closed/);
    // Opened again: they are all in the file.
    const file = new SqliteDatabase(testDb.database.location, { readonly: true });
    try {
      expect(file.prepare("select count(*) from messages where body like 'late %'").pluck().get()).toBe(50);
    } finally {
      file.close();
    }
  });
});
