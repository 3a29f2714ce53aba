import type { Kysely, Migration } from 'kysely';

/**
 * Server-side secrets (the CSRF token key), in the database rather than a file beside it so
 * that every node of a cluster sharing one PostgreSQL reads the same value.
 */
export function serverSecretsMigration(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('server_secrets').execute();
    },
  };
}
