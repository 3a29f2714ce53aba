import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';

/**
 * Dialect differences are confined to the id column: SQLite's AUTOINCREMENT guarantees ids
 * are never reused (sync relies on that), PostgreSQL's identity column does the same.
 */
export function initialMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const idColumn = dialect === 'sqlite' ? 'integer' : 'bigint';
  const epochMs = 'bigint';
  const primaryKey = (col: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity();
  return {
    // Kysely's Migration API takes Kysely<any>: migrations must not depend on today's schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', idColumn, primaryKey)
        .addColumn('username', 'text', (col) => col.notNull().unique())
        .addColumn('display_name', 'text', (col) => col.notNull())
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('disabled', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('created_at', epochMs, (col) => col.notNull())
        .addColumn('updated_at', epochMs, (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', idColumn, primaryKey)
        .addColumn('token_hash', 'text', (col) => col.notNull().unique())
        .addColumn('user_id', idColumn, (col) =>
          col.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', epochMs, (col) => col.notNull())
        .addColumn('expires_at', epochMs, (col) => col.notNull())
        .addColumn('revoked_at', epochMs)
        .execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', idColumn, primaryKey)
        .addColumn('client_id', 'text')
        .addColumn('sender_id', idColumn, (col) => col.notNull().references('users.id'))
        .addColumn('sender_username', 'text', (col) => col.notNull())
        .addColumn('sender_role', 'text', (col) => col.notNull())
        .addColumn('sender_socket', 'text', (col) => col.notNull())
        .addColumn('target_kind', 'text', (col) => col.notNull())
        .addColumn('target', 'text', (col) => col.notNull())
        .addColumn('recipient_id', idColumn, (col) => col.references('users.id'))
        .addColumn('conversation', 'text', (col) => col.notNull())
        .addColumn('body', 'text', (col) => col.notNull())
        .addColumn('sent_at', epochMs, (col) => col.notNull())
        .execute();
      // NULL client_ids never conflict (both dialects treat NULLs as distinct).
      await db.schema
        .createIndex('messages_sender_client_id')
        .on('messages')
        .columns(['sender_id', 'client_id'])
        .unique()
        .execute();
      // The three ways a message becomes visible to a user (see MessageRepository.findVisible).
      await db.schema
        .createIndex('messages_conversation_id')
        .on('messages')
        .columns(['conversation', 'id'])
        .execute();
      await db.schema
        .createIndex('messages_sender_id_id')
        .on('messages')
        .columns(['sender_id', 'id'])
        .execute();
      await db.schema
        .createIndex('messages_recipient_id_id')
        .on('messages')
        .columns(['recipient_id', 'id'])
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('messages').execute();
      await db.schema.dropTable('sessions').execute();
      await db.schema.dropTable('users').execute();
    },
  };
}
