import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Bots (docs/architecture.md, "Bots and their tokens"):
 * - `users.bot`: 1 for an account an admin made as a bot. A bot is a user row like any other
 *   (role, permission table, recipients, history, roster); it has no password, so nothing but
 *   its token signs it in. Set at creation and never changed.
 * - `messages.sender_bot`: 1 when a bot sent the message, null otherwise (and for every row
 *   stored before this). Kept on the row, as the sender's name and role are, so reading history
 *   needs no join; nullable so the insert of a person's message writes nothing new.
 * - `bot_tokens`: a bot's API tokens, only their SHA-256 (`token_hash`), who made each and when,
 *   when it was last used (to the minute) and when it was revoked. At most one live token per
 *   bot, enforced by a partial unique index, so two rotations at once cannot leave two working.
 */
export function botsMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const idColumn = dialect === 'sqlite' ? 'integer' : 'bigint';
  return {
    // Kysely's Migration API takes Kysely<any>: migrations must not depend on today's schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('bot', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('messages').addColumn('sender_bot', 'integer').execute();
      await db.schema
        .createTable('bot_tokens')
        .addColumn('id', idColumn, (col) => (dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedAlwaysAsIdentity()))
        .addColumn('user_id', idColumn, (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (col) => col.notNull().unique())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('created_by', 'text', (col) => col.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('bot_tokens_live')
        .on('bot_tokens')
        .column('user_id')
        .unique()
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('bot_tokens').execute();
      await db.schema.alterTable('messages').dropColumn('sender_bot').execute();
      await db.schema.alterTable('users').dropColumn('bot').execute();
    },
  };
}
