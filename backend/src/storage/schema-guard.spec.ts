import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Migrator, sql } from 'kysely';
import { parleyVersion } from '../common/parley-version';
import { verifyBackup } from '../backup/restore-backup';
import { AppConfig } from '../config/app-config';
import { DatabaseService, knownMigrations, migrateToLatest, migrationProvider, type PendingUpgrade } from './database.service';
import { NewerDatabaseError } from './migration-state';
import { openTestDatabase, TEST_DIALECTS, TEST_POSTGRES_URL, type TestDatabase } from './testing/test-databases';

// The version guard and the pre-upgrade hook (docs/upgrading.md), on both databases.
describe.each(TEST_DIALECTS)('schema guard on %s', (dialect) => {
  let testDb: TestDatabase;
  let latest: string;

  beforeEach(async () => {
    testDb = await openTestDatabase(dialect, { migrate: false });
    latest = (await knownMigrations(dialect)).at(-1)!;
  });
  afterEach(() => testDb.dispose());

  const migrate = (beforeUpgrade?: (upgrade: PendingUpgrade) => Promise<void>) =>
    migrateToLatest(testDb.database.db, dialect, testDb.schema, { beforeUpgrade });
  const history = () => testDb.database.db.selectFrom('schema_history').select(['parley_version', 'schema']).orderBy('id').execute();

  it('migrates a fresh database without the pre-upgrade hook, and records the version that did', async () => {
    const hook = jest.fn(async () => {});
    expect(await migrate(hook)).toEqual(await knownMigrations(dialect));
    expect(hook).not.toHaveBeenCalled();
    expect(await history()).toEqual([{ parley_version: parleyVersion(), schema: latest }]);
    expect(parleyVersion()).toMatch(/^\d+\.\d+\.\d+/);

    // Nothing pending: no hook, no new row.
    expect(await migrate(hook)).toEqual([]);
    expect(hook).not.toHaveBeenCalled();
    expect(await history()).toHaveLength(1);
  });

  it('calls the hook before upgrading an existing database, and a hook that throws stops the upgrade', async () => {
    const migrator = new Migrator({ db: testDb.database.db, provider: migrationProvider(dialect), migrationTableSchema: testDb.schema });
    expect((await migrator.migrateTo('0014-webhooks')).error).toBeUndefined();

    await expect(migrate(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect((await testDb.database.migrationState()).pending).toEqual(['0015-incoming-webhooks', '0016-schema-history']);

    const seen: PendingUpgrade[] = [];
    const hook = async (upgrade: PendingUpgrade) => {
      // Called before any migration ran.
      expect((await testDb.database.migrationState()).pending).toHaveLength(2);
      seen.push(upgrade);
    };
    expect(await migrate(hook)).toEqual(['0015-incoming-webhooks', '0016-schema-history']);
    expect(seen).toEqual([{ from: '0014-webhooks', to: latest, pending: ['0015-incoming-webhooks', '0016-schema-history'] }]);
    expect(await history()).toEqual([{ parley_version: parleyVersion(), schema: latest }]);
  });

  it('refuses a database a newer Parley migrated, naming both versions, and changes nothing', async () => {
    await migrate();
    const db = testDb.database.db;
    await sql`insert into kysely_migration (name, timestamp) values ('0017-foo', ${new Date().toISOString()})`.execute(db);
    await db.insertInto('schema_history').values({ parley_version: '0.2.0', schema: '0017-foo', migrated_at: Date.now() }).execute();
    const hook = jest.fn(async () => {});

    const refusal = migrate(hook);
    await expect(refusal).rejects.toThrow(NewerDatabaseError);
    await expect(refusal).rejects.toThrow(
      `This database was upgraded by Parley 0.2.0 (schema 0017-foo); this is Parley ${parleyVersion()} (schema ${latest}). ` +
        'Run Parley 0.2.0 or newer, or restore the backup made before that upgrade (docs/upgrading.md).',
    );
    expect(hook).not.toHaveBeenCalled();
    expect(await history()).toHaveLength(2);

    const state = await testDb.database.migrationState();
    expect(state).toMatchObject({ unknown: ['0017-foo'], pending: [] });
    expect(state.applied.at(-1)).toEqual({ name: '0017-foo', appliedAt: expect.any(Date) });
    expect(state.history.map((entry) => entry.parleyVersion)).toEqual([parleyVersion(), '0.2.0']);

    // Without a history row naming it (the newer Parley's row lost), still refused.
    await db.deleteFrom('schema_history').where('parley_version', '=', '0.2.0').execute();
    await expect(migrate()).rejects.toThrow(/^This database was upgraded by a newer Parley \(schema 0017-foo\); .* Run that newer Parley, or restore/);
  });

  it('DatabaseService says which upgrade it starts, and only for an existing database', async () => {
    const logged = jest.spyOn(Logger.prototype, 'log');
    try {
      const migrator = new Migrator({ db: testDb.database.db, provider: migrationProvider(dialect), migrationTableSchema: testDb.schema });
      await migrator.migrateTo('0015-incoming-webhooks');
      expect(await testDb.database.migrate()).toEqual([latest]);
      expect(logged).toHaveBeenCalledWith(`Upgrading the database from 0015-incoming-webhooks to ${latest}`);
    } finally {
      logged.mockRestore();
    }
  });

  it('DatabaseService backs the database up before upgrading it; no upgrade starts when that backup fails', async () => {
    const migrator = new Migrator({ db: testDb.database.db, provider: migrationProvider(dialect), migrationTableSchema: testDb.schema });
    expect((await migrator.migrateTo('0015-incoming-webhooks')).error).toBeUndefined();
    // A file where the backup folder should be: the backup cannot be written.
    writeFileSync(testDb.backupDir, 'not a folder');
    await expect(testDb.database.migrate()).rejects.toThrow(
      new RegExp(`^The backup before upgrading the database \\(from 0015-incoming-webhooks to ${latest}\\) failed, so nothing was migrated: .*PARLEY_BACKUP_BEFORE_UPGRADE=off`),
    );
    expect((await testDb.database.migrationState()).pending).toEqual([latest]);

    rmSync(testDb.backupDir);
    expect(await testDb.database.migrate()).toEqual([latest]);
    const written = readdirSync(testDb.backupDir).filter((name) => name.endsWith('.parley-backup'));
    expect(written).toEqual([expect.stringMatching(/^parley-before-upgrade-from-0015-incoming-webhooks-\d{4}-\d\d-\d\dT\d{4}Z\.parley-backup$/)]);
    const staging = mkdtempSync(join(tmpdir(), 'parley-verify-'));
    try {
      // The database as it was before the upgrade, whole.
      expect(await verifyBackup(join(testDb.backupDir, written[0]), staging)).toMatchObject({ dialect, schema: '0015-incoming-webhooks' });
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });

  it('upgrades without a backup when PARLEY_BACKUP_BEFORE_UPGRADE=off', async () => {
    const migrator = new Migrator({ db: testDb.database.db, provider: migrationProvider(dialect), migrationTableSchema: testDb.schema });
    expect((await migrator.migrateTo('0015-incoming-webhooks')).error).toBeUndefined();
    const env = dialect === 'sqlite' ? { PARLEY_SQLITE_PATH: testDb.database.location } : { PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: testDb.schema! };
    const upgrading = new DatabaseService(AppConfig.fromEnv({ ...env, PARLEY_BACKUP_DIR: testDb.backupDir, PARLEY_BACKUP_BEFORE_UPGRADE: 'off' }));
    try {
      expect(await upgrading.migrate()).toEqual([latest]);
    } finally {
      await upgrading.onApplicationShutdown();
    }
    expect(existsSync(testDb.backupDir)).toBe(false);
  });

  it('opens without migrating when asked to (the CLI\'s status and check)', async () => {
    const env = dialect === 'sqlite' ? { PARLEY_SQLITE_PATH: testDb.database.location } : { PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: testDb.schema! };
    const untouched = new DatabaseService(AppConfig.fromEnv(env), false);
    try {
      await untouched.onModuleInit();
      expect(await untouched.migrationState()).toMatchObject({ applied: [], pending: await knownMigrations(dialect) });
    } finally {
      await untouched.onApplicationShutdown();
    }
    expect(await testDb.database.migrate()).toHaveLength((await knownMigrations(dialect)).length);
  });
});

it('backs up into the data folder (beside PARLEY_SQLITE_PATH, on PostgreSQL too), or into PARLEY_BACKUP_DIR', () => {
  expect(AppConfig.fromEnv({ PARLEY_SQLITE_PATH: '/srv/parley/db.sqlite' }).backupDir).toBe('/srv/parley/backups');
  // The systemd unit sets PARLEY_SQLITE_PATH into the one writable folder, whichever database is used.
  expect(AppConfig.fromEnv({ PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_SQLITE_PATH: '/var/lib/parley/parley.sqlite' }).backupDir).toBe('/var/lib/parley/backups');
  expect(AppConfig.fromEnv({ PARLEY_DATABASE_URL: TEST_POSTGRES_URL }).backupDir).toBe(`${process.cwd()}/data/backups`);
  expect(AppConfig.fromEnv({ PARLEY_BACKUP_DIR: '/mnt/backups' }).backupDir).toBe('/mnt/backups');
});

