import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { parleyVersion } from '../backend/src/common/parley-version';
import { DatabaseService, openDatabase } from '../backend/src/storage/database.service';
import { dropTestSchema, TEST_POSTGRES_URL } from '../backend/src/storage/testing/test-databases';
import { createParley0001Database, PARLEY_0001_MESSAGES, PARLEY_0001_USERS } from './fixtures/parley-0001';
import { runAdmin } from './support/admin-cli';
import { startChildServer } from './support/child-server';
import { closeAllClients, connectAs, login, requestOk } from './support/clients';
import { startServer, type TestServer } from './support/server';

const FIXTURE = join(__dirname, 'fixtures', 'parley-0001.sqlite');
const LATEST = '0016-schema-history';
const passwordOf = (name: string) => PARLEY_0001_USERS.find((user) => user.username === name)!.password;

/** What a person sees after the upgrade: every message of the first release, through the server. */
async function expectHistoryKept(server: TestServer): Promise<void> {
  const stored = await server.app.get(DatabaseService).db.selectFrom('messages').select('body').orderBy('id').execute();
  expect(stored.map((row) => row.body)).toEqual(PARLEY_0001_MESSAGES.map((message) => message.body));

  const seen = async (name: string, role: string) => {
    const socket = await connectAs(server, await login(server, name, passwordOf(name)), role, name);
    return (await requestOk(socket, 'sync', { since: 0 })).messages.map((message) => message.message);
  };
  const cleoSees = await seen('cleo', 'client');
  // Her direct messages, the client group, and what she asked staff (a team conversation since 0007).
  const hers = PARLEY_0001_MESSAGES.filter((m) => m.from === 'cleo' || m.to === 'cleo' || m.to === 'client').map((m) => m.body);
  expect(cleoSees).toHaveLength(25);
  expect(cleoSees).toEqual(expect.arrayContaining(hers));
  expect(cleoSees).not.toContain('staff note 1');
  const samSees = await seen('sam', 'staff');
  expect(samSees).toEqual(expect.arrayContaining(PARLEY_0001_MESSAGES.filter((m) => m.to === 'staff' || m.from === 'sam' || m.to === 'sam').map((m) => m.body)));
  closeAllClients();
}

