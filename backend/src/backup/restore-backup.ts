import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import * as tar from 'tar';
import { ADMIN_APPLICATION_NAME, migrationProvider, openDatabase, type DialectName } from '../storage/database.service';
import type { Database } from '../storage/database.types';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  ENTRY_PATH,
  hashFile,
  MANIFEST_PATH,
  manifestSchema,
  SQLITE_ENTRY,
  type BackupManifest,
  type BackupProblem,
} from './backup-format';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, PARLEY_FUNCTIONS, PARLEY_TABLES, postgresTables, type PostgresTable } from './postgres-tables';

/** Where a restore writes: the settings the server would start with. */
export type RestoreTarget =
  | { dialect: 'sqlite'; sqlitePath: string; filesDir: string }
  | { dialect: 'postgres'; postgresUrl: string; schema: string; filesDir: string };

export interface RestoreOptions {
  /** Replace what the target holds (Parley's tables, database file and files folder only). */
  force?: boolean;
  /**
   * Called once the new database and files are in place, just before the restore commits to
   * them (the PostgreSQL transaction commits; the set-aside copies are deleted). An error thrown
   * here rolls the restore back like any other: the tests use it to fail a restore at its last step.
   */
  beforeCommit?: () => void | Promise<void>;
}

/**
 * How an error from unpacking an archive is reported: the archive's fault ('damaged': node-tar's
 * TAR_* codes, zlib's Z_* codes, an unexpected end of file, anything without a system error code)
 * or the machine's ('failed': a full or read-only disk, no permission, an I/O error, with the
 * system's own reason). A backup must not be called damaged because the disk is full.
 */
export function extractProblem(error: unknown): BackupProblem {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return 'damaged';
  if (/^(TAR_|Z_)/.test(code)) return 'damaged';
  // System errors (errno names): ENOSPC, EACCES, EPERM, EROFS, EDQUOT, EIO, EISDIR, EMFILE, ...
  return /^E[A-Z0-9]+$/.test(code) ? 'failed' : 'damaged';
}

export interface RestoreResult {
  manifest: BackupManifest;
  seconds: number;
}

/**
 * Checks a backup through and through: the `<file>.sha256` beside it when there is one, then
 * every entry against the manifest's size and SHA-256, with nothing missing and nothing more,
 * and the database entries its kind needs (with `dialect`, that kind's), unpacking it into
 * `into` (a folder of the caller's, never the target). Answers the manifest;
 * throws BackupError('damaged' | 'incompatible') otherwise.
 */
