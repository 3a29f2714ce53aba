import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import * as tar from 'tar';
import { openDatabase } from '../storage/database.service';
import type { Database, NewMessageRow } from '../storage/database.types';
import { FileRepository } from '../storage/file.repository';
import { MessageRepository } from '../storage/message.repository';
import { dropTestSchema, openTestDatabase, TEST_DIALECTS, TEST_POSTGRES_URL, type TestDatabase } from '../storage/testing/test-databases';
import { UserRepository } from '../storage/user.repository';
import { BackupError, type BackupManifest } from './backup-format';
import { MIGRATION_LOCK_TABLE, PARLEY_TABLES, postgresTables } from './postgres-tables';
import { extractProblem, insertRows, restoreBackup, setIndexesAside, verifyBackup, type RestoreTarget } from './restore-backup';
import { backupFileName, backupTimestamp, rotateBackups } from './rotation';
import { exportTable, writeBackup, type BackupSource } from './write-backup';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Beyond 2^53: a JavaScript number would round it; a backup must not. */
const BIG = '9007199254740993';

/** Every row of every table, as text, sorted: two databases with equal dumps hold the same data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- every table, named at run time
async function dump(handle: { db: Kysely<any>; sqlite?: SqliteDatabase.Database | null }, schema?: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const { db, sqlite } = handle;
  if (!sqlite) {
    for (const table of await postgresTables(db, schema!)) {
      if (table.name === MIGRATION_LOCK_TABLE) continue;
      const { rows } = await sql<{ j: string }>`select row_to_json(t)::text as j from ${sql.id(schema!, table.name)} t`.execute(db);
      out[table.name] = rows.map((row) => row.j).sort();
    }
    return out;
  }
  // better-sqlite3 itself, with 64-bit integers as BigInt: Kysely would read them as numbers.
  const tables = sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const rows = sqlite.prepare(`select * from "${name}"`).safeIntegers(true).all() as Array<Record<string, unknown>>;
    out[name] = rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))).sort();
  }
  return out;
}

describe.each(TEST_DIALECTS)('backup and restore on %s', (dialect) => {
  let source: TestDatabase;
  let dir: string;
  let filesDir: string;
  let backupSource: BackupSource;
  const blob = randomBytes(70_000);

  beforeAll(async () => {
    source = await openTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'parley-backup-spec-'));
    filesDir = join(dir, 'files');
    const database = source.database;
    const users = new UserRepository(database);
    const alice = await users.create({ username: 'alice', display_name: 'Alice', role: 'admin', password_hash: 'x', created_at: 1, updated_at: 1 });
    await users.create({ username: 'bob', display_name: 'Bob', role: 'staff', password_hash: null, created_at: 2, updated_at: 2 });
    const message = (body: string): NewMessageRow => ({
      client_id: null,
      sender_id: alice.id,
      sender_username: 'alice',
      sender_role: 'admin',
      sender_socket: 'sock',
      target_kind: 'group',
      target: 'staff',
      recipient_id: null,
      conversation: 'group:staff',
      audience: 'group:staff',
      sent_at: 1000,
      body,
    });
    const [first] = await new MessageRepository(database).insertBatch(Array.from({ length: 250 }, (_, i) => message(`message ${i} — “quoted” 🙂\n`)));
    await sql`update messages set sent_at = ${sql.raw(BIG)} where id = ${first.row.id}`.execute(database.db);
    const hex = sha256(blob);
    mkdirSync(join(filesDir, hex.slice(0, 2)), { recursive: true });
    writeFileSync(join(filesDir, hex.slice(0, 2), hex), blob);
    await new FileRepository(database).insert({ id: 'file-1', sha256: hex, name: 'a.bin', size: blob.length, content_type: 'application/octet-stream', uploader_id: alice.id, created_at: 5, width: null, height: null, thumb_sha256: null, message_id: first.row.id });
    backupSource =
      dialect === 'sqlite'
        ? { dialect, sqlitePath: database.location, filesDir }
        : { dialect, db: database.db, schema: source.schema!, filesDir };
  });
  afterAll(async () => {
    await source.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores every table, row for row, and the stored files', async () => {
    const file = join(dir, 'round-trip.parley-backup');
    const result = await writeBackup(backupSource, file);
    expect(result.manifest).toMatchObject({ format: 'parley-backup', formatVersion: 1, dialect, counts: { users: 2, messages: 250, files: 1 } });
    expect(result.manifest.schema).toBe(result.manifest.migrations[result.manifest.migrations.length - 1]);
    expect(readFileSync(`${file}.sha256`, 'utf8')).toBe(`${sha256(readFileSync(file))}  round-trip.parley-backup\n`);
    expect(existsSync(`${file}.partial`)).toBe(false);

    const restoredDir = mkdtempSync(join(tmpdir(), 'parley-restored-'));
    const schema = `parley_restore_${randomBytes(6).toString('hex')}`;
    const target: RestoreTarget =
      dialect === 'sqlite'
        ? { dialect, sqlitePath: join(restoredDir, 'parley.sqlite'), filesDir: join(restoredDir, 'files') }
        : { dialect, postgresUrl: TEST_POSTGRES_URL, schema, filesDir: join(restoredDir, 'files') };
    // PostgreSQL: one handle on the restored schema; SQLite: opened once the restore has put the file there.
    const restored = dialect === 'postgres' ? openDatabase({ sqlitePath: '', postgresUrl: TEST_POSTGRES_URL, postgresSchema: schema }) : null;
    const open = () => restored ?? openDatabase({ sqlitePath: join(restoredDir, 'parley.sqlite'), postgresSchema: '' });
    const close = async (handle: { db: Kysely<Database> }) => {
      if (!restored) await handle.db.destroy();
    };
    try {
      await restoreBackup(file, target);
      const after = open();
      const original = await dump(source.database, source.schema);
      const copy = await dump(after, schema);
      expect(Object.keys(copy)).toEqual(Object.keys(original));
      expect(copy).toEqual(original);
      expect(original.messages.some((row) => row.includes(BIG))).toBe(true);
      const hex = sha256(blob);
      expect(sha256(readFileSync(join(restoredDir, 'files', hex.slice(0, 2), hex)))).toBe(hex);
      // Ids continue after the restored ones (PostgreSQL's identity sequences were reset).
      const { id } = await after.db.insertInto('users').values({ username: 'carol', display_name: 'Carol', role: 'client', password_hash: null, created_at: 3, updated_at: 3 }).returning('id').executeTakeFirstOrThrow();
      expect(Number(id)).toBeGreaterThan(2);
      if (dialect === 'postgres') {
        // Set aside while the rows went in, then made again: the same indexes as the original's.
        const indexes = async (db: Kysely<Database>, name: string) =>
          (await sql<{ name: string; definition: string }>`select indexname as name, replace(indexdef, ${name}, 'S') as definition from pg_indexes where schemaname = ${name} order by indexname`.execute(db)).rows;
        const made = await indexes(after.db, schema);
        expect(made.length).toBeGreaterThan(15);
        expect(made).toEqual(await indexes(source.database.db, source.schema!));
      }
      await close(after);

      // A second restore into the now full target is refused, and --force replaces it.
      await expect(restoreBackup(file, target)).rejects.toMatchObject({ problem: 'target-not-empty' });
      await restoreBackup(file, target, { force: true });
      const again = open();
      expect(await dump(again, schema)).toEqual(original);
      await close(again);
    } finally {
      if (restored) {
        await restored.db.destroy();
        await dropTestSchema(schema);
      }
      rmSync(restoredDir, { recursive: true, force: true });
    }
  });
});

describe('a damaged or foreign backup is refused, touching nothing', () => {
  let source: TestDatabase;
  let dir: string;
  let good: string;

  beforeAll(async () => {
    source = await openTestDatabase('sqlite');
    await new UserRepository(source.database).create({ username: 'alice', display_name: 'Alice', role: 'admin', password_hash: 'x', created_at: 1, updated_at: 1 });
    dir = mkdtempSync(join(tmpdir(), 'parley-damaged-'));
    // Random bytes do not compress: the middle of the archive is the middle of a file's bytes.
    const blob = randomBytes(200_000);
    const hex = sha256(blob);
    const filesDir = join(dir, 'files');
    mkdirSync(join(filesDir, hex.slice(0, 2)), { recursive: true });
    writeFileSync(join(filesDir, hex.slice(0, 2), hex), blob);
    await new FileRepository(source.database).insert({ id: 'f', sha256: hex, name: 'r.bin', size: blob.length, content_type: 'application/octet-stream', uploader_id: 1, created_at: 1, width: null, height: null, thumb_sha256: null, message_id: null });
    good = join(dir, 'good.parley-backup');
    await writeBackup({ dialect: 'sqlite', sqlitePath: source.database.location, filesDir }, good);
  });
  afterAll(async () => {
    await source.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = () => {
    const into = mkdtempSync(join(tmpdir(), 'parley-target-'));
    return { into, target: { dialect: 'sqlite', sqlitePath: join(into, 'parley.sqlite'), filesDir: join(into, 'files') } as const };
  };

  /** A copy of the good backup, changed by `damage`, with or without its .sha256. */
  const damaged = (name: string, damage: (bytes: Buffer) => Buffer, sidecar: boolean) => {
    const file = join(dir, name);
    writeFileSync(file, damage(readFileSync(good)));
    if (sidecar) writeFileSync(`${file}.sha256`, readFileSync(`${good}.sha256`));
    return file;
  };

  const refused = async (file: string, problem: string, message: RegExp) => {
    const { into, target: where } = target();
    try {
      const error = (await restoreBackup(file, where).then(
        () => null,
        (e: unknown) => e,
      )) as BackupError | null;
      expect(error).toBeInstanceOf(BackupError);
      expect(error).toMatchObject({ problem, message: expect.stringMatching(message) });
      expect(readdirSync(into)).toEqual([]);
    } finally {
      rmSync(into, { recursive: true, force: true });
    }
  };

  const flipMiddle = (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    copy[copy.length >> 1] ^= 0x40;
    return copy;
  };

  it('a flipped byte: by the .sha256 beside it, and by the checksums inside without it', async () => {
    await refused(damaged('flipped.parley-backup', flipMiddle, true), 'damaged', /flipped\.parley-backup is damaged: its SHA-256 is/);
    await refused(damaged('flipped-bare.parley-backup', flipMiddle, false), 'damaged', /damaged/);
  });

  it('a truncated archive', async () => {
    await refused(damaged('truncated.parley-backup', (bytes) => bytes.subarray(0, bytes.length >> 1), false), 'damaged', /damaged or (truncated|no Parley backup)/);
    const file = join(dir, 'empty.parley-backup');
    writeFileSync(file, '');
    truncateSync(file, 0);
    await refused(file, 'damaged', /damaged|no Parley backup/);
  });

  /** The good backup unpacked, `change`d, and packed again as a well-formed archive. */
  const repacked = async (name: string, change: (manifest: BackupManifest, folder: string) => void) => {
    const folder = mkdtempSync(join(tmpdir(), 'parley-repack-'));
    try {
      await tar.extract({ file: good, cwd: folder });
      const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as BackupManifest;
      const paths = manifest.entries.map((entry) => entry.path);
      change(manifest, folder);
      writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
      const file = join(dir, name);
      await tar.create({ file, cwd: folder, gzip: true }, ['manifest.json', ...paths]);
      return file;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };

  it('an entry whose checksum or size is not the manifest’s', async () => {
    await refused(await repacked('sum.parley-backup', (m) => void (m.entries[0].sha256 = '0'.repeat(64))), 'damaged', /database\/parley\.sqlite has \d+ bytes with SHA-256 [0-9a-f]+, the manifest says/);
    await refused(await repacked('size.parley-backup', (m) => void (m.entries[1].size += 1)), 'damaged', /files\/.* has 200000 bytes/);
    await refused(
      await repacked('missing.parley-backup', (m) => void m.entries.push({ path: `files/00/${'0'.repeat(64)}`, size: 1, sha256: '1'.repeat(64) })),
      'damaged',
      /missing/,
    );
  });

  it('an archive without its database, consistent with its manifest: refused before --force touches anything', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'parley-repack-'));
    const { into, target: where } = target();
    try {
      await tar.extract({ file: good, cwd: folder });
      const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as BackupManifest;
      manifest.entries = manifest.entries.filter((entry) => entry.path !== 'database/parley.sqlite');
      writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
      const file = join(dir, 'no-database.parley-backup');
      await tar.create({ file, cwd: folder, gzip: true }, ['manifest.json', ...manifest.entries.map((entry) => entry.path)]);
      writeFileSync(where.sqlitePath, 'old database');
      mkdirSync(join(where.filesDir, 'ab'), { recursive: true });
      writeFileSync(join(where.filesDir, 'ab', 'old'), 'old');
      await expect(restoreBackup(file, where, { force: true })).rejects.toMatchObject({ problem: 'damaged', message: expect.stringMatching(/incomplete: it has no database\/parley\.sqlite/) });
      expect(readFileSync(where.sqlitePath, 'utf8')).toBe('old database');
      expect(readFileSync(join(where.filesDir, 'ab', 'old'), 'utf8')).toBe('old');
    } finally {
      rmSync(folder, { recursive: true, force: true });
      rmSync(into, { recursive: true, force: true });
    }
  });

  it('a newer format or a newer schema than this code knows, or the other kind of database', async () => {
    await refused(await repacked('v2.parley-backup', (m) => void (m.formatVersion = 2)), 'incompatible', /format version 2 .* reads version 1/);
    await refused(
      await repacked('future.parley-backup', (m) => {
        m.migrations.push('9999-from-the-future');
        m.schema = '9999-from-the-future';
      }),
      'incompatible',
      /schema is 9999-from-the-future, newer than this Parley knows \(its latest is 00\d\d-/,
    );
    await refused(await repacked('pg.parley-backup', (m) => void (m.dialect = 'postgres')), 'incompatible', /postgres database and the target is sqlite/);
  });
});

