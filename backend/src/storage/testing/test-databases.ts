import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { sql } from 'kysely';
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
      dispose: async () => {
        await database.onApplicationShutdown();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const database = new DatabaseService(
    AppConfig.fromEnv({ PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema }),
  );
  if (migrate) await database.onModuleInit();
  else await sql`create schema if not exists ${sql.id(schema)}`.execute(database.db);
  return {
    database,
    schema,
    dispose: async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.onApplicationShutdown();
    },
  };
}
