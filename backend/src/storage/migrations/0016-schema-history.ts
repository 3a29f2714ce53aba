import type { Kysely, Migration } from 'kysely';

/**
 * `schema_history`: one row per start that applied migrations, naming the Parley version and
 * the last migration it left the database at. Kysely's own table says which migrations ran but
 * not which release ran them; this is what lets an older Parley, refusing the database, say
 * which version upgraded it (docs/upgrading.md).
 */
export function schemaHistoryMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('schema_history')
        .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', (col) =>
          dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity(),
        )
        .addColumn('parley_version', 'text', (col) => col.notNull())
        .addColumn('schema', 'text', (col) => col.notNull())
        .addColumn('migrated_at', 'bigint', (col) => col.notNull())
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('schema_history').execute();
    },
  };
}
