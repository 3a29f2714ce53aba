import type { NewMessageRow, UserRow } from './database.types';
import { ChangeStream } from './change-stream';
import { MessageRepository, streamPosition } from './message.repository';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/test-databases';
import { UserRepository } from './user.repository';

// Changes share the id counter: a change sits above every message before it and below every one
// after, so sync's one cursor orders both (docs/architecture.md, "Changes in the stream").
describe.each(TEST_DIALECTS)('ChangeStream on %s', (dialect) => {
  let testDb: TestDatabase;
  let messages: MessageRepository;
  let changes: ChangeStream;
  let amy: UserRow;

  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    messages = new MessageRepository(testDb.database);
    changes = new ChangeStream(testDb.database);
    amy = await new UserRepository(testDb.database).create({
      username: 'amy',
      display_name: 'Amy',
      role: 'staff',
      password_hash: 'x',
      created_at: 1,
      updated_at: 1,
    });
  });
  afterAll(() => testDb.dispose());

  const post = async (body: string) => {
    const row: NewMessageRow = {
      client_id: null,
      sender_id: amy.id,
      sender_username: 'amy',
      sender_role: 'staff',
      sender_socket: 's',
      target_kind: 'group',
      target: 'staff',
      recipient_id: null,
      conversation: 'group:staff',
      audience: 'group:staff',
      body,
      sent_at: 1,
    };
    return (await messages.insertBatch([row]))[0].row;
  };
  const edit = (id: number, body: string) =>
    changes.write((rev) => [
      testDb.database.db.updateTable('messages').set({ body, rev, edited_at: 2 }).where('id', '=', id).returningAll(),
    ]);

  it('places a change between the messages before and after it, and sync walks them in that order', async () => {
    const first = await post('one');
    const second = await post('two');
    const { rev, results } = await edit(first.id, 'one, fixed');
    const third = await post('three');
    expect(rev).toBeGreaterThan(second.id);
    expect(third.id).toBeGreaterThan(rev);
    expect(results[0]).toEqual([expect.objectContaining({ id: first.id, body: 'one, fixed', rev })]);

    const stream = await messages.findVisibleAfter({ userId: 999, audiences: ['group:staff'] }, first.id - 1, 10);
    expect(stream.map((row) => [row.id, streamPosition(row)])).toEqual([
      [second.id, second.id],
      [first.id, rev],
      [third.id, third.id],
    ]);
    // From just past the change: only what came after it.
    expect((await messages.findVisibleAfter({ userId: 999, audiences: ['group:staff'] }, rev, 10)).map((row) => row.id)).toEqual([third.id]);
    // A page cut by its limit ends at a place, never skipping an unchanged message below it.
    expect((await messages.findVisibleAfter({ userId: 999, audiences: ['group:staff'] }, first.id - 1, 1)).map((row) => row.id)).toEqual([second.id]);
  });

  it('rolls back the whole change when one of its queries fails', async () => {
    const row = await post('kept');
    await expect(
      changes.write((rev) => [
        testDb.database.db.updateTable('messages').set({ body: 'changed', rev }).where('id', '=', row.id),
        testDb.database.db.insertInto('message_reactions').values({ message_id: row.id, user_id: 424242, username: 'x', emoji: '👍', reacted_at: 1 }),
      ]),
      // By code, not toThrow(): better-sqlite3's error class is loaded once per worker process,
      // so in a later spec file it is not an Error of that file's realm.
    ).rejects.toHaveProperty('code', dialect === 'sqlite' ? 'SQLITE_CONSTRAINT_FOREIGNKEY' : '23503');
    expect((await messages.findById(row.id))?.body).toBe('kept');
  });
});
