import { sql } from 'kysely';
import { eventually } from '../../../test/support/eventually';
import { ChangeStream } from './change-stream';
import { MESSAGE_ORDER_LOCK } from './message.repository';
import { openTestDatabase, type TestDatabase } from './testing/test-databases';

// sync ends a whole page at the committed head (read receipts): a number a writer has drawn but not
// committed must not be reported, or the page would end past a change nobody could read yet.
describe('ChangeStream.head on postgres', () => {
  let testDb: TestDatabase;
  let changes: ChangeStream;

  beforeAll(async () => {
    testDb = await openTestDatabase('postgres');
    changes = new ChangeStream(testDb.database);
  });
  afterAll(() => testDb.dispose());

  it('waits for a writer between drawing a position and committing it, then reports that position', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let drawn = 0;
    const order: string[] = [];
    const writing = testDb.database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MESSAGE_ORDER_LOCK}::bigint)`.execute(trx);
      drawn = Number((await sql<{ id: number }>`select nextval(pg_get_serial_sequence('messages', 'id')) as id`.execute(trx)).rows[0].id);
      await gate;
      order.push('committed');
    });
    try {
      await eventually(() => drawn > 0);
      const reading = changes.head().then((head) => {
        order.push('head');
        return head;
      });
      // The reader is queued on the order lock (sequence values are visible before commit: without
      // the lock it would already have answered `drawn`).
      await eventually(async () => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(testDb.database.db);
        return rows[0].n > 0;
      });
      expect(order).toEqual([]);
      release();
      await writing;
      expect(await reading).toBe(drawn);
      expect(order).toEqual(['committed', 'head']);
    } finally {
      // A failure must not leave the writer's transaction (and the test run) hanging.
      release();
      await writing;
    }
  });
});
