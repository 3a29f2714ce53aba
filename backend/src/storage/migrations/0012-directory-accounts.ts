import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Accounts from the company directory and single sign-on (docs/architecture.md, "Company
 * directory"):
 * - `source`: 'local' (Parley keeps the password), 'ldap' or 'oidc'; every existing account is local.
 * - `external_id`: who the account is at its source: `ldap:<DN>` or `oidc:<issuer> <sub>`. A
 *   single sign-on account is found by it (a provider's user name may change; its subject
 *   never does); unique, so one person never gets two accounts.
 * - `directory_disabled`: 1 when the directory sync (not an admin) disabled the account, so a
 *   person put back in a group signs in again while an admin's disabling stays.
 */
export function directoryAccountsMigration(): Migration {
  return {
    // Kysely's Migration API takes Kysely<any>: migrations must not depend on today's schema.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('source', 'text', (col) => col.notNull().defaultTo('local')).execute();
      await db.schema.alterTable('users').addColumn('external_id', 'text').execute();
      await db.schema.alterTable('users').addColumn('directory_disabled', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await db.schema
        .createIndex('users_external_id')
        .on('users')
        .column('external_id')
        .unique()
        .where(sql.ref('external_id'), 'is not', null)
        .execute();
      // The sync walks the directory accounts only.
      await db.schema.createIndex('users_source').on('users').columns(['source', 'username']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('users_source').execute();
      await db.schema.dropIndex('users_external_id').execute();
      await db.schema.alterTable('users').dropColumn('directory_disabled').execute();
      await db.schema.alterTable('users').dropColumn('external_id').execute();
      await db.schema.alterTable('users').dropColumn('source').execute();
    },
  };
}
