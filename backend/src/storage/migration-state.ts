import { type Kysely, sql } from 'kysely';
import type { Database } from './database.types';

export interface AppliedMigration {
  name: string;
  /** When Kysely recorded it (its `timestamp` column), if it did. */
  appliedAt: Date | null;
}

export interface SchemaHistoryEntry {
  parleyVersion: string;
  schema: string;
  migratedAt: number;
}

/** Where a database stands against the migrations this code knows. Read without changing anything. */
export interface MigrationState {
  /** Every migration this Parley has, in order. */
  known: string[];
  /** Those the database records as applied, in order (unknown ones included). */
  applied: AppliedMigration[];
  /** Known but not applied: what the next migrate would run. */
  pending: string[];
  /** Applied but unknown here: a newer Parley migrated this database. */
  unknown: string[];
  /** schema_history, oldest first (empty before migration 0016). */
  history: SchemaHistoryEntry[];
}

/**
 * Reads Kysely's migration table and schema_history, if they exist. `db` may be a single
 * connection (the one holding the PostgreSQL migration lock); on PostgreSQL both tables are
 * looked for in `schema`, where Kysely's Migrator keeps its own (migrationTableSchema).
 */
export async function readMigrationState(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  schema: string | undefined,
  known: readonly string[],
): Promise<MigrationState> {
  const exists = async (table: string) =>
    dialect === 'sqlite'
      ? (await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(db)).rows[0].n > 0
      : (
          await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
            where table_schema = ${schema ?? 'public'} and table_name = ${table}`.execute(db)
        ).rows[0].n > 0;
  const table = (name: string) => (dialect === 'postgres' ? sql.id(schema ?? 'public', name) : sql.id(name));

  const applied: AppliedMigration[] = (await exists('kysely_migration'))
    ? (await sql<{ name: string; timestamp: string | null }>`select name, timestamp from ${table('kysely_migration')} order by name`.execute(db)).rows.map(
        (row) => ({ name: row.name, appliedAt: row.timestamp ? new Date(row.timestamp) : null }),
      )
    : [];
  const history: SchemaHistoryEntry[] = (await exists('schema_history'))
    ? (
        await sql<{ parley_version: string; schema: string; migrated_at: number | string }>`select parley_version, schema, migrated_at
          from ${table('schema_history')} order by id`.execute(db)
      ).rows.map((row) => ({ parleyVersion: row.parley_version, schema: row.schema, migratedAt: Number(row.migrated_at) }))
    : [];
  const appliedNames = new Set(applied.map((migration) => migration.name));
  const knownNames = new Set(known);
  return {
    known: [...known],
    applied,
    pending: known.filter((name) => !appliedNames.has(name)),
    unknown: applied.map((migration) => migration.name).filter((name) => !knownNames.has(name)),
    history,
  };
}

/**
 * The database was migrated by a newer Parley: this one must not touch it. Its schema may have
 * changed in ways this code does not expect, and migrating "back" is not something Kysely's
 * migrations can do safely (docs/architecture.md, "Upgrades and the version guard").
 */
export class NewerDatabaseError extends Error {
  constructor(state: MigrationState, thisVersion: string) {
    const newestSchema = state.applied.at(-1)?.name ?? state.unknown.at(-1) ?? 'unknown';
    const newest = state.history.at(-1);
    // The newest history row names the version that upgraded it, unless an older Parley wrote
    // the last row (impossible today, as it would have refused): then say nothing wrong.
    const upgrader = newest && !state.known.includes(newest.schema) ? `Parley ${newest.parleyVersion}` : null;
    super(
      `This database was upgraded by ${upgrader ?? 'a newer Parley'} (schema ${newestSchema}); ` +
        `this is Parley ${thisVersion} (schema ${state.known.at(-1)}). ` +
        `Run ${upgrader ? `${upgrader} or newer` : 'that newer Parley'}, or restore the backup made before that upgrade (docs/upgrading.md).`,
    );
    this.name = 'NewerDatabaseError';
  }
}
