import { Migrator, sql } from 'kysely';
import { migrationProvider } from './database.service';
import { MessageRepository } from './message.repository';
import { ReadMarkRepository } from './read-mark.repository';
import { ChangeStream } from './change-stream';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/test-databases';

// Rows written before team conversations existed, on both databases: what 0007 makes of them.
describe.each(TEST_DIALECTS)('migration 0007 (conversations) on %s', (dialect) => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await openTestDatabase(dialect, { migrate: false });
  });
  afterAll(() => testDb.dispose());

  it('turns upward group posts into team conversations, keeps the rest, and carries read marks over', async () => {
    const db = testDb.database.db;
    const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: testDb.schema });
    expect((await migrator.migrateTo('0006-deleted-users')).error).toBeUndefined();

    const user = async (username: string, role: string) =>
      Number(
        (
          await sql<{ id: number }>`insert into users (username, display_name, role, password_hash, created_at, updated_at)
            values (${username}, ${username}, ${role}, null, 1, 1) returning id`.execute(db)
        ).rows[0].id,
      );
    const [cleo, sam, ada] = [await user('cleo', 'client'), await user('sam', 'staff'), await user('ada', 'admin')];
    const names: Record<number, [string, string]> = { [cleo]: ['cleo', 'client'], [sam]: ['sam', 'staff'], [ada]: ['ada', 'admin'] };
    const post = async (from: number, kind: 'group' | 'user', target: string, conversation: string, body: string, recipient: number | null = null) =>
      Number(
        (
          await sql<{ id: number }>`insert into messages
            (client_id, sender_id, sender_username, sender_role, sender_socket, target_kind, target, recipient_id, conversation, body, sent_at)
            values (null, ${from}, ${names[from][0]}, ${names[from][1]}, 's', ${kind}, ${target}, ${recipient}, ${conversation}, ${body}, 1)
            returning id`.execute(db)
        ).rows[0].id,
      );
    const cleoToStaff = await post(cleo, 'group', 'staff', 'group:staff', 'cleo asks staff');
    const samToStaff = await post(sam, 'group', 'staff', 'group:staff', 'sam to staff');
    const samToAdmin = await post(sam, 'group', 'admin', 'group:admin', 'sam asks admins');
    const adaToClients = await post(ada, 'group', 'client', 'group:client', 'ada to clients');
    const dm = await post(sam, 'user', 'cleo', `dm:${Math.min(sam, cleo)}:${Math.max(sam, cleo)}`, 'sam to cleo', cleo);
    const mark = (userId: number, conversation: string, id: number) =>
      sql`insert into read_marks (user_id, conversation, last_read_id, updated_at) values (${userId}, ${conversation}, ${id}, 1)`.execute(db);
    await mark(sam, 'group:staff', samToStaff);
    await mark(ada, 'group:admin', samToAdmin);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const rows = await db.selectFrom('messages').selectAll().orderBy('id').execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(cleoToStaff)).toMatchObject({
      target_kind: 'team',
      target: 'staff',
      guest: 'cleo',
      recipient_id: cleo,
      conversation: `team:staff:${cleo}`,
      audience: 'role:staff',
      mentions: null,
    });
    expect(byId.get(samToAdmin)).toMatchObject({ target_kind: 'team', guest: 'sam', recipient_id: sam, conversation: `team:admin:${sam}`, audience: 'role:admin' });
    expect(byId.get(samToStaff)).toMatchObject({ target_kind: 'group', conversation: 'group:staff', audience: 'group:staff', guest: null });
    expect(byId.get(adaToClients)).toMatchObject({ target_kind: 'group', conversation: 'group:client', audience: 'group:client' });
    expect(byId.get(dm)).toMatchObject({ target_kind: 'user', audience: null, guest: null });

    // The team read the group's posts before: its marks there now cover the team conversations too.
    const marks = new ReadMarkRepository(testDb.database, new ChangeStream(testDb.database));
    expect((await marks.marksOf(sam)).get(`team:staff:${cleo}`)).toBe(samToStaff);
    expect((await marks.marksOf(ada)).get(`team:admin:${sam}`)).toBe(samToAdmin);
    expect((await marks.marksOf(sam)).get('group:staff')).toBe(samToStaff);

    // And the read path finds the converted rows by audience and by guest.
    const messages = new MessageRepository(testDb.database);
    const seen = async (userId: number, audiences: string[]) =>
      (await messages.findVisibleAfter({ userId, audiences }, 0, 50)).map((row) => row.body);
    expect(await seen(cleo, ['group:client', 'role:client'])).toEqual(['cleo asks staff', 'ada to clients', 'sam to cleo']);
    expect(await seen(ada, ['group:admin', 'group:staff', 'group:client', 'role:admin'])).toEqual(['sam to staff', 'sam asks admins', 'ada to clients']);
  });
});
