import { Migrator, sql } from 'kysely';
import { ChangeStream } from './change-stream';
import { migrationProvider } from './database.service';
import { MessageChangeRepository } from './message-change.repository';
import { MessageRepository } from './message.repository';
import { BACKFILL_BATCH, SearchIndexBuilder } from './search-index-builder';
import { SearchRepository } from './search.repository';
import { staffPost } from './testing/fixtures';
import { openTestDatabase, type TestDatabase } from './testing/test-databases';

/** Enough messages stored before search existed for three backfill batches, the last one short. */
const OLD_ROWS = 2 * BACKFILL_BATCH + BACKFILL_BATCH / 2;

/** A word only message `n` holds (no other tag contains it: the k's close it on both sides). */
const tag = (n: number) => `k${n}k`;

/** A database at migration 0009 holding OLD_ROWS staff posts by sam, `note k<i>k` for i = 1..OLD_ROWS, then migrated to 0010 (and on). */
async function storedBeforeSearch(dialect: 'sqlite' | 'postgres'): Promise<{ testDb: TestDatabase; sam: number }> {
  const testDb = await openTestDatabase(dialect, { migrate: false });
  const db = testDb.database.db;
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: testDb.schema });
  expect((await migrator.migrateTo('0009-read-marks-by-conversation')).error).toBeUndefined();
  const { rows } = await sql<{ id: number }>`insert into users (username, display_name, role, password_hash, created_at, updated_at)
    values ('sam', 'sam', 'staff', null, 1, 1) returning id`.execute(db);
  const sam = { id: Number(rows[0].id), username: 'sam' };
  for (let from = 1; from <= OLD_ROWS; from += 500) {
    const chunk = Array.from({ length: Math.min(500, OLD_ROWS - from + 1) }, (_, i) => staffPost(sam, `note ${tag(from + i)}`));
    await db.insertInto('messages').values(chunk).execute();
  }
  expect((await migrator.migrateTo('0010-search-index')).error).toBeUndefined();
  // Later migrations too: the repositories write today's columns.
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  return { testDb, sam: sam.id };
}

function repositories(testDb: TestDatabase) {
  const database = testDb.database;
  return {
    messages: new MessageRepository(database),
    changes: new MessageChangeRepository(database, new ChangeStream(database)),
    search: new SearchRepository(database),
  };
}

/** Starts a builder as Nest would, on its own: the same DatabaseService, as a second node or a restart would see it. */
function startBuilder(testDb: TestDatabase): SearchIndexBuilder {
  const builder = new SearchIndexBuilder(testDb.database, new SearchRepository(testDb.database));
  builder.onApplicationBootstrap();
  return builder;
}

