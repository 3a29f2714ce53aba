import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';

/**
 * What admins did, kept in the database with the messages (same backups, same durability).
 * The actor's name is copied, not only referenced: an entry must still read right after the
 * account is renamed or gone. No foreign key, for the same reason.
 */
export function auditLogMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const primaryKey = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity();
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', primaryKey)
        .addColumn('at', 'bigint', (col) => col.notNull())
        /** null: Parley itself (start-up), not a person. */
        .addColumn('actor_id', 'bigint')
        .addColumn('actor_username', 'text', (col) => col.notNull())
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('target', 'text')
        /** JSON object; never a password, token or message text. */
        .addColumn('details', 'text', (col) => col.notNull())
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('audit_log_action_id').on('audit_log').columns(['action', 'id']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('audit_log').execute();
    },
  };
}
