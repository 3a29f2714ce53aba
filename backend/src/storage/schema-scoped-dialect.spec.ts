import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Client, Pool } from 'pg';
import { openTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from './testing/test-databases';

/**
 * Kysely's Migrator introspects the database on every start. Its stock PostgreSQL introspector
 * resolves every schema by name, so a schema someone else drops meanwhile failed Parley's start
 * ("schema … does not exist", seen in CI while other runs dropped theirs).
 */
describe('SchemaScopedPostgresDialect', () => {
  let parley: TestDatabase;
  let other: string;
  let admin: Client;

  beforeAll(async () => {
    parley = await openTestDatabase('postgres');
    admin = new Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
  });
  beforeEach(async () => {
    other = `someone_else_${randomBytes(6).toString('hex')}`;
    await admin.query(`create schema ${other}; create table ${other}.t (id serial primary key)`);
  });
  afterEach(() => admin.query(`drop schema if exists ${other} cascade`));
  afterAll(async () => {
    await admin.end();
    await parley.dispose();
  });

  /** Runs `look` in a transaction whose catalogue snapshot still holds `other` after it is dropped. */
  async function whileOtherSchemaIsDropped<T>(db: Kysely<unknown>, look: (trx: Kysely<unknown>) => Promise<T>): Promise<T> {
    return db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`select count(*) from pg_catalog.pg_namespace`.execute(trx);
        await admin.query(`drop schema ${other} cascade`);
        return look(trx);
      });
  }

  it("lists Parley's tables while another schema is dropped mid-query, where Kysely's own introspector fails", async () => {
    const db = parley.database.db as unknown as Kysely<unknown>;
    const tables = await whileOtherSchemaIsDropped(db, (trx) => trx.introspection.getTables({ withInternalKyselyTables: true }));
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['messages', 'users', 'kysely_migration']));
    expect(new Set(tables.map((table) => table.schema))).toEqual(new Set([parley.schema]));

    // The same moment through the stock dialect: the failure this class exists for.
    const pool = new Pool({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${parley.schema}`, max: 1 });
    const stock = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      other = `someone_else_${randomBytes(6).toString('hex')}`;
      await admin.query(`create schema ${other}; create table ${other}.t (id serial primary key)`);
      await expect(whileOtherSchemaIsDropped(stock, (trx) => trx.introspection.getTables())).rejects.toThrow(/does not exist/);
    } finally {
      await stock.destroy();
    }
  });

  it("describes Parley's tables as Kysely's own introspector does", async () => {
    const db = parley.database.db as unknown as Kysely<unknown>;
    const pool = new Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
    const stock = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      for (const withInternalKyselyTables of [false, true]) {
        const expected = (await stock.introspection.getTables({ withInternalKyselyTables })).filter((table) => table.schema === parley.schema);
        const actual = await db.introspection.getTables({ withInternalKyselyTables });
        expect(actual.length).toBeGreaterThan(10);
        expect(actual).toEqual(expected);
      }
      expect((await db.introspection.getSchemas()).map((schema) => schema.name)).toContain(parley.schema);
    } finally {
      await stock.destroy();
    }
  });
});
