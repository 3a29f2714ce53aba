import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppConfig } from '../config/app-config';
import { DatabaseService, migrationProvider, openDatabase, type SqliteDurability } from './database.service';
import { ServerSecretRepository } from './server-secret.repository';
import { dropTestSchema, openTestDatabase, TEST_DIALECTS, TEST_POSTGRES_URL } from './testing/test-databases';

describe('openDatabase (SQLite durability)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-durability-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // PRAGMA synchronous reads back 2 for FULL and 1 for NORMAL.
  it.each<[SqliteDurability | undefined, number]>([
    [undefined, 2],
    ['full', 2],
    ['survive-process-crash-only', 1],
  ])('durability %s opens WAL with synchronous = %d', async (durability, expected) => {
    const opened = openDatabase({
      sqlitePath: join(dir, `${durability ?? 'default'}.sqlite`),
      sqliteDurability: durability,
      postgresSchema: 'public',
    });
    try {
      expect(opened.sqlite?.pragma('synchronous', { simple: true })).toBe(expected);
      expect(opened.sqlite?.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      await opened.db.destroy();
    }
  });
});

describe('DatabaseService.ping', () => {
  it.each(TEST_DIALECTS)('answers on %s while open and throws once closed', async (dialect) => {
    const { database, dispose } = await openTestDatabase(dialect);
    try {
      await expect(database.ping()).resolves.toBeUndefined();
    } finally {
      await dispose();
    }
    await expect(database.ping()).rejects.toThrow();
  });
});

describe('migrations on PostgreSQL, several nodes starting at once', () => {
  it('migrates a fresh schema once while the other nodes wait, and every node starts', async () => {
    const schema = `parley_test_${randomBytes(6).toString('hex')}`;
    const nodes = Array.from(
      { length: 4 },
      () => new DatabaseService(AppConfig.fromEnv({ PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema })),
    );
    try {
      await Promise.all(nodes.map((node) => node.onModuleInit()));
      const migrations = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(schema, 'kysely_migration')}`.execute(nodes[0].db);
      // Each migration once, however many nodes ran them.
      expect(migrations.rows[0].n).toBe(Object.keys(await migrationProvider('postgres').getMigrations()).length);
      const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = ${schema}`.execute(nodes[0].db);
      expect(tables.rows[0].n).toBeGreaterThanOrEqual(5);
      // Racing nodes agree on one shared secret (the CSRF key): the first insert wins.
      const secrets = await Promise.all(nodes.map((node) => new ServerSecretRepository(node).getOrCreate('csrf-key')));
      expect(new Set(secrets.map((secret) => secret.toString('hex'))).size).toBe(1);
      expect(secrets[0]).toHaveLength(32);
    } finally {
      await Promise.all(nodes.map((node) => node.onApplicationShutdown()));
      await dropTestSchema(schema);
    }
  });
});