describe('backup names and rotation (--keep)', () => {
  it('puts the UTC time to the minute in {date}', () => {
    expect(backupTimestamp(new Date('2026-12-03T02:00:59.999Z'))).toBe('2026-12-03T0200Z');
    expect(backupFileName('/b/parley-{date}.parley-backup', new Date('2026-12-03T14:07:00Z'))).toBe('/b/parley-2026-12-03T1407Z.parley-backup');
  });

  it('keeps the N newest backups of the pattern with their .sha256, and nothing else is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-rotate-'));
    try {
      const days = ['2026-11-28T0200Z', '2026-11-30T0200Z', '2026-12-01T0200Z', '2026-12-02T0200Z', '2026-12-03T0200Z'];
      for (const day of days) {
        writeFileSync(join(dir, `parley-${day}.parley-backup`), day);
        writeFileSync(join(dir, `parley-${day}.parley-backup.sha256`), day);
      }
      const others = ['parley-manual.parley-backup', 'parley-2026-01-01T0200Z.parley-backup.partial', 'other-2026-01-01T0200Z.parley-backup', 'notes.txt'];
      for (const name of others) writeFileSync(join(dir, name), '');
      const removed = await rotateBackups(join(dir, 'parley-{date}.parley-backup'), 2);
      expect(removed.map((path) => path.slice(dir.length + 1)).sort()).toEqual(days.slice(0, 3).map((day) => `parley-${day}.parley-backup`));
      expect(readdirSync(dir).sort()).toEqual(
        [...others, ...days.slice(3).flatMap((day) => [`parley-${day}.parley-backup`, `parley-${day}.parley-backup.sha256`])].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL values through JSON lines', () => {
  it('bigint, bytea, json, jsonb, timestamps, numerics, booleans, arrays and nulls come back exactly', async () => {
    const db = await openTestDatabase('postgres', { migrate: false });
    const other = `parley_values_${randomBytes(6).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'parley-values-'));
    try {
      const k = db.database.db;
      const create = (schema: string) =>
        sql`create table ${sql.id(schema, 'odd')} (id bigint generated always as identity primary key, big bigint, raw bytea, doc jsonb, plain json,
          at timestamptz, amount numeric, flag boolean, words text[], note text, twice bigint generated always as (big * 2) stored)`.execute(k);
      await create(db.schema!);
      await sql`create schema ${sql.id(other)}`.execute(k);
      await create(other);
      await sql`insert into ${sql.id(db.schema!, 'odd')} (big, raw, doc, plain, at, amount, flag, words, note) values
        (4611686018427387903, '\\x00ff10'::bytea, '{"a": [1, 2.5e300, "é"], "b": null}', '{"keep":  "spacing",  "dup": 1, "dup": 2}',
         '2026-12-03 02:00:00.123456+00', 12345678901234567890.000000000001, true, array['a,b', 'c"d', null], e'line\\nbreak \\u2028 🙂'),
        (-9007199254740993, '', 'null', '[]', null, -0.5, false, '{}', null),
        (null, null, null, null, null, null, null, null, null)`.execute(k);
      await mkdir(join(dir, 'database'), { recursive: true });
      const table = (await postgresTables(k, db.schema!)).find((t) => t.name === 'odd')!;
      expect(table.columns).not.toContain('twice');
      const entry = await k.transaction().execute((trx) => exportTable(trx, db.schema!, table, dir));
      // Batches of at most ~100 bytes of JSON: one row each, the same rows in the end.
      const inserts = await k.transaction().execute((trx) => insertRows(trx, other, table, join(dir, entry.path), { rows: 5000, bytes: 100 }));
      expect(inserts).toBe(3);
      const rows = async (schema: string) =>
        (await sql<{ j: string }>`select row_to_json(t)::text as j from ${sql.id(schema, 'odd')} t order by id`.execute(k)).rows.map((row) => row.j);
      const original = await rows(db.schema!);
      expect(await rows(other)).toEqual(original);
      expect(original[0]).toContain('4611686018427387903');
      expect(original[0]).toContain('"dup": 1, "dup": 2');
    } finally {
      await dropTestSchema(other);
      await db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stored file missing on disk', () => {
  it('is left out with a warning and counted, and the backup is still whole', async () => {
    const source = await openTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'parley-missing-'));
    try {
      const gone = sha256(Buffer.from('deleted by hand'));
      await new FileRepository(source.database).insert({ id: 'g', sha256: gone, name: 'g.txt', size: 15, content_type: 'text/plain', uploader_id: 1, created_at: 1, width: null, height: null, thumb_sha256: null, message_id: null });
      const warnings: string[] = [];
      const file = join(dir, 'missing.parley-backup');
      const result = await writeBackup({ dialect: 'sqlite', sqlitePath: source.database.location, filesDir: join(dir, 'files') }, file, { onWarning: (message) => warnings.push(message) });
      expect(result.missingBlobs).toEqual([gone]);
      expect(warnings).toEqual([expect.stringContaining(`${gone} is listed in the database but not on disk`)]);
      expect(result.manifest.entries.map((entry) => entry.path)).toEqual(['database/parley.sqlite']);
      const into = join(dir, 'restored');
      await expect(restoreBackup(file, { dialect: 'sqlite', sqlitePath: join(into, 'parley.sqlite'), filesDir: join(into, 'files') })).resolves.toMatchObject({ manifest: { counts: { files: 1 } } });
    } finally {
      await source.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL: a schema shared with other applications', () => {
  let source: TestDatabase;
  let dir: string;
  const targets: string[] = [];

  beforeAll(async () => {
    source = await openTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'parley-shared-schema-'));
    await new UserRepository(source.database).create({ username: 'alice', display_name: 'Alice', role: 'admin', password_hash: 'x', created_at: 1, updated_at: 1 });
  });
  afterAll(async () => {
    await source.dispose();
    for (const schema of targets) await dropTestSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh schema of its own, dropped after the suite, with `someone_elses` table (one row) in it. */
  const foreignSchema = async () => {
    const schema = `parley_shared_${randomBytes(6).toString('hex')}`;
    targets.push(schema);
    const k = source.database.db;
    await sql`create schema ${sql.id(schema)}`.execute(k);
    await sql`create table ${sql.id(schema, 'someone_elses')} (id int primary key, note text)`.execute(k);
    await sql`insert into ${sql.id(schema, 'someone_elses')} values (1, 'mine')`.execute(k);
    return schema;
  };
  const foreignRows = async (schema: string) => (await sql<{ note: string }>`select note from ${sql.id(schema, 'someone_elses')}`.execute(source.database.db)).rows;

  it("sets aside only the indexes no constraint owns, and their definitions make them again as they were", async () => {
    const db = source.database.db;
    const schema = source.schema!;
    const all = async () => (await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where schemaname = ${schema} order by indexname`.execute(db)).rows;
    const before = await all();
    const aside = await setIndexesAside(db, schema, [...PARLEY_TABLES]);
    const names = aside.map((index) => index.name);
    // Plain and partial unique indexes go; primary keys and unique constraints stay.
    expect(names).toEqual(expect.arrayContaining(['messages_sender_socket', 'messages_sender_client_id']));
    expect(names).not.toContain('messages_pkey');
    const left = (await all()).map((index) => index.name);
    expect(left).toContain('messages_pkey');
    expect(left.filter((name) => names.includes(name))).toEqual([]);
    expect(left.length + names.length).toBe(before.length);
    for (const index of aside) await sql.raw(index.definition).execute(db);
    expect(await all()).toEqual(before);
  });

  it('PARLEY_TABLES names exactly the tables the migrations create', async () => {
    const names = (await postgresTables(source.database.db, source.schema!)).map((table) => table.name).sort();
    expect(names).toEqual([...PARLEY_TABLES].sort());
  });

  it('a foreign table in the source schema is left out of the backup with a warning, and the backup restores', async () => {
    const k = source.database.db;
    await sql`create table ${sql.id(source.schema!, 'someone_elses')} (id int primary key)`.execute(k);
    try {
      const warnings: string[] = [];
      const file = join(dir, 'with-foreign.parley-backup');
      const result = await writeBackup({ dialect: 'postgres', db: k, schema: source.schema!, filesDir: join(dir, 'no-files') }, file, { onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([`Table ${source.schema}.someone_elses is not Parley's: left out`]);
      expect(result.manifest.entries.map((entry) => entry.path)).not.toContain('database/someone_elses.jsonl');
      const schema = `parley_restore_${randomBytes(6).toString('hex')}`;
      targets.push(schema);
      await expect(restoreBackup(file, { dialect: 'postgres', postgresUrl: TEST_POSTGRES_URL, schema, filesDir: join(dir, 'restored-files') })).resolves.toMatchObject({ manifest: { counts: { users: 1 } } });
    } finally {
      await sql`drop table ${sql.id(source.schema!, 'someone_elses')}`.execute(k);
    }
  });

  it('a foreign table in the target neither makes it non-empty nor goes with --force; only Parley’s objects are replaced', async () => {
    const file = join(dir, 'plain.parley-backup');
    await writeBackup({ dialect: 'postgres', db: source.database.db, schema: source.schema!, filesDir: join(dir, 'no-files') }, file);
    const schema = await foreignSchema();
    const target: RestoreTarget = { dialect: 'postgres', postgresUrl: TEST_POSTGRES_URL, schema, filesDir: join(dir, 'target-files') };
    await restoreBackup(file, target);
    expect(await foreignRows(schema)).toEqual([{ note: 'mine' }]);
    await expect(restoreBackup(file, target)).rejects.toMatchObject({ problem: 'target-not-empty', message: expect.stringMatching(/has \d+ Parley tables/) });
    await sql`insert into ${sql.id(schema, 'users')} (username, display_name, role, password_hash, created_at, updated_at) values ('extra', 'E', 'client', null, 1, 1)`.execute(source.database.db);
    await restoreBackup(file, target, { force: true });
    expect(await foreignRows(schema)).toEqual([{ note: 'mine' }]);
    const usernames = async (from: string) => (await sql<{ username: string }>`select username from ${sql.id(from, 'users')} order by username`.execute(source.database.db)).rows.map((row) => row.username);
    expect(await usernames(schema)).toEqual(await usernames(source.schema!));
    // The extensions migration 0010 installs in public are still there, and parley_fold with them.
    const extensions = await sql<{ extname: string }>`select extname from pg_extension where extname in ('pg_trgm', 'unaccent') order by extname`.execute(source.database.db);
    expect(extensions.rows.map((row) => row.extname)).toEqual(['pg_trgm', 'unaccent']);
    const folded = await sql<{ f: string }>`select ${sql.id(schema)}.parley_fold('Éé') as f`.execute(source.database.db);
    expect(folded.rows[0].f).toBe('ee');
  });

  it('a failed --force restore rolls back the tables and puts the old files back', async () => {
    const file = join(dir, 'rollback.parley-backup');
    await writeBackup({ dialect: 'postgres', db: source.database.db, schema: source.schema!, filesDir: join(dir, 'no-files') }, file);
    const schema = await foreignSchema();
    const filesDir = join(dir, 'rollback-files');
    const target: RestoreTarget = { dialect: 'postgres', postgresUrl: TEST_POSTGRES_URL, schema, filesDir };
    await restoreBackup(file, target);
    await sql`insert into ${sql.id(schema, 'users')} (username, display_name, role, password_hash, created_at, updated_at) values ('kept', 'K', 'client', null, 1, 1)`.execute(source.database.db);
    mkdirSync(join(filesDir, 'ab'), { recursive: true });
    writeFileSync(join(filesDir, 'ab', 'old-copy'), 'old');
    await expect(restoreBackup(file, target, { force: true, beforeCommit: () => Promise.reject(new Error('disk gone')) })).rejects.toThrow('disk gone');
    expect(readFileSync(join(filesDir, 'ab', 'old-copy'), 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((name) => name.includes('before-restore'))).toEqual([]);
    const users = await sql<{ username: string }>`select username from ${sql.id(schema, 'users')}`.execute(source.database.db);
    expect(users.rows.map((row) => row.username)).toContain('kept');
  });
});

describe('a failed --force restore on SQLite', () => {
  it('puts the old database and files back where they were', async () => {
    const source = await openTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'parley-failed-force-'));
    try {
      const file = join(dir, 'b.parley-backup');
      await writeBackup({ dialect: 'sqlite', sqlitePath: source.database.location, filesDir: join(dir, 'no-files') }, file);
      const into = join(dir, 'target');
      mkdirSync(join(into, 'files', 'ab'), { recursive: true });
      writeFileSync(join(into, 'parley.sqlite'), 'old database');
      writeFileSync(join(into, 'parley.sqlite-wal'), 'old wal');
      writeFileSync(join(into, 'files', 'ab', 'old-copy'), 'old');
      const target = { dialect: 'sqlite', sqlitePath: join(into, 'parley.sqlite'), filesDir: join(into, 'files') } as const;
      await expect(restoreBackup(file, target, { force: true, beforeCommit: () => Promise.reject(new Error('disk gone')) })).rejects.toThrow('disk gone');
      expect(readFileSync(join(into, 'parley.sqlite'), 'utf8')).toBe('old database');
      expect(readFileSync(join(into, 'parley.sqlite-wal'), 'utf8')).toBe('old wal');
      expect(readFileSync(join(into, 'files', 'ab', 'old-copy'), 'utf8')).toBe('old');
      expect(readdirSync(into).sort()).toEqual(['files', 'parley.sqlite', 'parley.sqlite-wal']);
      // And a forced restore that succeeds leaves no set-aside copies behind.
      await restoreBackup(file, target, { force: true });
      expect(readdirSync(into).sort()).toEqual(['files', 'parley.sqlite']);
      expect(readdirSync(join(into, 'files'))).toEqual([]);
    } finally {
      await source.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unpacking errors', () => {
  it('the machine’s errors are failures, the archive’s are damage', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT', 'EIO', 'EISDIR']) expect(extractProblem(withCode(code))).toBe('failed');
    for (const code of ['TAR_BAD_ARCHIVE', 'TAR_ENTRY_INVALID', 'TAR_ABORT', 'Z_DATA_ERROR', 'Z_BUF_ERROR']) expect(extractProblem(withCode(code))).toBe('damaged');
    expect(extractProblem(new Error('unexpected end of file'))).toBe('damaged');
    expect(extractProblem('odd')).toBe('damaged');
  });

  it('a backup that cannot be read is a failure with the reason, not damage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-unreadable-'));
    try {
      const into = join(dir, 'into');
      mkdirSync(into);
      // A folder where the file should be: EISDIR, whoever runs the test (root reads any file).
      mkdirSync(join(dir, 'folder.parley-backup'));
      await expect(verifyBackup(join(dir, 'folder.parley-backup'), into)).rejects.toMatchObject({ problem: 'failed', message: expect.stringMatching(/EISDIR/) });
      await expect(verifyBackup(join(dir, 'missing.parley-backup'), into)).rejects.toMatchObject({ problem: 'failed', message: expect.stringMatching(/No backup at/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('two backups to the same name at once', () => {
  it('one is written, the other fails clearly, and neither leaves a .partial', async () => {
    const source = await openTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'parley-same-name-'));
    try {
      const from: BackupSource = { dialect: 'sqlite', sqlitePath: source.database.location, filesDir: join(dir, 'files') };
      const file = join(dir, 'same.parley-backup');
      const results = await Promise.allSettled([writeBackup(from, file), writeBackup(from, file)]);
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')!.reason as BackupError;
      expect(failure).toMatchObject({ problem: 'failed', message: expect.stringMatching(/same\.parley-backup (appeared while this backup ran|already exists)/) });
      // No .partial and no staging folder of either run is left.
      expect(readdirSync(dir).sort()).toEqual(['same.parley-backup', 'same.parley-backup.sha256']);
      const into = join(dir, 'restored');
      await expect(restoreBackup(file, { dialect: 'sqlite', sqlitePath: join(into, 'parley.sqlite'), filesDir: join(into, 'files') })).resolves.toBeDefined();
    } finally {
      await source.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stored file the janitor is removing while the backup runs', () => {
  it('is taken from its set-aside copy (tmp/removing-<sha256>-*)', async () => {
    const source = await openTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'parley-aside-'));
    try {
      const bytes = Buffer.from('being removed');
      const hex = sha256(bytes);
      const filesDir = join(dir, 'files');
      mkdirSync(join(filesDir, 'tmp'), { recursive: true });
      // As FileStore.setAside leaves it: renamed away from files/<xx>/<sha256>, not yet deleted.
      writeFileSync(join(filesDir, 'tmp', `removing-${hex}-0a1b2c3d4e5f`), bytes);
      await new FileRepository(source.database).insert({ id: 'r', sha256: hex, name: 'r.txt', size: bytes.length, content_type: 'text/plain', uploader_id: 1, created_at: 1, width: null, height: null, thumb_sha256: null, message_id: null });
      const result = await writeBackup({ dialect: 'sqlite', sqlitePath: source.database.location, filesDir }, join(dir, 'b.parley-backup'));
      expect(result.missingBlobs).toEqual([]);
      expect(result.manifest.entries.map((entry) => entry.path)).toContain(`files/${hex.slice(0, 2)}/${hex}`);
    } finally {
      await source.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
