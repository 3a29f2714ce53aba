import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Incoming webhooks (docs/architecture.md, "Incoming webhooks"): a secret URL that posts as one
 * bot (`bot_user_id`) into one conversation (`conversation`, the wire conversation id, resolved
 * again at every post so the permission table and channel membership apply then). Only the
 * SHA-256 of the token is kept (`token_hash`); `revoked_at` ends it for good, the row stays so
 * the admin list and the audit log still say what it was.
 */
export function incomingWebhooksMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const idColumn = dialect === 'sqlite' ? 'integer' : 'bigint';
  return {
    // Kysely's Migration API takes Kysely<any>: migrations must not depend on today's schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('incoming_webhooks')
        .addColumn('id', idColumn, (col) => (dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity()))
        .addColumn('name', 'text', (col) => col.notNull().defaultTo(sql`''`))
        .addColumn('bot_user_id', idColumn, (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('conversation', 'text', (col) => col.notNull())
        .addColumn('token_hash', 'text', (col) => col.notNull().unique())
        .addColumn('created_by', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('incoming_webhooks').execute();
    },
  };
}
