import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { sql } from 'kysely';
import { Client } from 'pg';
import { AppConfig } from '../../config/app-config';
import { DatabaseService } from '../database.service';

/** The PostgreSQL that every session and CI run starts on this machine. */
export const TEST_POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// Specs build services directly, outside Nest; keep their start-up chatter out of test output.
Logger.overrideLogger(['fatal']);

export interface TestDatabase {
  database: DatabaseService;
  /** PostgreSQL: the run's schema (Kysely's migration tables live there too). */
  schema?: string;
  /** Where the database's pre-upgrade backups go (a temporary folder, not yet made). */
  backupDir: string;
  /** Drops the PostgreSQL schema or deletes the SQLite folder. */
  dispose(): Promise<void>;
}

/** A migrated, empty database of each supported dialect, isolated from every other run. */
export const TEST_DIALECTS = ['sqlite', 'postgres'] as const;

/** With `migrate: false`, an empty database (and PostgreSQL schema) for a spec that runs migrations itself. */
export async function openTestDatabase(dialect: (typeof TEST_DIALECTS)[number], options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const database = new DatabaseService(
      AppConfig.fromEnv({ PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite') }),
    );
    if (migrate) await database.onModuleInit();
    return {
      database,
      backupDir: join(dir, 'backups'),
      dispose: async () => {
        await database.onApplicationShutdown();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  // Pre-upgrade backups go there: the default, ./data/backups, would be the repository's.
  const backupFolder = mkdtempSync(join(tmpdir(), 'parley-db-backups-'));
  const backupDir = join(backupFolder, 'backups');
  const database = new DatabaseService(
    AppConfig.fromEnv({ PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema, PARLEY_BACKUP_DIR: backupDir }),
  );
  if (migrate) await database.onModuleInit();
  else await sql`create schema if not exists ${sql.id(schema)}`.execute(database.db);
  return {
    database,
    schema,
    backupDir,
    dispose: async () => {
      await database.onApplicationShutdown();
      await dropTestSchema(schema);
      rmSync(backupFolder, { recursive: true, force: true });
    },
  };
}

/**
 * Drops a run's schema on a connection of its own, once whatever used it is closed: dropped
 * while the server's own loops (webhook sender, retention, presence) still ran, the drop once
 * deadlocked with one of them in CI. PostgreSQL may still pick the drop as a deadlock victim
 * against another worker's catalogue work, so it is tried again then.
 */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`drop schema if exists "${schema.replace(/"/g, '""')}" cascade`);
        return;
      } catch (error) {
        const deadlock = (error as { code?: string }).code === '40P01';
        if (!deadlock || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  } finally {
    await client.end();
  }
}
