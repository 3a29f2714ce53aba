import type { Kysely, Migration } from 'kysely';

/**
 * A prototype client replies to `sender`, the socket id a message came from, also after that
 * socket is gone (a replayed message, a reconnect): the server looks the socket up in storage.
 */
export function senderSocketIndexMigration(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('messages_sender_socket').on('messages').column('sender_socket').execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's Migration API
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('messages_sender_socket').execute();
    },
  };
}
