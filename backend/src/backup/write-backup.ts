import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, open, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import * as tar from 'tar';
import type { AppConfig } from '../config/app-config';
import type { Database } from '../storage/database.types';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  hashFile,
  MANIFEST_PATH,
  parleyVersion,
  sidecarText,
  SQLITE_ENTRY,
  type BackupEntry,
  type BackupManifest,
} from './backup-format';
import { MIGRATION_TABLE, PARLEY_TABLES, postgresTables, type PostgresTable } from './postgres-tables';

/** What to back up: the database as the server opens it, and the folder of uploaded files. */
export type BackupSource =
  | { dialect: 'sqlite'; sqlitePath: string; filesDir: string }
  | { dialect: 'postgres'; db: Kysely<Database>; schema: string; filesDir: string };

/**
 * The source for the database a server has open (DatabaseService) and its files folder: what the
 * server passes to writeBackup before it migrates on start.
 */
export function backupSourceFor(database: { dialect: 'sqlite' | 'postgres'; db: Kysely<Database>; location: string }, config: AppConfig): BackupSource {
  return database.dialect === 'sqlite'
    ? { dialect: 'sqlite', sqlitePath: database.location, filesDir: config.filesDir }
    : { dialect: 'postgres', db: database.db, schema: config.values.PARLEY_DATABASE_SCHEMA, filesDir: config.filesDir };
}

export interface BackupResult {
  file: string;
  /** Bytes of the archive. */
  size: number;
  /** SHA-256 of the archive, as in `<file>.sha256`. */
  sha256: string;
  manifest: BackupManifest;
  /** Stored copies the database lists that were not on disk (left out, each one warned about). */
  missingBlobs: string[];
  /** Stored copies whose bytes no longer match their name (kept as they are, each one warned about). */
  damagedBlobs: string[];
  seconds: number;
}

export interface BackupOptions {
  /** Told about each left-out or damaged file copy; the backup goes on. */
  onWarning?: (message: string) => void;
  now?: Date;
}