export async function verifyBackup(file: string, into: string, dialect?: DialectName): Promise<BackupManifest> {
  const path = resolve(file);
  if (!existsSync(path)) throw new BackupError('failed', `No backup at ${path}`);
  const sidecar = `${path}.sha256`;
  if (existsSync(sidecar)) {
    const expected = /^([0-9a-f]{64})\s/.exec(await readFile(sidecar, 'utf8'))?.[1];
    const actual = (await hashFile(path)).sha256;
    if (expected !== actual) throw new BackupError('damaged', `${path} is damaged: its SHA-256 is ${actual}, ${basename(sidecar)} says ${expected ?? 'nothing readable'}`);
  }
  // In archive order (the first must be the manifest); a set beside it for the look-ups.
  const seen: string[] = [];
  const seenSet = new Set<string>();
  const odd: string[] = [];
  try {
    await tar.extract({
      file: path,
      cwd: into,
      strict: true,
      // Read 64 KB at a time, not node-tar's 16 MB: a 16 MB gzip read of JSON lines inflates to
      // hundreds of MB at once, all held in memory until written.
      maxReadSize: 64 * 1024,
      // Only regular files at paths a backup makes are written; anything else marks the archive as not ours.
      filter: (entryPath, entry) => {
        const ok = ENTRY_PATH.test(entryPath) && 'type' in entry && entry.type === 'File' && !seenSet.has(entryPath);
        seen.push(entryPath);
        seenSet.add(entryPath);
        if (!ok) odd.push(entryPath);
        return ok;
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (extractProblem(error) === 'failed') throw new BackupError('failed', `Could not unpack ${path} into ${into}: ${reason}`);
    throw new BackupError('damaged', `${path} is damaged or no Parley backup: ${reason}`);
  }
  if (seen[0] !== MANIFEST_PATH) throw new BackupError('damaged', `${path} is no Parley backup: its first entry is ${seen[0] ?? 'missing'}, not ${MANIFEST_PATH}`);
  if (odd.length > 0) throw new BackupError('damaged', `${path} holds entries no Parley backup has: ${odd.slice(0, 3).join(', ')}`);
  let manifest: BackupManifest;
  try {
    const parsed = manifestSchema.parse(JSON.parse(await readFile(join(into, MANIFEST_PATH), 'utf8')));
    manifest = parsed as BackupManifest;
  } catch (error) {
    throw new BackupError('damaged', `${path} has an unreadable manifest: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BackupError('incompatible', `${path} is format version ${manifest.formatVersion} (Parley ${manifest.parleyVersion}); this Parley reads version ${BACKUP_FORMAT_VERSION}: restore it with a newer Parley`);
  }
  const listed = new Set(manifest.entries.map((entry) => entry.path));
  const extra = seen.filter((entryPath) => entryPath !== MANIFEST_PATH && !listed.has(entryPath));
  if (extra.length > 0 || listed.size !== manifest.entries.length) throw new BackupError('damaged', `${path} does not match its manifest: ${extra.length > 0 ? `unlisted ${extra[0]}` : 'an entry is listed twice'}`);
  for (const entry of manifest.entries) {
    if (!seenSet.has(entry.path)) throw new BackupError('damaged', `${path} is damaged or truncated: ${entry.path} is missing`);
    const actual = await hashFile(join(into, entry.path));
    if (actual.size !== entry.size || actual.sha256 !== entry.sha256) {
      throw new BackupError('damaged', `${path} is damaged: ${entry.path} has ${actual.size} bytes with SHA-256 ${actual.sha256}, the manifest says ${entry.size} bytes with ${entry.sha256}`);
    }
  }
  // The other kind of database is named as such, before its entries are judged by this kind's needs.
  if (dialect) checkCompatible(manifest, dialect);
  // A manifest may be consistent with an archive that lacks the database itself: refused here,
  // before a --force restore has set anything aside.
  const required = manifest.dialect === 'sqlite' ? [SQLITE_ENTRY] : REQUIRED_POSTGRES_TABLES.map((table) => `database/${table}.jsonl`);
  const absent = required.filter((entryPath) => !listed.has(entryPath));
  if (absent.length > 0) throw new BackupError('damaged', `${path} is incomplete: it has no ${absent.join(', ')}`);
  return manifest;
}

/** Tables every Parley schema has had since its first migration: a PostgreSQL backup without them is incomplete. */
const REQUIRED_POSTGRES_TABLES = [MIGRATION_TABLE, 'users', 'sessions', 'messages'];

/**
 * Restores a verified backup into an empty target (or, with `force`, over what is there):
 * SQLite by putting the file and the file copies in place; PostgreSQL by migrating the schema
 * to exactly the backup's version and inserting every row, in one transaction. Nothing in the
 * target is touched until the whole archive has been verified. The server, started afterwards,
 * migrates the restored database to its own version as on any upgrade.
 */
export async function restoreBackup(file: string, target: RestoreTarget, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = Date.now();
  const force = options.force ?? false;
  if (!force) await refuseNonEmpty(target);
  // SQLite: beside the database, so moving the verified file into place is a rename.
  // PostgreSQL: beside the backup, on a disk the administrator chose for backups, not in the
  // (often small, often RAM-backed) system temp folder, as the unpacked tables can be large.
  const parent = target.dialect === 'sqlite' ? dirname(resolve(target.sqlitePath)) : dirname(resolve(file));
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(join(parent, '.parley-restore-'));
  try {
    const manifest = await verifyBackup(file, staging, target.dialect);
    if (target.dialect === 'sqlite') await restoreSqlite(manifest, staging, target, options);
    else await restorePostgres(manifest, staging, target, options);
    return { manifest, seconds: (Date.now() - started) / 1000 };
  } finally {
    await removeStaging(staging);
  }
}

/**
 * Cleans up the staging folder without hiding why a restore stopped: node-tar may still be
 * closing a file it was writing when the archive turned out to be cut short (retried then).
 */
async function removeStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }).catch(() => undefined);
}

function checkCompatible(manifest: BackupManifest, dialect: DialectName): void {
  if (manifest.dialect !== dialect) {
    throw new BackupError('incompatible', `This backup is of a ${manifest.dialect} database and the target is ${dialect}; restore it into ${manifest.dialect} (moving between the two is not supported)`);
  }
}

/** Names of the migrations this code has, in order. */
async function knownMigrations(dialect: DialectName): Promise<string[]> {
  return Object.keys(await migrationProvider(dialect).getMigrations()).sort();
}

async function checkSchemaKnown(manifest: BackupManifest, dialect: DialectName): Promise<void> {
  const known = await knownMigrations(dialect);
  const unknown = manifest.migrations.filter((name) => !known.includes(name));
  if (unknown.length > 0 || !known.includes(manifest.schema)) {
    throw new BackupError('incompatible', `This backup's schema is ${manifest.schema}, newer than this Parley knows (its latest is ${known[known.length - 1]}): restore it with the Parley version that made it (${manifest.parleyVersion}) or a newer one`);
  }
}

async function refuseNonEmpty(target: RestoreTarget): Promise<void> {
  const notEmpty = (what: string) => new BackupError('target-not-empty', `${what}; restore refuses to replace data (add --force to replace it)`);
  if (target.dialect === 'sqlite') {
    const db = resolve(target.sqlitePath);
    for (const path of [db, `${db}-wal`]) if (existsSync(path)) throw notEmpty(`${path} exists`);
  } else {
    const { db } = openDatabase({ sqlitePath: '', postgresUrl: target.postgresUrl, postgresSchema: target.schema, applicationName: ADMIN_APPLICATION_NAME });
    try {
      // Only Parley's own tables count: the schema may be shared (`public` by default) with others'.
      const present = await parleyTablesIn(db, target.schema);
      if (present.length > 0) throw notEmpty(`PostgreSQL schema ${target.schema} has ${present.length} Parley tables`);
    } finally {
      await db.destroy();
    }
  }
  if (await holdsFiles(target.filesDir)) throw notEmpty(`${resolve(target.filesDir)} holds files`);
}

/** Whether a files folder holds anything but the empty `tmp` folder a server makes at start. */
async function holdsFiles(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (entry !== 'tmp') return true;
    if ((await readdir(join(dir, entry)).catch(() => [])).length > 0) return true;
  }
  return false;
}

async function restoreSqlite(manifest: BackupManifest, staging: string, target: Extract<RestoreTarget, { dialect: 'sqlite' }>, options: RestoreOptions): Promise<void> {
  await checkSchemaKnown(manifest, 'sqlite');
  const db = resolve(target.sqlitePath);
  const filesDir = resolve(target.filesDir);
  const aside = new SetAside();
  try {
    if (options.force) {
      // Set aside, not deleted: a restore that fails from here on puts them back.
      for (const suffix of ['', '-wal', '-shm', '-journal']) await aside.move(`${db}${suffix}`);
      await aside.move(filesDir);
    }
    await moveFiles(manifest, staging, filesDir);
    // The database last: a restore cut short leaves no database that lacks its files.
    await chmod(join(staging, SQLITE_ENTRY), 0o600);
    await rename(join(staging, SQLITE_ENTRY), db);
    await options.beforeCommit?.();
  } catch (error) {
    await aside.putBack([db, filesDir]);
    throw error;
  }
  await aside.discard();
}

/**
 * --force's old database files and files folder, renamed to `<name>.before-restore-<time>` beside
 * themselves (same folder, so a rename, never a copy) until the restore has succeeded: then they
 * are deleted; if it fails, the new ones are removed and the old ones renamed back.
 */
class SetAside {
  private readonly moved: Array<{ from: string; to: string }> = [];
  private readonly stamp = new Date().toISOString().replace(/[:.]/g, '');

  async move(path: string): Promise<void> {
    if (!(await lstat(path).then(() => true, () => false))) return;
    const to = `${path}.before-restore-${this.stamp}`;
    await rename(path, to);
    this.moved.push({ from: path, to });
  }

  /** Removes what the failed restore put at `written` (those that were set aside, or all when forced) and renames the old ones back. */
  async putBack(written: readonly string[]): Promise<void> {
    if (this.moved.length === 0) return;
    const problems: string[] = [];
    for (const path of written) await rm(path, { recursive: true, force: true }).catch((error: Error) => problems.push(error.message));
    for (const { from, to } of this.moved.reverse()) {
      await rm(from, { recursive: true, force: true }).catch(() => undefined);
      await rename(to, from).catch((error: Error) => problems.push(`${to} could not be moved back to ${from}: ${error.message}`));
    }
    // The restore's own error is what the caller reports; one here only adds where the old data is.
    if (problems.length > 0) throw new BackupError('failed', `The restore failed, and putting the old data back failed too (it is still in the .before-restore-${this.stamp} copies): ${problems.join('; ')}`);
  }

  async discard(): Promise<void> {
    for (const { to } of this.moved) await rm(to, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Puts the backup's file copies in place, private as FileStore keeps them. */
async function moveFiles(manifest: BackupManifest, staging: string, filesDir: string): Promise<void> {
  await mkdir(filesDir, { recursive: true, mode: 0o700 });
  for (const entry of manifest.entries) {
    if (!entry.path.startsWith('files/')) continue;
    const relative = entry.path.slice('files/'.length);
    const to = join(filesDir, relative);
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    const from = join(staging, entry.path);
    await chmod(from, 0o600);
    await rename(from, to).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EXDEV') throw error;
      await copyFile(from, to);
    });
  }
}

/** Rows per INSERT, or fewer when their JSON reaches BATCH_BYTES (wide rows: long messages, big json). */
const BATCH_ROWS = 5000;
/** About 16 MB of JSON per INSERT parameter, whatever the rows' size. */
const BATCH_BYTES = 16 * 1024 * 1024;

/** Which of Parley's tables `schema` holds (any other table there is someone else's). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the catalogue, not Database's tables
async function parleyTablesIn(db: Kysely<any>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(db);
  return rows.map((row) => row.name).filter((name) => PARLEY_TABLES.has(name));
}

/**
 * --force on PostgreSQL: drops Parley's tables (with CASCADE, for their sequences, indexes and
 * foreign keys; a view of someone else's on one goes too) and its function, never the schema: the
 * default schema `public` holds other applications' objects and the pg_trgm and unaccent
 * extensions. In the restore's transaction, so a failed restore drops nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables named at run time
async function dropParleyObjects(db: Kysely<any>, schema: string): Promise<void> {
  for (const table of await parleyTablesIn(db, schema)) await sql`drop table if exists ${sql.id(schema, table)} cascade`.execute(db);
  for (const fn of PARLEY_FUNCTIONS) await sql`drop function if exists ${sql.id(schema)}.${sql.raw(fn)}`.execute(db);
}

async function restorePostgres(manifest: BackupManifest, staging: string, target: Extract<RestoreTarget, { dialect: 'postgres' }>, options: RestoreOptions): Promise<void> {
  await checkSchemaKnown(manifest, 'postgres');
  const archived = new Set(manifest.entries.filter((entry) => entry.path.startsWith('database/')).map((entry) => basename(entry.path, '.jsonl')));
  const { db } = openDatabase({ sqlitePath: '', postgresUrl: target.postgresUrl, postgresSchema: target.schema, applicationName: ADMIN_APPLICATION_NAME });
  const filesDir = resolve(target.filesDir);
  const aside = new SetAside();
  try {
    await db.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      try {
        await sql`create schema if not exists ${sql.id(target.schema)}`.execute(connection);
        if (options.force) await dropParleyObjects(connection, target.schema);
        // Inside this transaction (disableTransactions: Kysely would open one of its own).
        const migrator = new Migrator({ db: connection, provider: migrationProvider('postgres'), migrationTableSchema: target.schema, disableTransactions: true });
        const { error, results } = await migrator.migrateTo(manifest.schema);
        const failed = results?.find((result) => result.status === 'Error');
        if (error || failed) throw new Error(`creating the tables (migration ${failed?.migrationName ?? ''}) failed: ${error instanceof Error ? error.message : String(error)}`);
        // Parley's tables as the migrations made them; anything else in the schema is not restored into.
        const tables = (await postgresTables(connection, target.schema)).filter((table) => PARLEY_TABLES.has(table.name));
        const missing = [...archived].filter((name) => !tables.some((table) => table.name === name));
        if (missing.length > 0) throw new BackupError('incompatible', `The backup has tables that schema ${manifest.schema} does not: ${missing.join(', ')}`);
        const absent = tables.filter((table) => table.name !== MIGRATION_LOCK_TABLE && !archived.has(table.name)).map((table) => table.name);
        if (absent.length > 0) throw new BackupError('damaged', `The backup lacks tables that schema ${manifest.schema} has: ${absent.join(', ')}`);
        // Indexes are built once over all the rows rather than row by row. (Search's trigram index
        // is not among them: no migration makes it; the server builds it at its next start.)
        const indexes = await setIndexesAside(connection, target.schema, tables.map((table) => table.name));
        for (const table of tables) {
          if (table.name === MIGRATION_LOCK_TABLE) continue;
          // The migrations just recorded themselves; the backup's rows (with their dates) replace those.
          if (table.name === MIGRATION_TABLE) await sql`delete from ${sql.id(target.schema, MIGRATION_TABLE)}`.execute(connection);
          await insertRows(connection, target.schema, table, join(staging, 'database', `${table.name}.jsonl`));
        }
        await sql`set local maintenance_work_mem = '256MB'`.execute(connection);
        for (const index of indexes) await sql.raw(index.definition).execute(connection);
        await resetSequences(connection, target.schema, tables);
        // Before the commit, the old files set aside: a restore cut short by a disk error rolls
        // back to the old tables and gets the old files back.
        if (options.force) await aside.move(filesDir);
        await moveFiles(manifest, staging, filesDir);
        await options.beforeCommit?.();
        await sql`commit`.execute(connection);
      } catch (error) {
        try {
          await sql`rollback`.execute(connection);
        } finally {
          // Even when the rollback fails too (the connection is gone, and the transaction with it).
          await aside.putBack([filesDir]);
        }
        throw error;
      }
    });
    await aside.discard();
  } finally {
    await db.destroy();
  }
}

/**
 * Drops the tables' indexes that no constraint owns (primary keys, uniques and the foreign keys
 * that need them stay) and returns their definitions, to be created again once the rows are in:
 * inside the restore's transaction, so a failure leaves them as they were. A unique index made
 * again still refuses duplicate rows, failing the restore as the insert would have.
 */
export async function setIndexesAside(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables named at run time
  db: Kysely<any>,
  schema: string,
  tables: string[],
): Promise<Array<{ name: string; definition: string }>> {
  const { rows } = await sql<{ name: string; definition: string }>`
    select i.relname as name, pg_get_indexdef(i.oid) as definition
      from pg_catalog.pg_index x
      join pg_catalog.pg_class i on i.oid = x.indexrelid
      join pg_catalog.pg_class t on t.oid = x.indrelid
      join pg_catalog.pg_namespace n on n.oid = t.relnamespace
     where n.nspname = ${schema} and t.relname = any(${tables}::text[])
       and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = i.oid)
     order by i.relname`.execute(db);
  for (const index of rows) await sql`drop index ${sql.id(schema, index.name)}`.execute(db);
  return rows;
}

/** A table's JSON lines (exportTable's) into the same table, in batches, in the caller's transaction. */
export async function insertRows(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows of any table, named at run time
  db: Kysely<any>,
  schema: string,
  table: Pick<PostgresTable, 'name' | 'columns' | 'types'>,
  file: string,
  /** Batch limits; the defaults but in tests. */
  limits: { rows: number; bytes: number } = { rows: BATCH_ROWS, bytes: BATCH_BYTES },
): Promise<number> {
  const { columns } = table;
  const list = sql.join(columns.map((column) => sql.id(column)));
  // Every value arrives as text (json_to_recordset with text columns unescapes JSON strings) and
  // is cast to its column's declared type: PostgreSQL's own input function reads back exactly
  // what its output function wrote (bigint, bytea, json as written, timestamps, arrays).
  const asText = sql.join(columns.map((column) => sql`${sql.id(column)} text`));
  const cast = sql.join(columns.map((column, i) => sql`${sql.id(column)}::${sql.raw(table.types[i])}`));
  let batch: string[] = [];
  let batchBytes = 0;
  let inserts = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    inserts += 1;
    // The batch as one JSON parameter, where a VALUES list would need rows × columns of them.
    await sql`insert into ${sql.id(schema, table.name)} (${list}) overriding system value
      select ${cast} from json_to_recordset(${`[${batch.join(',')}]`}::json) as backup(${asText})`.execute(db);
    batch = [];
    batchBytes = 0;
  };
  for await (const line of linesOf(file)) {
    if (line.length === 0) continue;
    const row = JSON.parse(line) as Record<string, string | null>;
    const unknown = Object.keys(row).find((column) => !columns.includes(column));
    if (unknown) throw new BackupError('incompatible', `The backup's ${table.name} has a column ${unknown} that this schema does not`);
    batch.push(line);
    batchBytes += line.length + 1; // UTF-16 units, near enough to bytes for a limit
    if (batch.length >= limits.rows || batchBytes >= limits.bytes) await flush();
  }
  await flush();
  return inserts;
}

/**
 * The lines of a file, read as they are consumed. (readline's iterator reads ahead without
 * limit: with inserts slower than the disk, it held a 330 MB table file in memory.)
 */
async function* linesOf(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 })) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  if (rest.length > 0) yield rest;
}

/** Identity and serial columns continue after the restored ids, as they did in the original. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables named at run time
async function resetSequences(db: Kysely<any>, schema: string, tables: ReadonlyArray<{ name: string; columns: string[] }>): Promise<void> {
  for (const table of tables) {
    for (const column of table.columns) {
      const qualified = `"${schema.replace(/"/g, '""')}"."${table.name.replace(/"/g, '""')}"`;
      const { rows } = await sql<{ sequence: string | null }>`select pg_get_serial_sequence(${qualified}, ${column}) as sequence`.execute(db);
      const sequence = rows[0]?.sequence;
      if (!sequence) continue;
      await sql`select setval(${sequence}::regclass, coalesce(max(${sql.id(column)}), 1), max(${sql.id(column)}) is not null) from ${sql.id(schema, table.name)}`.execute(db);
    }
  }
}
