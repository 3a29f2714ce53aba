import type { Kysely, Migration } from 'kysely';

/**
 * Files (docs/architecture.md, "Files"):
 * - `files`: one row per upload, named by a random id. The bytes live outside the database,
 *   content-addressed by SHA-256 (`sha256`, and `thumb_sha256` for an image's preview), so two
 *   uploads of the same bytes share one copy. `message_id` is null until a message carries the
 *   file; a message's removal (retention) removes its rows with it.
 * - `file_blobs`: every stored copy, so the janitor finds those no row refers to any more
 *   without listing the folder.
 * - `messages.attachments`: what the message shows of its files (JSON, contract Attachment[]),
 *   written with the message and never changed, so reading history needs no join.
 */
export function filesMigration(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('sha256', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('size', 'bigint', (col) => col.notNull())
        .addColumn('content_type', 'text', (col) => col.notNull())
        // No foreign key: a file outlives neither its message nor, unattached, a day; an
        // account's removal keeps its messages (and their files) as deleted-user messages.
        .addColumn('uploader_id', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('thumb_sha256', 'text')
        .addColumn('message_id', 'bigint', (col) => col.references('messages.id').onDelete('cascade'))
        .execute();
      await db.schema.createIndex('files_message').on('files').columns(['message_id']).execute();
      // Quota sums and the unattached sweep walk one uploader's rows / the old unattached ones.
      await db.schema.createIndex('files_uploader').on('files').columns(['uploader_id', 'created_at']).execute();
      await db.schema.createIndex('files_sha256').on('files').columns(['sha256']).execute();
      await db.schema.createIndex('files_thumb_sha256').on('files').columns(['thumb_sha256']).execute();
      await db.schema
        .createTable('file_blobs')
        .addColumn('sha256', 'text', (col) => col.primaryKey())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.alterTable('messages').addColumn('attachments', 'text').execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('messages').dropColumn('attachments').execute();
      await db.schema.dropTable('file_blobs').execute();
      await db.schema.dropTable('files').execute();
    },
  };
}
