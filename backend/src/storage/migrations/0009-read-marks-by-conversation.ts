import type { Kysely, Migration } from 'kysely';

/**
 * history's read receipts list a conversation's current marks, the most recently moved first;
 * the primary key starts with the user, so without this that is a walk of every mark stored.
 */
export function readMarksByConversationMigration(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('read_marks_conversation').on('read_marks').columns(['conversation', 'updated_at']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('read_marks_conversation').execute();
    },
  };
}
