import type { Kysely, Migration } from 'kysely';

/**
 * How far each user has read each conversation, kept on the server so unread counts agree on
 * every device of a user (and survive a cleared browser).
 */
export function readMarksMigration(): Migration {
  return {
    // Kysely's Migration API takes Kysely<any>: migrations must not depend on today's schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('read_marks')
        .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('conversation', 'text', (col) => col.notNull())
        .addColumn('last_read_id', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('read_marks_pk', ['user_id', 'conversation'])
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('read_marks').execute();
    },
  };
}
