import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppConfig } from '../backend/src/config/app-config';
import { DatabaseService } from '../backend/src/storage/database.service';
import { SearchIndexBuilder } from '../backend/src/storage/search-index-builder';
import { StorageCompactor } from '../backend/src/storage/storage-compactor';
import { adminToken, closeAllClients, connectAs, createUser, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * "Deleting honestly" (docs/architecture.md), checked on the files themselves: after a delete
 * (and, for the old text, an edit) and the compaction the purge asked for, the text is nowhere
 * in the SQLite file or its WAL, nor in any file of the PostgreSQL schema's tables, their TOAST
 * tables and indexes. Each text is first found in the files (so the search could find it), and
 * searched for whole and in overlapping pieces (a partial copy fails too). Runs on both databases.
 * The search index is part of it: SQLite's FTS5 tables live in the main file and must hold no
 * trigram of a purged text; PostgreSQL's GIN index is one of the schema's files checked.
 */
describe('purging deleted and edited text from the database files', () => {
  let server: TestServer;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    tokens = { sam: await createUser(server, admin, 'sam', 'staff'), sue: await createUser(server, admin, 'sue', 'staff') };
    // PostgreSQL: the trigram index exists (and is checked) from the first message on.
    await server.app.get(SearchIndexBuilder).whenBuilt();
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  const database = () => server.app.get(DatabaseService);
  const compactor = () => server.app.get(StorageCompactor);

  /** A text no other byte sequence in the files matches: random, so no compression shortens it either. */
  const unique = (label: string, length: number) => `${label}-ünïcødé-${randomBytes(length).toString('base64').slice(0, length)}`;

  /** The bytes of every file that holds table data now. */
  async function dataFiles(): Promise<Buffer[]> {
    const sqlite = database().sqlite;
    if (sqlite) {
      const path = server.app.get(AppConfig).values.PARLEY_SQLITE_PATH;
      return [path, `${path}-wal`, `${path}-journal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
    }
    const db = database().db;
    // Dirty pages reach the files at a checkpoint.
    await sql`checkpoint`.execute(db);
    const { rows: dir } = await sql<{ data_directory: string }>`select current_setting('data_directory') as data_directory`.execute(db);
    // Every relation of the schema (tables, indexes), their TOAST tables and TOAST indexes.
    const { rows } = await sql<{ path: string }>`
      with own as (select oid, reltoastrelid from pg_class where relnamespace = current_schema()::regnamespace and relkind in ('r', 'i')),
      toast as (select reltoastrelid as oid from own where reltoastrelid <> 0),
      toast_index as (select indexrelid as oid from pg_index where indrelid in (select oid from toast))
      select pg_relation_filepath(oid) as path from (select oid from own union select oid from toast union select oid from toast_index) r
    `.execute(db);
    const files: Buffer[] = [];
    for (const { path } of rows) {
      // A relation over 1 GB continues in path.1, path.2, ...
      for (let segment = 0; ; segment++) {
        const file = join(dir[0].data_directory, segment === 0 ? path : `${path}.${segment}`);
        if (!existsSync(file)) break;
        files.push(readFileSync(file));
      }
    }
    return files;
  }

  /**
   * SQLite: how many messages the FTS5 index itself lists for the last 12 characters of `text`
   * (random, so no other message shares them): its own rows, not the messages they point to.
   */
  const searchIndexRows = (text: string) =>
    database().sqlite!.prepare('select count(*) from messages_search where messages_search match ?').pluck().get(`"${text.slice(-12)}"`) as number;

  /** PostgreSQL: the schema's trigram index is there and usable, so dataFiles reads its file too. */
  async function trigramIndexValid(): Promise<boolean> {
    const { rows } = await sql<{ valid: boolean }>`
      select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname = 'messages_search_trgm' and c.relnamespace = current_schema()::regnamespace`.execute(database().db);
    return rows.length === 1 && rows[0].valid;
  }

  /** Where the text, or any 24-byte piece of it (every 8 bytes), is found. */
  function traces(files: Buffer[], text: string): string[] {
    const bytes = Buffer.from(text, 'utf8');
    const pieces = bytes.length <= 24 ? [bytes] : Array.from({ length: Math.floor((bytes.length - 24) / 8) + 1 }, (_, i) => bytes.subarray(i * 8, i * 8 + 24));
    const found: string[] = [];
    files.forEach((file, f) => {
      pieces.forEach((piece, p) => {
        if (file.indexOf(piece) >= 0) found.push(`file ${f}, piece ${p}`);
      });
    });
    return found;
  }

  it('leaves no trace of a deleted text (long and short) or of an edited message\'s old text', async () => {
    const sam = await connectAs(server, tokens.sam, 'staff', 'sam');
    const sue = await connectAs(server, tokens.sue, 'staff', 'sue');
    // 1,800 bytes stays in the table's page (PostgreSQL moves values over about 2 kB to TOAST):
    // the size plain VACUUM was seen to leave behind in the page's free space.
    const deletedLong = unique('deleted', 1800);
    const deletedToasted = unique('toasted', 3000);
    const deletedShort = unique('gone', 12);
    const editedOld = unique('before', 1800);
    const editedNew = unique('after', 40);
    const a = await requestOk(sam, 'send_message', { message: deletedLong, recipients: 'staff' });
    const b = await requestOk(sam, 'send_message', { message: deletedShort, recipients: 'sue' });
    const c = await requestOk(sam, 'send_message', { message: editedOld, recipients: 'staff' });
    const d = await requestOk(sam, 'send_message', { message: deletedToasted, recipients: 'staff' });
    await requestOk(sue, 'react', { id: a.id, emoji: '👍', on: true });
    // Around them, messages that stay: the purge must not need an empty table.
    for (let i = 0; i < 20; i++) await requestOk(sue, 'send_message', { message: `stays ${i} ${'x'.repeat(200)}`, recipients: 'staff' });

    // The control: the search finds each text before it is purged (a search first indexes what
    // was sent since the last one).
    expect((await requestOk(sam, 'search', { q: deletedShort.slice(-12) })).results.map((r) => r.id)).toEqual([b.id]);
    await compactor().compactNow();
    const before = await dataFiles();
    for (const text of [deletedLong, deletedShort, editedOld, deletedToasted]) {
      expect(traces(before, text).length).toBeGreaterThan(0);
      if (database().sqlite) expect(searchIndexRows(text)).toBe(1);
    }
    if (!database().sqlite) expect(await trigramIndexValid()).toBe(true);

    const passes = compactor().completedPasses;
    await requestOk(sam, 'delete_message', { id: a.id });
    await requestOk(sam, 'delete_message', { id: b.id });
    await requestOk(sam, 'delete_message', { id: d.id });
    await requestOk(sam, 'edit_message', { id: c.id, message: editedNew });
    // The pass the purges requested (debounced: one for all of them).
    await eventually(() => compactor().completedPasses > passes);
    // PostgreSQL rewrites at most every REWRITE_INTERVAL_MS; the first one after a start may
    // already have run above. Asked for now, as the next interval would.
    if (!database().sqlite) await compactor().compactNow();

    const after = await dataFiles();
    expect({
      deletedLong: traces(after, deletedLong),
      deletedShort: traces(after, deletedShort),
      deletedToasted: traces(after, deletedToasted),
      editedOld: traces(after, editedOld),
    }).toEqual({ deletedLong: [], deletedShort: [], deletedToasted: [], editedOld: [] });
    const sqlite = database().sqlite;
    if (sqlite) {
      expect({
        deletedLong: searchIndexRows(deletedLong),
        deletedShort: searchIndexRows(deletedShort),
        deletedToasted: searchIndexRows(deletedToasted),
        editedOld: searchIndexRows(editedOld),
        editedNew: searchIndexRows(editedNew),
      }).toEqual({ deletedLong: 0, deletedShort: 0, deletedToasted: 0, editedOld: 0, editedNew: 1 });
      // FTS5's check that its index is sound after the deletes ('integrity-check' throws when not).
      sqlite.exec(`insert into messages_search (messages_search) values ('integrity-check')`);
    } else {
      // VACUUM FULL rebuilt it from the live rows: still there, still valid.
      expect(await trigramIndexValid()).toBe(true);
    }
    // What stays is still there, and readable.
    expect(traces(after, editedNew).length).toBeGreaterThan(0);
    const history = await requestOk(sue, 'history', { conversation: 'group:staff', limit: 200 });
    expect(history.messages.filter((m) => m.message.startsWith('stays'))).toHaveLength(20);
    expect(history.messages.find((m) => m.id === c.id)?.message).toBe(editedNew);
  });
});