describe('SearchIndexBuilder on sqlite: messages stored before search, indexed while the server runs', () => {
  let testDb: TestDatabase;
  let sam: number;
  let repos: ReturnType<typeof repositories>;
  /** The ids the index gives for a folded term, newest first (the FTS table itself, not the filters around it). */
  let indexed: (term: string) => number[];
  let below: () => number;
  /**
   * FTS5's own check of the index. Not its comparison with the content table (rank 1): that
   * expects a row for every message, and deleted ones (body '') are left out of the index on purpose.
   */
  let integrityCheck: () => void;
  let freshId: number;
  const found = async (term: string) => (await repos.search.candidates({ viewer: { userId: sam, audiences: ['group:staff'] }, terms: [term] }, 10)).map((row) => row.id);

  beforeAll(async () => {
    ({ testDb, sam } = await storedBeforeSearch('sqlite'));
    repos = repositories(testDb);
    const sqlite = testDb.database.sqlite!;
    const match = sqlite.prepare('select rowid from messages_search where messages_search match ? order by rowid desc').pluck();
    indexed = (term) => match.all(`"${term}"`) as number[];
    below = () => sqlite.prepare('select below from search_backfill').pluck().get() as number;
    integrityCheck = () => sqlite.exec(`insert into messages_search (messages_search) values ('integrity-check')`);
  });
  afterAll(() => testDb.dispose());

  it('finds nothing stored before the migration until the builder runs, and new messages at once', async () => {
    expect(below()).toBe(OLD_ROWS + 1);
    expect(await found(tag(OLD_ROWS))).toEqual([]);
    expect(indexed('note')).toEqual([]);
    const [{ row: fresh }] = await repos.messages.insertBatch([staffPost({ id: sam, username: 'sam' }, 'fresh note after the migration')]);
    freshId = fresh.id;
    // Listed in the sending transaction, indexed in bulk by the next search (or the builder's tick).
    const pending = () => testDb.database.sqlite!.prepare('select id from search_pending').pluck().all();
    expect(pending()).toEqual([fresh.id]);
    expect(indexed('note')).toEqual([]);
    expect(await found('fresh')).toEqual([fresh.id]);
    expect(pending()).toEqual([]);
    expect(indexed('note')).toEqual([fresh.id]);
  });

  it('edits and deletes messages the index does not hold yet without touching it', async () => {
    // Unguarded, each would be an FTS5 'delete' of a row the index never held: with one row in
    // it, the second such delete underflows its row count and fails as a corrupt index.
    await repos.changes.edit(3, { body: 'early edit gnu', mentions: null, at: Date.now() });
    await repos.changes.delete(2, Date.now());
    await testDb.database.db.deleteFrom('messages').where('id', '=', 1).execute();
    integrityCheck();
    expect(indexed('note')).toEqual([freshId]);
    expect(await found('gnu')).toEqual([]);
  });

  it('stops between batches on shutdown and goes on from search_backfill.below at the next start', async () => {
    const first = startBuilder(testDb);
    await first.beforeApplicationShutdown();
    // One batch, the newest ids, done; the rest waits for the next start.
    expect(below()).toBe(OLD_ROWS + 1 - BACKFILL_BATCH);
    expect(await found(tag(OLD_ROWS))).toEqual([OLD_ROWS]);
    expect(await found(tag(below()))).toEqual([below()]);
    expect(await found(tag(below() - 1))).toEqual([]);
    integrityCheck();
  });

  it('keeps the index in step with inserts, edits and deletes made while it builds, and ends holding every message', async () => {
    const builder = startBuilder(testDb);
    // The restart indexed one more batch before giving the event loop back; below it nothing is indexed yet.
    const frontier = below();
    expect(frontier).toBe(OLD_ROWS + 1 - 2 * BACKFILL_BATCH);
    const [indexedOld, unindexedOld] = [OLD_ROWS - 10, frontier - 10];
    const [deletedIndexed, deletedUnindexed] = [OLD_ROWS - 20, frontier - 20];
    const [purgedIndexed, purgedUnindexed] = [OLD_ROWS - 30, frontier - 30];
    const at = Date.now();
    await repos.changes.edit(indexedOld, { body: 'rewritten zebra', mentions: null, at });
    await repos.changes.edit(unindexedOld, { body: 'rewritten yak', mentions: null, at });
    await repos.changes.delete(deletedIndexed, at);
    await repos.changes.delete(deletedUnindexed, at);
    // Retention removes rows outright (the delete trigger, not the update one).
    await testDb.database.db.deleteFrom('messages').where('id', 'in', [purgedIndexed, purgedUnindexed]).execute();
    // (Each change waits a turn or two for the message writer thread to settle, so the builder
    // may have gone on meanwhile: what matters is that the index stays sound whatever it did.)
    // Mid-build, the index is sound (a 'delete' of a row it never held would show here).
    integrityCheck();
    expect(await found('zebra')).toEqual([indexedOld]);
    expect(await found(tag(indexedOld))).toEqual([]);
    // New messages while it builds (the writer thread answers after the builder's next batch,
    // so the build may have finished by then: the triggers index them either way).
    const sent = await repos.messages.insertBatch(['new note one', 'new note two', 'new note three'].map((body) => staffPost({ id: sam, username: 'sam' }, body)));
    await repos.changes.edit(sent[1].row.id, { body: 'new text walrus', mentions: null, at });
    await repos.changes.delete(sent[2].row.id, at);
    integrityCheck();

    await builder.whenBuilt();
    // Down to the lowest id stored (1 was removed above).
    expect(below()).toBe(2);
    integrityCheck();
    const gone = new Set([1, 2, 3, indexedOld, unindexedOld, deletedIndexed, deletedUnindexed, purgedIndexed, purgedUnindexed]);
    const oldIds = Array.from({ length: OLD_ROWS }, (_, i) => OLD_ROWS - i).filter((id) => !gone.has(id));
    // A search first indexes what is pending (the new messages, if the build ended before they came).
    expect(await found('walrus')).toEqual([sent[1].row.id]);
    expect(indexed('note')).toEqual([sent[0].row.id, freshId, ...oldIds]);
    expect(await found('yak')).toEqual([unindexedOld]);
    expect(await found('gnu')).toEqual([3]);
    // Nothing of a text edited away or deleted is left in the index.
    for (const id of gone) expect(indexed(tag(id))).toEqual([]);
    expect(indexed('three')).toEqual([]);
    expect(await found(tag(4))).toEqual([4]);
    expect(await found(tag(frontier - 1))).toEqual([frontier - 1]);
  });

  it('does nothing at a start after the index is complete but index what was written while it was stopped', async () => {
    // Rows written straight into the file (an import) wait in search_pending: more than one batch.
    const imported = await repos.messages.insertBatch(Array.from({ length: BACKFILL_BATCH + 5 }, (_, i) => staffPost({ id: sam, username: 'sam' }, `imported okapi ${i}`)));
    const builder = startBuilder(testDb);
    await builder.whenBuilt();
    await builder.beforeApplicationShutdown();
    expect(below()).toBe(2);
    expect(testDb.database.sqlite!.prepare('select count(*) from search_pending').pluck().get()).toBe(0);
    expect(indexed('okapi')).toHaveLength(imported.length);
    integrityCheck();
  });
});

