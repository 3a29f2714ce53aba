import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';

/**
 * Outgoing webhooks (docs/architecture.md, "Outgoing webhooks"):
 * - `webhooks`: one row per registered receiver. `cursor` is the last message id the
 *   dispatcher has looked at for it: messages above it are still to be queued. `conversations`
 *   holds storage keys (JSON array), so a channel rename keeps the filter; null means every
 *   conversation but DMs. `secret` is kept as is: signing needs it.
 * - `webhook_deliveries`: the durable queue and its history, one row per webhook and message
 *   (unique, so queueing twice is harmless). No message text: each attempt renders the message
 *   as it is then, so a delete or retention leaves no copy here. Deleting a webhook deletes its
 *   deliveries.
 */
export function webhooksMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const primaryKey = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity();
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('webhooks')
        .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', primaryKey)
        .addColumn('url', 'text', (col) => col.notNull())
        // Space-separated event names ('message').
        .addColumn('events', 'text', (col) => col.notNull())
        .addColumn('conversations', 'text')
        .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('secret', 'text', (col) => col.notNull())
        .addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1))
        .addColumn('cursor', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('created_by', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addColumn('secret_rotated_at', 'bigint')
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        // Random (UUID): the receiver's de-duplication key, unique beyond this database.
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('webhook_id', 'bigint', (col) => col.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event', 'text', (col) => col.notNull())
        // No foreign key: retention may remove the message; the attempt then fails and says so.
        .addColumn('message_id', 'bigint', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'bigint')
        .addUniqueConstraint('webhook_deliveries_once', ['webhook_id', 'event', 'message_id'])
        .execute();
      // The sender's walk: pending rows whose time has come.
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      // The admin page: one webhook's newest deliveries; the prune of old ones.
      await db.schema.createIndex('webhook_deliveries_by_webhook').on('webhook_deliveries').columns(['webhook_id', 'created_at']).execute();
      await db.schema.createIndex('webhook_deliveries_created').on('webhook_deliveries').columns(['created_at']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('webhook_deliveries').execute();
      await db.schema.dropTable('webhooks').execute();
    },
  };
}