describe('upgrades (issue 21): the first release\'s database, the version guard, migrate and check', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-upgrades-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const copyOfFixture = (name = 'parley.sqlite') => {
    const path = join(dir, name);
    copyFileSync(FIXTURE, path);
    return path;
  };

  it('upgrades a database of the first release on start and keeps every message, readable through the server', async () => {
    const env = { PARLEY_SQLITE_PATH: copyOfFixture(), PARLEY_BACKUP_DIR: join(dir, 'backups') };
    const before = await runAdmin(['migrate', '--status'], env);
    expect(before).toMatchObject({ code: 5, stderr: '' });
    expect(before.stdout).toMatch(/^ {2}0001-initial +applied 20\d\d-\d\d-\d\dT/m);
    expect(before.stdout).toMatch(new RegExp(`^ {2}${LATEST} +pending$`, 'm'));
    expect(before.stdout).toContain('Upgrades: none recorded');
    expect(before.stdout).toMatch(new RegExp(`15 migrations pending, from 0001-initial to ${LATEST}`));
    // --status changed nothing.
    expect((await runAdmin(['migrate', '--status'], env)).code).toBe(5);

    const server = await startServer(env);
    try {
      await expectHistoryKept(server);
    } finally {
      await server.stop();
    }
    const after = await runAdmin(['migrate', '--status'], env);
    expect(after).toMatchObject({ code: 0, stderr: '' });
    expect(after.stdout).toMatch(new RegExp(`Parley ${parleyVersion().replace(/\./g, '\\.')} +to ${LATEST}`));
    expect(after.stdout.trim().split('\n').at(-1)).toBe(`Up to date: schema ${LATEST}.`);

    // The start backed the first release's database up before migrating it: restored, it is
    // that database again, every message in it, and still to be upgraded.
    const backups = readdirSync(join(dir, 'backups')).filter((name) => name.endsWith('.parley-backup'));
    expect(backups).toEqual([expect.stringMatching(/^parley-before-upgrade-from-0001-initial-.*\.parley-backup$/)]);
    const restoredEnv = { PARLEY_SQLITE_PATH: join(dir, 'restored', 'parley.sqlite') };
    expect(await runAdmin(['restore', join(dir, 'backups', backups[0])], restoredEnv)).toMatchObject({ code: 0, stderr: '' });
    expect((await runAdmin(['migrate', '--status'], restoredEnv)).stdout).toMatch(new RegExp(`15 migrations pending, from 0001-initial to ${LATEST}`));
    const restored = new SqliteDatabase(restoredEnv.PARLEY_SQLITE_PATH, { readonly: true });
    try {
      expect(restored.prepare('select body from messages order by id').all()).toEqual(PARLEY_0001_MESSAGES.map((message) => ({ body: message.body })));
    } finally {
      restored.close();
    }
  });

  it('upgrades the same rows on PostgreSQL', async () => {
    const schema = `parley_upgrade_${randomBytes(6).toString('hex')}`;
    const opened = openDatabase({ sqlitePath: join(dir, 'unused.sqlite'), postgresUrl: TEST_POSTGRES_URL, postgresSchema: schema });
    const env = { PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema, PARLEY_BACKUP_DIR: join(dir, 'backups') };
    try {
      await sql`create schema ${sql.id(schema)}`.execute(opened.db);
      await createParley0001Database(opened.db, 'postgres', schema);
      await opened.db.destroy();
      expect((await runAdmin(['migrate', '--status'], env)).code).toBe(5);
      const server = await startServer(env);
      try {
        await expectHistoryKept(server);
      } finally {
        await server.stop();
      }
      expect((await runAdmin(['migrate', '--status'], env)).code).toBe(0);
      // Backed up before the upgrade there too.
      expect(readdirSync(join(dir, 'backups'))).toContainEqual(expect.stringMatching(/^parley-before-upgrade-from-0001-initial-.*\.parley-backup$/));
    } finally {
      await dropTestSchema(schema);
    }
  });

  it('refuses a database a newer Parley upgraded: the server exits with one line naming both versions, the CLI with code 6', async () => {
    const path = copyOfFixture();
    const env = { PARLEY_SQLITE_PATH: path };
    const migrated = await runAdmin(['migrate'], env);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toMatch(new RegExp(`^Applied 15 migrations:\\n {2}0002-read-marks\\n[\\s\\S]* {2}${LATEST}\\n`));
    expect((await runAdmin(['migrate'], env)).stdout).toBe(`Already up to date (schema ${LATEST}).\n`);

    // What Parley 0.2.0 would leave behind: a migration this one does not know, and its history row.
    const sqlite = new SqliteDatabase(path);
    sqlite.prepare(`insert into kysely_migration (name, timestamp) values ('0017-foo', ?)`).run(new Date().toISOString());
    sqlite.prepare(`insert into schema_history (parley_version, schema, migrated_at) values ('0.2.0', '0017-foo', ?)`).run(Date.now());
    sqlite.close();
    const refusal =
      `This database was upgraded by Parley 0.2.0 (schema 0017-foo); this is Parley ${parleyVersion()} (schema ${LATEST}). ` +
      'Run Parley 0.2.0 or newer, or restore the backup made before that upgrade (docs/upgrading.md).';

    const start = await startChildServer(env).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(start).toContain('the server exited (1) before starting');
    expect(start).toContain(`Parley could not start.\n${refusal}\n`);
    expect(start).not.toMatch(/\n\s+at /);

    const status = await runAdmin(['migrate', '--status'], env);
    expect(status.code).toBe(6);
    expect(status.stdout).toMatch(/^ {2}0017-foo +applied \S+ \(unknown to this Parley: a newer one applied it\)$/m);
    expect(status.stdout).toMatch(/Parley 0\.2\.0 +to 0017-foo/);
    expect(status.stdout.trim().split('\n').at(-1)).toBe(refusal);
    expect(await runAdmin(['migrate'], env)).toMatchObject({ code: 6, stdout: '', stderr: `${refusal}\n` });
    expect(await runAdmin(['reset-password', 'admin'], env)).toMatchObject({ code: 6, stderr: `${refusal}\n` });
    const check = await runAdmin(['check'], env);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`problem  migrations: ${refusal}`);

    const after = new SqliteDatabase(path, { readonly: true });
    expect(after.prepare('select count(*) as n from kysely_migration').get()).toEqual({ n: 17 });
    expect(after.prepare('select count(*) as n from schema_history').get()).toEqual({ n: 2 });
    after.close();
  });

  it('check: sound beside a running server, then finds a missing and an altered file, and a damaged page', async () => {
    const path = copyOfFixture();
    const env = { PARLEY_SQLITE_PATH: path };
    const server = await startServer(env);
    try {
      const sound = await runAdmin(['check'], env);
      expect(sound).toMatchObject({ code: 0, stderr: '' });
      expect(sound.stdout).toMatch(/^ok {7}sqlite integrity_check\nok {7}sqlite foreign_key_check\nok {7}migrations: up to date/);
      expect(sound.stdout).toContain('50 messages');
      expect(sound.stdout.trim().split('\n').at(-1)).toBe('No problems found.');
    } finally {
      await server.stop();
    }

    // Two uploads as FileRepository records them, beside the SQLite file as PARLEY_FILES_DIR defaults.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const [kept, altered, missing] = ['kept bytes', 'altered bytes', 'missing bytes'];
    const sqlite = new SqliteDatabase(path);
    for (const [i, text] of [kept, altered, missing].entries()) {
      sqlite.prepare('insert into file_blobs (sha256, created_at) values (?, 1)').run(sha(text));
      sqlite
        .prepare(`insert into files (id, sha256, name, size, content_type, uploader_id, created_at) values (?, ?, ?, ?, 'text/plain', 1, 1)`)
        .run(`f${i}`, sha(text), `${i}.txt`, text.length);
    }
    const rootPage = (sqlite.prepare(`select rootpage from sqlite_master where name = 'messages'`).get() as { rootpage: number }).rootpage;
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    sqlite.close();
    const store = (name: string, text: string) => {
      mkdirSync(join(dir, 'files', name.slice(0, 2)), { recursive: true });
      writeFileSync(join(dir, 'files', name.slice(0, 2), name), text);
    };
    store(sha(kept), kept);
    store(sha(altered), 'Altered bytes');
    const files = await runAdmin(['check'], env);
    expect(files.code).toBe(1);
    expect(files.stdout).toMatch(new RegExp(`^problem  files: .*${sha(altered)}: its content does not match its name \\(altered\\)`, 'm'));
    expect(files.stdout).toContain(`${sha(missing)}: missing`);
    expect(files.stdout).not.toContain(`${sha(kept)}:`);
    expect(files.stdout.trim().split('\n').at(-1)).toBe('1 problem found.');

    // A page of the messages table overwritten, as a failing disk might.
    const damaged = join(dir, 'damaged.sqlite');
    copyFileSync(path, damaged);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (rootPage - 1) * pageSize);
    closeSync(fd);
    const broken = await runAdmin(['check', '--no-hash'], { PARLEY_SQLITE_PATH: damaged, PARLEY_FILES_DIR: join(dir, 'files') });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^problem  sqlite integrity_check: \S/m);
  });

  it('says what is wrong with the arguments, exit code 2, before opening anything', async () => {
    const env = { PARLEY_SQLITE_PATH: join(dir, 'never-created.sqlite') };
    expect(await runAdmin(['migrate', '--force'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^migrate takes only --status, not --force\n/) });
    expect(await runAdmin(['check', 'now'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^check takes only --no-hash, not now\n/) });
    const help = await runAdmin(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/migrate \[--status\][\s\S]*check \[--no-hash\][\s\S]*5 migrations pending, 6 the database is newer than this Parley/);
  });
});
