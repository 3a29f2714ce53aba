import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDurability } from './database.service';
import { openTestDatabase, TEST_DIALECTS } from './testing/test-databases';

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