describe('SearchIndexBuilder on postgres: the trigram index built concurrently, once', () => {
  let testDb: TestDatabase;
  let sam: number;
  let repos: ReturnType<typeof repositories>;
  const found = async (term: string) => (await repos.search.candidates({ viewer: { userId: sam, audiences: ['group:staff'] }, terms: [term] }, 10)).map((row) => row.id);
  /** The schema's index of that name: its oid (a rebuild changes it), whether it is valid, and its definition. */
  const trigramIndex = async () =>
    (
      await sql<{ oid: number; valid: boolean; definition: string }>`
        select c.oid::int as oid, i.indisvalid as valid, pg_get_indexdef(c.oid) as definition
        from pg_index i join pg_class c on c.oid = i.indexrelid
        where c.relname = 'messages_search_trgm' and c.relnamespace = current_schema()::regnamespace`.execute(testDb.database.db)
    ).rows;

  beforeAll(async () => {
    ({ testDb, sam } = await storedBeforeSearch('postgres'));
    repos = repositories(testDb);
  });
  afterAll(() => testDb.dispose());

  it('searches old messages before the index exists (without it), then builds a valid index the search uses', async () => {
    expect(await trigramIndex()).toEqual([]);
    expect(await found(tag(7))).toEqual([7]);
    // A build cut short leaves an invalid index behind; here one that fails on a row.
    await expect(
      sql`create index concurrently messages_search_trgm on messages using gin ((parley_fold(body) || (1 / (id - 5))::text) public.gin_trgm_ops)`.execute(testDb.database.db),
    ).rejects.toThrow(/division by zero/);
    expect(await trigramIndex()).toMatchObject([{ valid: false }]);

    // Two nodes start at once: one builds, the other finds the lock taken and leaves it.
    const [one, two] = [startBuilder(testDb), startBuilder(testDb)];
    await Promise.all([one.whenBuilt(), two.whenBuilt()]);
    const [built] = await trigramIndex();
    expect(built).toMatchObject({ valid: true });
    expect(built.definition).toMatch(/USING gin \((\w+\.)?parley_fold\(body\) (public\.)?gin_trgm_ops\)$/);
    expect(await trigramIndex()).toHaveLength(1);

    // The query SearchRepository writes can use it (with sequential scans priced out, as on a large table).
    const plan = await testDb.database.db.connection().execute(async (connection) => {
      await sql`set enable_seqscan = off`.execute(connection);
      try {
        return (await sql<{ 'QUERY PLAN': string }>`explain select id from messages m where parley_fold(m.body) like parley_fold(${`%${tag(7)}%`})`.execute(connection)).rows;
      } finally {
        await sql`reset enable_seqscan`.execute(connection);
      }
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('messages_search_trgm');
    expect(await found(tag(7))).toEqual([7]);

    // A later start finds it valid and leaves it as it is.
    await startBuilder(testDb).whenBuilt();
    expect(await trigramIndex()).toEqual([built]);
  });
});