/** What a database snapshot gave: its entries (already under `staging`) and what the manifest says of it. */
interface Snapshot {
  entries: BackupEntry[];
  migrations: string[];
  counts: BackupManifest['counts'];
  /** The stored copies (file_blobs) as of the snapshot. */
  blobs: string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Writes a consistent backup of a running (or stopped) Parley to `file` (docs/deployment.md,
 * "Backups"): the database as of one moment, then every file copy it lists. Works on the
 * database as it is, never migrating it, so the server can call it before migrating on start.
 * The archive is written as `<file>.<pid>-<random>.partial` (removed if the backup fails) and
 * hard-linked to `<file>` at the end: a crashed backup never looks complete, and of two backups
 * to the same name at once, the second finds the first's and fails instead of replacing it.
 * Refuses to overwrite an existing file.
 */
export async function writeBackup(source: BackupSource, file: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = Date.now();
  const warn = options.onWarning ?? (() => undefined);
  const target = resolve(file);
  if (existsSync(target)) throw new BackupError('failed', `${target} already exists; a backup never overwrites one`);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  // Beside the archive: the file copies are hard-linked into it (same file system, no extra space),
  // so one the janitor removes meanwhile is still there to pack.
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.staging-`));
  let partial: string | null = null;
  try {
    await mkdir(join(staging, 'database'));
    const snapshot = source.dialect === 'sqlite' ? await snapshotSqlite(source.sqlitePath, staging) : await snapshotPostgres(source.db, source.schema, staging, warn);
    const blobs = await stageBlobs(source.filesDir, snapshot.blobs, staging, warn);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      parleyVersion: parleyVersion(),
      dialect: source.dialect,
      schema: snapshot.migrations[snapshot.migrations.length - 1],
      migrations: snapshot.migrations,
      createdAt: (options.now ?? new Date()).toISOString(),
      counts: snapshot.counts,
      entries: [...snapshot.entries, ...blobs.entries],
    };
    await writeFile(join(staging, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    // A name of this run's own: a second backup to the same name at once cannot write into it.
    partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
    await tar.create(
      // portable: no owner names or ids, which mean nothing on the machine restoring. mode: the
      // archive holds every message in the clear, so it is as private as the database.
      { file: partial, cwd: staging, gzip: true, portable: true, strict: true, mode: 0o600 },
      [MANIFEST_PATH, ...manifest.entries.map((entry) => entry.path)],
    );
    await chmod(partial, 0o600);
    await syncFile(partial);
    const { sha256, size } = await hashFile(partial);
    // link, unlike rename, never replaces a file: a backup made meanwhile under this name stays.
    await link(partial, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new BackupError('failed', `${target} appeared while this backup ran (another backup to the same name?); a backup never overwrites one`);
      throw error;
    });
    await unlink(partial);
    partial = null;
    // Only the run that published `target` gets here, so the sidecar's names are its alone.
    await writeFile(`${target}.sha256.partial`, sidecarText(sha256, basename(target)), { mode: 0o600 });
    await rename(`${target}.sha256.partial`, `${target}.sha256`);
    await syncFile(dirname(target));
    return { file: target, size, sha256, manifest, missingBlobs: blobs.missing, damagedBlobs: blobs.damaged, seconds: (Date.now() - started) / 1000 };
  } finally {
    // A failed backup leaves nothing that looks like one, whole or in part.
    if (partial) await rm(partial, { force: true }).catch(() => undefined);
    await rm(staging, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
  }
}

/** Flushes a file (or a folder's entries) to disk: a backup that vanishes on a power cut is none. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * SQLite: the whole file copied by SQLite's online backup in one step, so in one read
 * transaction on a connection of its own: in WAL mode the server's connections keep writing
 * meanwhile (docs/architecture.md, "Backups", why not VACUUM INTO).
 */
async function snapshotSqlite(sqlitePath: string, staging: string): Promise<Snapshot> {
  const path = resolve(sqlitePath);
  if (!existsSync(path)) throw new BackupError('failed', `No database at ${path} (PARLEY_SQLITE_PATH)`);
  const copy = join(staging, SQLITE_ENTRY);
  const live = new SqliteDatabase(path, { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 5000');
    // better-sqlite3 first asks for 0 pages (to learn the total), then for as many as this
    // returns: everything at once, rather than 100 pages per step with the server writing between.
    // Not remainingPages + 1: pages written since the first step would split the copy in two.
    await live.backup(copy, { progress: () => 0x7fffffff });
  } finally {
    live.close();
  }
  const snapshot = new SqliteDatabase(copy);
  try {
    // One self-contained file: no -wal beside it to lose.
    snapshot.pragma('journal_mode = DELETE');
    const hasMigrations = snapshot.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(MIGRATION_TABLE);
    if (!hasMigrations) throw new BackupError('failed', `${path} is not a Parley database (no ${MIGRATION_TABLE} table)`);
    const migrations = (snapshot.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as Array<{ name: string }>).map((row) => row.name);
    const count = (table: string) => (snapshot.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    const counts = { users: count('users'), messages: count('messages'), files: hasTable(snapshot, 'files') ? count('files') : 0 };
    const blobs = hasTable(snapshot, 'file_blobs')
      ? (snapshot.prepare('select sha256 from file_blobs order by sha256').all() as Array<{ sha256: string }>).map((row) => row.sha256)
      : [];
    snapshot.close();
    return { entries: [{ path: SQLITE_ENTRY, ...(await hashFile(copy)) }], migrations, counts, blobs };
  } finally {
    if (snapshot.open) snapshot.close();
  }
}

function hasTable(db: SqliteDatabase.Database, name: string): boolean {
  return db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(name) !== undefined;
}

/**
 * PostgreSQL: Parley's tables (PARLEY_TABLES) read in one REPEATABLE READ READ ONLY transaction (one
 * snapshot; writers are not blocked), each streamed through a cursor into JSON lines. Every value
 * is exported as PostgreSQL's own text form (or null), which its input functions read back
 * exactly: bigint beyond 2^53, bytea, json, timestamps alike.
 */
async function snapshotPostgres(db: Kysely<Database>, schema: string, staging: string, warn: (message: string) => void): Promise<Snapshot> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // The schema may be shared (`public` by default): another application's table is not
      // Parley's to back up, and a restore, which creates only Parley's tables, could not take it.
      const all = await postgresTables(trx, schema);
      const tables = all.filter((table) => PARLEY_TABLES.has(table.name));
      for (const table of all) if (!PARLEY_TABLES.has(table.name)) warn(`Table ${schema}.${table.name} is not Parley's: left out`);
      const names = new Set(tables.map((table) => table.name));
      if (!names.has(MIGRATION_TABLE)) throw new BackupError('failed', `PostgreSQL schema ${schema} holds no Parley database (no ${MIGRATION_TABLE} table)`);
      const entries: BackupEntry[] = [];
      for (const table of tables) entries.push(await exportTable(trx, schema, table, staging));
      const migrations = (await sql<{ name: string }>`select name from ${sql.id(schema, MIGRATION_TABLE)} order by name`.execute(trx)).rows.map((row) => row.name);
      const count = async (table: string) =>
        names.has(table) ? Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.id(schema, table)}`.execute(trx)).rows[0].n) : 0;
      const counts = { users: await count('users'), messages: await count('messages'), files: await count('files') };
      const blobs = names.has('file_blobs')
        ? (await sql<{ sha256: string }>`select sha256 from ${sql.id(schema, 'file_blobs')} order by sha256`.execute(trx)).rows.map((row) => row.sha256)
        : [];
      return { entries, migrations, counts, blobs };
    });
}

/** Rows fetched per round trip: a few hundred KB of JSON, whatever the table's size. */
const FETCH_ROWS = 1000;

/** One table into `database/<table>.jsonl` under `staging`, in the caller's snapshot transaction. */
export async function exportTable(trx: Kysely<Database>, schema: string, table: PostgresTable, staging: string): Promise<BackupEntry> {
  const path = `database/${table.name}.jsonl`;
  const out = createWriteStream(join(staging, path), { mode: 0o600 });
  const hash = createHash('sha256');
  let size = 0;
  const write = (text: string) =>
    new Promise<void>((done, fail) => {
      const bytes = Buffer.from(text, 'utf8');
      hash.update(bytes);
      size += bytes.length;
      out.write(bytes, (error) => (error ? fail(error) : done()));
    });
  const cursor = sql.id(`parley_backup_${table.name}`);
  const columns = sql.join(table.columns.map((column) => sql`${sql.id(column)}::text as ${sql.id(column)}`));
  const order = table.primaryKey.length > 0 ? sql`order by ${sql.join(table.primaryKey.map((column) => sql.id(column)))}` : sql``;
  try {
    await sql`declare ${cursor} no scroll cursor for select ${columns} from ${sql.id(schema, table.name)} ${order}`.execute(trx);
    for (;;) {
      const { rows } = await sql<Record<string, string | null>>`fetch forward ${sql.raw(String(FETCH_ROWS))} from ${cursor}`.execute(trx);
      if (rows.length === 0) break;
      await write(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    }
    await sql`close ${cursor}`.execute(trx);
  } finally {
    await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
  }
  return { path, size, sha256: hash.digest('hex') };
}

/**
 * Every copy the snapshot lists, hard-linked (or, across file systems, copied) into the staging
 * folder and hashed there. A copy gone since the snapshot is left out with a warning; one whose
 * bytes do not match its name is kept as it is, with a warning.
 */
async function stageBlobs(
  filesDir: string,
  blobs: readonly string[],
  staging: string,
  warn: (message: string) => void,
): Promise<{ entries: BackupEntry[]; missing: string[]; damaged: string[] }> {
  const entries: BackupEntry[] = [];
  const missing: string[] = [];
  const damaged: string[] = [];
  for (const sha256 of blobs) {
    // Names come from the database; checked, as a path must never come from data.
    if (!SHA256_HEX.test(sha256)) {
      warn(`file_blobs lists ${JSON.stringify(sha256)}, which is no SHA-256: left out`);
      continue;
    }
    const path = `files/${sha256.slice(0, 2)}/${sha256}`;
    const from = join(filesDir, sha256.slice(0, 2), sha256);
    const to = join(staging, path);
    await mkdir(dirname(to), { recursive: true });
    const stage = async (path: string) =>
      link(path, to).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw error;
        await copyFile(path, to);
      });
    try {
      await stage(from).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        // The files janitor removes a copy by first renaming it to tmp/removing-<sha256>-<random>
        // (FileStore.setAside): one the snapshot still lists may be there, about to go.
        const aside = (await readdir(join(filesDir, 'tmp')).catch(() => [] as string[])).find((name) => name.startsWith(`removing-${sha256}-`));
        if (!aside) throw error;
        await stage(join(filesDir, 'tmp', aside));
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.push(sha256);
      warn(`File copy ${sha256} is listed in the database but not on disk (${from}): left out`);
      continue;
    }
    const stored = await hashFile(to);
    if (stored.sha256 !== sha256) {
      damaged.push(sha256);
      warn(`File copy ${from} does not hold the bytes its name says (SHA-256 ${stored.sha256}): backed up as it is`);
    }
    entries.push({ path, ...stored });
  }
  return { entries, missing, damaged };
}
