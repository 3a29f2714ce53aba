import { sql } from 'kysely';
import { eventually } from '../../../test/support/eventually';
import type { NewMessageRow } from './database.types';
import { MESSAGE_ORDER_LOCK, MessageRepository } from './message.repository';
import { openTestDatabase, type TestDatabase } from './testing/test-databases';
import { UserRepository } from './user.repository';

// Several nodes write to one PostgreSQL. Ids come from a sequence when a row is inserted, but
// become visible when its transaction commits. Without ordering, id 11 can be visible while id
// 10 is not, and a client that synced past 11 would never get 10. (SQLite has one writer.)
describe('message commit order across writers (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let messages: MessageRepository;
  let row: (body: string) => NewMessageRow;

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    messages = new MessageRepository(testDb.database);
    const sender = await new UserRepository(testDb.database).create({
      username: 'writer', display_name: 'W', role: 'staff', password_hash: null, created_at: 1, updated_at: 1,
    });
    row = (body) => ({
      client_id: null, sender_id: sender.id, sender_username: 'writer', sender_role: 'staff', sender_socket: 's',
      target_kind: 'group', target: 'staff', recipient_id: null, conversation: 'group:staff', body, sent_at: 1,
    });
  });
  afterAll(() => testDb.dispose());

  const visibleAfter = async (since: number) =>
    (await testDb.database.db.selectFrom('messages').select(['id', 'body']).where('id', '>', since).orderBy('id').execute()).map((r) => r.body);

  /** A writer paused inside its transaction after inserting; `lock` as insertBatch does or not. */
  async function pausedWriter(body: string, lock: boolean) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: (writer: { id: number; pid: number }) => void;
    const started = new Promise<{ id: number; pid: number }>((resolve) => (inserted = resolve));
    const done = testDb.database.db.transaction().execute(async (trx) => {
      if (lock) await sql`select pg_advisory_xact_lock(${MESSAGE_ORDER_LOCK}::bigint)`.execute(trx);
      const { id } = await trx.insertInto('messages').values(row(body)).returning('id').executeTakeFirstOrThrow();
      const { pid } = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0];
      inserted({ id, pid });
      await held;
    });
    // A failed transaction settles `done` before anything is inserted.
    const { id, pid } = await Promise.race([started, done.then(() => Promise.reject(new Error(`${body}: no insert`)))]);
    return { id, pid, finish: async () => (release(), await done) };
  }

  /** How many sessions wait for a lock that the session `pid` holds, as PostgreSQL reports it. */
  const blockedBy = async (pid: number) =>
    (
      await sql<{ blocked: number }>`select count(*)::int as blocked from pg_stat_activity where ${pid}::int = any(pg_blocking_pids(pid))`.execute(
        testDb.database.db,
      )
    ).rows[0].blocked;

  it('without the lock, a later id can become visible first (the gap this guards against)', async () => {
    const since = await messages.latestId();
    const slow = await pausedWriter('slow', false);
    const fast = await testDb.database.db.insertInto('messages').values(row('fast')).returning('id').executeTakeFirstOrThrow();
    expect(fast.id).toBeGreaterThan(slow.id);
    // A client syncing now gets 'fast' and moves its cursor past slow.id, which it never sees.
    expect(await visibleAfter(since)).toEqual(['fast']);
    await slow.finish();
  });

  it('insertBatch waits for a writer holding the order lock, so ids become visible in order', async () => {
    const since = await messages.latestId();
    const first = await pausedWriter('first', true);
    let secondDone = false;
    const second = messages.insertBatch([row('second')]).then((rows) => {
      secondDone = true;
      return rows;
    });
    // However long the first writer takes, the second neither commits nor shows: PostgreSQL
    // has it waiting behind the first (a run in another schema of the database may queue too).
    await eventually(async () => expect(await blockedBy(first.pid)).toBeGreaterThanOrEqual(1));
    expect(secondDone).toBe(false);
    expect(await visibleAfter(since)).toEqual([]);
    await first.finish();
    const [stored] = await second;
    expect(stored.row.id).toBeGreaterThan(first.id);
    expect(await visibleAfter(since)).toEqual(['first', 'second']);
  });
});
