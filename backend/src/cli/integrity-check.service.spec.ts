import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { AppConfig } from '../config/app-config';
import { migrationProvider } from '../storage/database.service';
import { FileRepository } from '../storage/file.repository';
import { IntegrityRepository } from '../storage/integrity.repository';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from '../storage/testing/test-databases';
import { IntegrityCheckService, type CheckResult } from './integrity-check.service';

const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');

describe.each(TEST_DIALECTS)('npm run admin -- check on %s', (dialect) => {
  let testDb: TestDatabase;
  let filesDir: string;
  let check: IntegrityCheckService;

  beforeEach(async () => {
    testDb = await openTestDatabase(dialect);
    filesDir = mkdtempSync(join(tmpdir(), 'parley-check-files-'));
    check = new IntegrityCheckService(testDb.database, new IntegrityRepository(testDb.database), AppConfig.fromEnv({ PARLEY_FILES_DIR: filesDir }));
  });
  afterEach(async () => {
    await testDb.dispose();
    rmSync(filesDir, { recursive: true, force: true });
  });

  /** A stored upload: its row, its file_blobs row, and its bytes on disk (unless `onDisk` is false). */
  const upload = async (id: string, bytes: string, onDisk = true) => {
    await new FileRepository(testDb.database).insert({ id, sha256: sha(bytes), name: `${id}.txt`, size: bytes.length, content_type: 'text/plain', uploader_id: 1, created_at: 1 });
    if (onDisk) store(sha(bytes), bytes);
    return sha(bytes);
  };
  const store = (name: string, bytes: string) => {
    mkdirSync(join(filesDir, name.slice(0, 2)), { recursive: true });
    writeFileSync(join(filesDir, name.slice(0, 2), name), bytes);
  };
  const byCheck = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.check, result]));

  it('finds nothing wrong with a sound database and its files', async () => {
    await upload('a', 'first file');
    await upload('b', 'second file');
    mkdirSync(join(filesDir, 'tmp'));
    writeFileSync(join(filesDir, 'tmp', 'upload-in-progress'), 'x');
    const results = await check.run({ hash: true });
    expect(results.filter((result) => result.outcome !== 'ok')).toEqual([]);
    expect(byCheck(results).files.details).toMatch(/^2 stored files in .* present, sizes and SHA-256 match$/);
    expect(Object.keys(byCheck(results))).toEqual([
      ...(dialect === 'sqlite' ? ['sqlite integrity_check', 'sqlite foreign_key_check'] : []),
      'migrations',
      'tables',
      'file rows',
      'files',
      'unreferenced files',
    ]);
  });

  it('reports missing, truncated and altered files, rows with no recorded copy, and warns of files no row names', async () => {
    const missing = await upload('missing', 'never written', false);
    const truncated = await upload('truncated', 'the whole text');
    store(truncated, 'the whole');
    const altered = await upload('altered', 'original bytes');
    store(altered, 'Original bytes');
    const stray = sha('left behind');
    store(stray, 'left behind');
    await testDb.database.db.deleteFrom('file_blobs').where('sha256', '=', missing).execute();
    const unrecorded = missing;

    const results = byCheck(await check.run({ hash: true }));
    expect(results['file rows']).toMatchObject({ outcome: 'problem', details: `${unrecorded} has no file_blobs row` });
    expect(results.files.outcome).toBe('problem');
    expect(results.files.details).toContain(`${truncated}: 9 bytes, the database says 14`);
    expect(results.files.details).toContain(`${altered}: its content does not match its name (altered)`);
    expect(results['unreferenced files']).toMatchObject({ outcome: 'warning', details: expect.stringContaining(stray) });

    // A copy gone while its file_blobs row stays.
    const gone = await upload('gone', 'soon gone', false);
    expect(byCheck(await check.run({ hash: true })).files.details).toContain(`${gone}: missing`);
    // --no-hash trusts a copy of the right size.
    expect(byCheck(await check.run({ hash: false })).files.details).not.toContain(altered);
  });

  it('reports pending migrations and leaves the schema alone', async () => {
    const fresh = await openTestDatabase(dialect, { migrate: false });
    try {
      const migrator = new Migrator({ db: fresh.database.db, provider: migrationProvider(dialect), migrationTableSchema: fresh.schema });
      await migrator.migrateTo('0010-search-index');
      const older = new IntegrityCheckService(fresh.database, new IntegrityRepository(fresh.database), AppConfig.fromEnv({ PARLEY_FILES_DIR: filesDir }));
      const results = byCheck(await older.run({ hash: true }));
      expect(results.migrations).toMatchObject({ outcome: 'problem', details: expect.stringMatching(/^6 pending \(0011-files, .*0016-schema-history\)/) });
      expect(results['tables and files'].outcome).toBe('warning');
      expect((await fresh.database.migrationState()).pending).toHaveLength(6);
    } finally {
      await fresh.dispose();
    }
  });
});
