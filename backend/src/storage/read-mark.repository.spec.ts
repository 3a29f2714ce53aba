import { ChangeStream } from './change-stream';
import type { UserRow } from './database.types';
import { MessageRepository } from './message.repository';
import { ReadMarkRepository } from './read-mark.repository';
import { staffPost } from './testing/fixtures';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/test-databases';
import { UserRepository } from './user.repository';

// Read marks as changes in the stream (read receipts): they move forward only, at a position
// between the messages around them, and each viewer finds exactly the marks they may see.
describe.each(TEST_DIALECTS)('ReadMarkRepository on %s', (dialect) => {
  let testDb: TestDatabase;
  let marks: ReadMarkRepository;
  let messages: MessageRepository;
  let changes: ChangeStream;
  let amy: UserRow, bob: UserRow, cat: UserRow;

  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    changes = new ChangeStream(testDb.database);
    marks = new ReadMarkRepository(testDb.database, changes);
    messages = new MessageRepository(testDb.database);
    const users = new UserRepository(testDb.database);
    const user = (username: string) => users.create({ username, display_name: username, role: 'staff', password_hash: 'x', created_at: 1, updated_at: 1 });
    [amy, bob, cat] = [await user('amy'), await user('bob'), await user('cat')];
  });
  afterAll(() => testDb.dispose());

  const post = async () => (await messages.insertBatch([staffPost(amy, 'hi')]))[0].row.id;
  const group = { audience: 'group:staff', peerId: null };

  it('takes a place in the stream before the first message, and the head covers it', async () => {
    expect(await changes.head()).toBe(0);
    const rev = await marks.moveInStream(amy.id, 'group:staff', 1, group, 1);
    expect(rev).toBe(1);
    expect(await changes.head()).toBe(1);
    expect(await post()).toBe(2);
    expect(await changes.head()).toBe(2);
  });

  it('moves a mark forward only, at a new position each time; a mark that does not move takes none', async () => {
    const before = await post();
    const first = await marks.moveInStream(bob.id, 'group:staff', before, group, 2);
    expect(first).toBeGreaterThan(before);
    expect(await marks.moveInStream(bob.id, 'group:staff', before, group, 3)).toBeNull();
    expect(await marks.moveInStream(bob.id, 'group:staff', before - 1, group, 3)).toBeNull();
    const after = await post();
    expect(after).toBe(first! + 1);
    const second = await marks.moveInStream(bob.id, 'group:staff', after, group, 4);
    expect(second).toBeGreaterThan(after);
    expect((await marks.marksOf(bob.id)).get('group:staff')).toBe(after);
    // The plain upsert (receipts off) still moves forward only, and leaves the position alone.
    await marks.markRead(bob.id, 'group:staff', after - 1, 5);
    expect((await marks.marksIn('group:staff', amy.id, 10)).find((m) => m.user_id === bob.id)).toMatchObject({ last_read_id: after, rev: second });
  });

  it('finds the marks a viewer may see in a part of the stream: their audiences, those whose peer they are, their own', async () => {
    const start = await changes.head();
    const dm = `dm:${amy.id}:${bob.id}`;
    const inGroup = (await marks.moveInStream(cat.id, 'group:staff', 10, group, 6))!;
    const toAmy = (await marks.moveInStream(bob.id, dm, 10, { audience: null, peerId: amy.id }, 6))!;
    const amysOwn = (await marks.moveInStream(amy.id, dm, 10, { audience: null, peerId: bob.id }, 6))!;
    const elsewhere = (await marks.moveInStream(cat.id, 'channel:9', 10, { audience: 'channel:9', peerId: null }, 6))!;

    const seen = (audiences: string[], upTo = Number.MAX_SAFE_INTEGER, limit = 10) => marks.movedAfter({ userId: amy.id, audiences }, start, upTo, limit);
    expect(await seen(['group:staff'])).toEqual([
      { conversation: 'group:staff', user_id: cat.id, username: 'cat', last_read_id: 10, rev: inGroup, audience: 'group:staff', peer_id: null, peer_username: null },
      { conversation: dm, user_id: bob.id, username: 'bob', last_read_id: 10, rev: toAmy, audience: null, peer_id: amy.id, peer_username: 'amy' },
      { conversation: dm, user_id: amy.id, username: 'amy', last_read_id: 10, rev: amysOwn, audience: null, peer_id: bob.id, peer_username: 'bob' },
    ]);
    expect((await seen([])).map((m) => m.rev)).toEqual([toAmy, amysOwn]);
    expect((await seen(['channel:9'])).map((m) => m.rev)).toEqual([toAmy, amysOwn, elsewhere]);
    // Bounded above (the page's end) and in number, always a prefix of the stream.
    expect((await seen(['group:staff'], toAmy)).map((m) => m.rev)).toEqual([inGroup, toAmy]);
    expect((await seen(['group:staff', 'channel:9'], Number.MAX_SAFE_INTEGER, 2)).map((m) => m.rev)).toEqual([inGroup, toAmy]);
    // Someone else sees none of the DM's marks: only their own here.
    expect((await marks.movedAfter({ userId: cat.id, audiences: [] }, start, Number.MAX_SAFE_INTEGER, 10)).map((m) => m.rev)).toEqual([inGroup, elsewhere]);
  });

  it("lists a conversation's current marks but the viewer's, the most recently moved last, bounded", async () => {
    await marks.markRead(cat.id, 'group:old', 3, 100);
    await marks.markRead(bob.id, 'group:old', 5, 200);
    await marks.markRead(amy.id, 'group:old', 9, 300);
    expect((await marks.marksIn('group:old', amy.id, 10)).map((m) => [m.username, m.last_read_id, m.rev])).toEqual([
      ['cat', 3, null],
      ['bob', 5, null],
    ]);
    expect((await marks.marksIn('group:old', amy.id, 1)).map((m) => m.username)).toEqual(['bob']);
  });
});
