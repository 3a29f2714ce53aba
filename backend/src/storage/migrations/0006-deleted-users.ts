import type { Kysely, Migration } from 'kysely';

/**
 * When an admin deleted the account (null: not deleted). The row itself stays, renamed and
 * disabled, because messages, read marks and the audit log refer to users by id; see
 * docs/architecture.md, "Deleting an account".
 */
export function deletedUsersMigration(): Migration {
  return {
    // Kysely's Migration API takes Kysely<any>: migrations must not depend on today's schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('deleted_at', 'bigint').execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('deleted_at').execute();
    },
  };
}
