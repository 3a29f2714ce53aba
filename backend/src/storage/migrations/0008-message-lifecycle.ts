import { type Kysely, type Migration, sql } from 'kysely';

/**
 * A message's whole life (docs/architecture.md, "Changes in the stream"):
 * - messages get `rev` (the stream position of their latest change: edit, delete, reaction;
 *   null until the first), `edited_at`, `deleted_at` (a tombstone: body '' and mentions null)
 *   and `reply_to` (the id answered). `rev` comes from the same counter as ids, so one number
 *   orders new messages and changes together; sync scans `rev` with partial indexes that hold
 *   only changed rows, so they stay small and unchanged messages cost nothing;
 * - reactions, one row per (message, person, emoji), removed with the message's text;
 * - read marks get the same `rev` (for read receipts in the stream) and the audience / peer that
 *   say who may see them, as messages have;
 * - per-conversation retention overrides.
 */
export function messageLifecycleMigration(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      for (const column of ['rev', 'edited_at', 'deleted_at', 'reply_to']) {
        await db.schema.alterTable('messages').addColumn(column, 'bigint').execute();
      }
      // Partial: only changed messages are in them. Three, like the id scans of sync: by audience,
      // by sender, by recipient.
      for (const [name, column] of [
        ['messages_audience_rev', 'audience'],
        ['messages_sender_rev', 'sender_id'],
        ['messages_recipient_rev', 'recipient_id'],
      ] as const) {
        await db.schema.createIndex(name).on('messages').columns([column, 'rev']).where(sql.ref('rev'), 'is not', null).execute();
      }
      // Retention walks by time; export walks by time within a conversation too.
      await db.schema.createIndex('messages_sent_at').on('messages').columns(['sent_at']).execute();
      await db.schema.createIndex('messages_reply_to').on('messages').columns(['reply_to']).where(sql.ref('reply_to'), 'is not', null).execute();

      await db.schema
        .createTable('message_reactions')
        .addColumn('message_id', 'bigint', (col) => col.notNull().references('messages.id').onDelete('cascade'))
        .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
        /** Copied, as messages copy sender names: a reaction reads the same after a rename. */
        .addColumn('username', 'text', (col) => col.notNull())
        .addColumn('emoji', 'text', (col) => col.notNull())
        .addColumn('reacted_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('message_reactions_pk', ['message_id', 'user_id', 'emoji'])
        .execute();

      for (const column of ['rev', 'peer_id']) {
        await db.schema.alterTable('read_marks').addColumn(column, 'bigint').execute();
      }
      await db.schema.alterTable('read_marks').addColumn('audience', 'text').execute();
      for (const [name, column] of [
        ['read_marks_audience_rev', 'audience'],
        ['read_marks_peer_rev', 'peer_id'],
        ['read_marks_user_rev', 'user_id'],
      ] as const) {
        await db.schema.createIndex(name).on('read_marks').columns([column, 'rev']).where(sql.ref('rev'), 'is not', null).execute();
      }

      await db.schema
        .createTable('retention_overrides')
        /** The storage key, as in messages.conversation. */
        .addColumn('conversation', 'text', (col) => col.primaryKey())
        /** 0: kept forever. */
        .addColumn('days', 'integer', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_by', 'text', (col) => col.notNull())
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('retention_overrides').execute();
      for (const name of ['read_marks_audience_rev', 'read_marks_peer_rev', 'read_marks_user_rev']) {
        await db.schema.dropIndex(name).execute();
      }
      for (const column of ['audience', 'peer_id', 'rev']) await db.schema.alterTable('read_marks').dropColumn(column).execute();
      await db.schema.dropTable('message_reactions').execute();
      for (const name of ['messages_reply_to', 'messages_sent_at', 'messages_recipient_rev', 'messages_sender_rev', 'messages_audience_rev']) {
        await db.schema.dropIndex(name).execute();
      }
      for (const column of ['reply_to', 'deleted_at', 'edited_at', 'rev']) await db.schema.alterTable('messages').dropColumn(column).execute();
    },
  };
}
