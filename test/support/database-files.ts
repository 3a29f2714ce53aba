import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sql } from 'kysely';
import { DatabaseService } from '../../backend/src/storage/database.service';
import type { TestServer } from './server';

/**
 * Whether `text` (as UTF-8) is anywhere in the server's database files, as someone with a copy of
 * them would find it: SQLite's main file, its WAL and shared-memory index; PostgreSQL's data files
 * of every table, index and TOAST table in the server's schema. It compacts nothing itself (that is
 * what the tests check), but PostgreSQL first writes its dirty buffers out (CHECKPOINT), so the
 * files show what the database holds rather than an older page. Needs read access to PostgreSQL's
 * data directory (tests run as root beside it).
 */
export async function databaseFilesContain(server: Pick<TestServer, 'app'>, text: string): Promise<boolean> {
  const needle = Buffer.from(text, 'utf8');
  return (await databaseFiles(server)).some((file) => existsSync(file) && readFileSync(file).includes(needle));
}

async function databaseFiles(server: Pick<TestServer, 'app'>): Promise<string[]> {
  const database = server.app.get(DatabaseService);
  if (database.sqlite) {
    const file = database.sqlite.name;
    return [file, `${file}-wal`, `${file}-shm`];
  }
  const db = database.db;
  await sql`checkpoint`.execute(db);
  const { rows: dir } = await sql<{ setting: string }>`select setting from pg_settings where name = 'data_directory'`.execute(db);
  // Tables, their indexes and TOAST tables (and those indexes) of the current schema.
  const { rows } = await sql<{ path: string }>`
    select pg_relation_filepath(c.oid) as path
    from pg_class c
    where c.relfilenode <> 0 and (
      c.relnamespace = current_schema()::regnamespace
      or c.oid in (select reltoastrelid from pg_class where relnamespace = current_schema()::regnamespace)
      or c.oid in (select i.indexrelid from pg_index i join pg_class t on t.oid = i.indrelid
                   where t.oid in (select reltoastrelid from pg_class where relnamespace = current_schema()::regnamespace))
    )`.execute(db);
  return rows.flatMap(({ path }) => {
    const main = join(dir[0].setting, path);
    // A relation over 1 GB continues in main.1, main.2, …
    const segments = existsSync(dirname(main)) ? readdirSync(dirname(main)).filter((name) => name.startsWith(`${basename(main)}.`) && /^\d+$/.test(name.slice(basename(main).length + 1))) : [];
    return [main, ...segments.map((name) => join(dirname(main), name))];
  });
}
