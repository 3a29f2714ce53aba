import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadedFile } from '@parley/contract';
import { AppConfig } from '../backend/src/config/app-config';
import { Migrator, sql } from 'kysely';
import { DatabaseService, migrationProvider, openDatabase } from '../backend/src/storage/database.service';
import { dropTestSchema } from '../backend/src/storage/testing/test-databases';
import { runAdmin as admin } from './support/admin-cli';
import { adminToken, closeAllClients, connectAs, createUser, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

const onPostgres = process.env.PARLEY_TEST_STORAGE === 'postgres';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A port nothing listens on (taken and given back), so a restore sees no server there. */
function idlePort(): Promise<string> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(String(port)));
    });
    probe.on('error', reject);
  });
}

/** POST /api/files the way a browser's FormData does. */
async function upload(server: TestServer, token: string, name: string, bytes: Uint8Array): Promise<UploadedFile> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(bytes)], { type: 'application/octet-stream' }), name);
  const response = await fetch(`${server.url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (response.status !== 201) throw new Error(`upload: ${response.status}`);
  return (await response.json()) as UploadedFile;
}

describe(`backup and restore from the command line (issue 21) on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let server: TestServer;
  let work: string;
  /** The running server's database and files, as the CLI must be told them. */
  let sourceEnv: Record<string, string>;
  const schemas: string[] = [];

  /** Settings for a fresh, empty restore target (a new folder; a new schema on PostgreSQL). */
  const freshTarget = async () => {
    const dir = mkdtempSync(join(work, 'target-'));
    const schema = `parley_restore_${randomBytes(6).toString('hex')}`;
    if (onPostgres) schemas.push(schema);
    return {
      PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite'),
      PARLEY_FILES_DIR: join(dir, 'files'),
      PARLEY_PORT: await idlePort(),
      ...(onPostgres ? { PARLEY_DATABASE_URL: sourceEnv.PARLEY_DATABASE_URL, PARLEY_DATABASE_SCHEMA: schema } : {}),
    };
  };

  beforeAll(async () => {
    server = await startServer();
    work = mkdtempSync(join(tmpdir(), 'parley-backup-e2e-'));
    const config = server.app.get(AppConfig);
    const env = config.values;
    sourceEnv = {
      PARLEY_SQLITE_PATH: env.PARLEY_SQLITE_PATH,
      PARLEY_FILES_DIR: config.filesDir,
      ...(env.PARLEY_DATABASE_URL ? { PARLEY_DATABASE_URL: env.PARLEY_DATABASE_URL, PARLEY_DATABASE_SCHEMA: env.PARLEY_DATABASE_SCHEMA } : {}),
    };
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
    for (const schema of schemas) await dropTestSchema(schema);
    rmSync(work, { recursive: true, force: true });
  });

  it('backs up while messages keep coming, and a server on the restored data has every message acknowledged before, and the files', async () => {
    const token = await adminToken(server);
    await createUser(server, token, 'sam', 'staff');
    const sender = await connectAs(server, token, 'admin', 'admin');
    const bytes = randomBytes(300_000);
    const file = await upload(server, token, 'figures.bin', bytes);
    await requestOk(sender, 'send_message', { message: 'the figures', recipients: 'group:staff', attachments: [file.id] });

    const acked: number[] = [];
    let sending = true;
    const loop = (async () => {
      for (let i = 0; sending; i++) acked.push((await requestOk(sender, 'send_message', { message: `busy ${i}`, recipients: 'group:staff' })).id);
    })();
    await eventually(() => acked.length >= 30);

    const backups = join(work, 'backups');
    const pattern = join(backups, 'parley-{date}.parley-backup');
    // Two older backups of the pattern and one of another name: --keep 2 leaves the newest old one.
    mkdirSync(backups);
    for (const old of ['parley-2020-01-01T0200Z.parley-backup', 'parley-2020-01-02T0200Z.parley-backup', 'manual.parley-backup']) {
      writeFileSync(join(backups, old), 'old');
      writeFileSync(join(backups, `${old}.sha256`), 'old');
    }
    const before = [...acked];
    const run = await admin(['backup', pattern, '--keep', '2'], sourceEnv);
    const during = acked.length - before.length;
    sending = false;
    await loop;
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/Backup written: .*parley-\d{4}-\d\d-\d\dT\d{4}Z\.parley-backup \([\d.]+ MB/);
    expect(run.stdout).toMatch(/users, \d+ messages, 1 files/);
    expect(run.stdout).toMatch(/took [\d.]+ s/);
    // The server went on acknowledging messages while the backup ran (no lock held it up).
    expect(during).toBeGreaterThan(0);
    const made = readdirSync(backups).filter((name) => /^parley-\d{4}-\d\d-\d\dT\d{4}Z\.parley-backup$/.test(name) && !name.startsWith('parley-2020'));
    expect(made).toHaveLength(1);
    const backup = join(backups, made[0]);
    expect(readdirSync(backups).sort()).toEqual(
      [made[0], `${made[0]}.sha256`, 'parley-2020-01-02T0200Z.parley-backup', 'parley-2020-01-02T0200Z.parley-backup.sha256', 'manual.parley-backup', 'manual.parley-backup.sha256'].sort(),
    );
    expect(readFileSync(`${backup}.sha256`, 'utf8')).toBe(`${sha256(readFileSync(backup))}  ${made[0]}\n`);

    // Not while a server runs, even with --force.
    const target = await freshTarget();
    const live = await admin(['restore', backup, '--force'], { ...target, PARLEY_PORT: new URL(server.url).port });
    expect(live).toMatchObject({ code: 9, stderr: expect.stringMatching(/stop the server first/) });
    // The live server's own database, whatever port the environment names: found by its lock
    // (SQLite) or by its connections in pg_stat_activity (PostgreSQL: any node, on any machine).
    const underServer = await admin(['restore', backup, '--force'], { ...sourceEnv, PARLEY_PORT: await idlePort() });
    expect(underServer).toMatchObject({
      code: 9,
      stderr: expect.stringMatching(onPostgres ? /PostgreSQL has \d+ connections of a running Parley server on schema parley_e2e_\w+ \(from 127\.0\.0\.1\): stop every server/ : /is open in another process .*stop the server first/),
    });

    const restored = await admin(['restore', backup], target);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    expect(restored.stdout).toMatch(/Restored .* into .*\n.*messages.*took [\d.]+ s/);
    // Again into the now full target: refused, naming what is there.
    const again = await admin(['restore', backup], target);
    expect(again).toMatchObject({ code: 7, stderr: expect.stringMatching(onPostgres ? /schema parley_restore_\w+ has \d+ Parley tables; .*--force/ : /parley\.sqlite exists; .*--force/) });

    const copy = await startServer(target);
    try {
      const rows = await copy.app.get(DatabaseService).db.selectFrom('messages').select(['id', 'body']).execute();
      const stored = new Map(rows.map((row) => [row.id, row.body]));
      const lost = before.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
      expect(before.map((id) => stored.get(id))).toEqual(before.map((_, i) => `busy ${i}`));
      const signedIn = await adminToken(copy);
      const download = await fetch(`${copy.url}/api/files/${file.id}`, { headers: { authorization: `Bearer ${signedIn}` } });
      expect(download.status).toBe(200);
      expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(bytes));
    } finally {
      closeAllClients();
      await copy.app.close();
    }

    // A damaged copy of the same backup is refused, into an empty target that stays empty.
    const damaged = join(work, 'damaged.parley-backup');
    copyFileSync(backup, damaged);
    const content = readFileSync(damaged);
    content[content.length >> 1] ^= 0x01;
    writeFileSync(damaged, content);
    const untouched = await freshTarget();
    expect(await admin(['restore', damaged], untouched)).toMatchObject({ code: 8, stderr: expect.stringMatching(/damaged/) });
    expect(existsSync(untouched.PARLEY_SQLITE_PATH)).toBe(false);
  }, 120_000);

  it('backs up a database as it is, never migrating it, and a server started on its restore migrates it', async () => {
    const older = await freshTarget();
    const dialect = onPostgres ? 'postgres' : 'sqlite';
    const schema = older.PARLEY_DATABASE_SCHEMA;
    const opened = openDatabase({ sqlitePath: older.PARLEY_SQLITE_PATH, postgresUrl: older.PARLEY_DATABASE_URL, postgresSchema: schema ?? 'public' });
    const applied = async () => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened.db)).rows.map((row) => row.name);
    try {
      if (schema) await sql`create schema ${sql.id(schema)}`.execute(opened.db);
      // A database one migration behind this code, as an older Parley left it.
      const { error } = await new Migrator({ db: opened.db, provider: migrationProvider(dialect), migrationTableSchema: schema }).migrateTo('0014-webhooks');
      expect(error).toBeUndefined();
      const file = join(work, `older-${dialect}.parley-backup`);
      const run = await admin(['backup', file], older);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`${dialect} database at 0014-webhooks: 0 users, 0 messages, 0 files`));
      expect((await applied()).slice(-1)).toEqual(['0014-webhooks']);

      const target = await freshTarget();
      expect(await admin(['restore', file], target)).toMatchObject({ code: 0, stderr: '' });
      const upgraded = await startServer(target);
      try {
        const names = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(upgraded.app.get(DatabaseService).db)).rows.map((row) => row.name);
        // Every migration since 0014, whichever is this code's latest.
        const known = Object.keys(await migrationProvider(dialect).getMigrations()).sort();
        expect(names).toEqual(known);
        expect(known.indexOf('0014-webhooks')).toBeLessThan(known.length - 1);
      } finally {
        await upgraded.app.close();
      }
    } finally {
      await opened.db.destroy();
    }
  });

  it('says what is wrong with the arguments, with the documented exit codes, touching nothing', async () => {
    const usage = await admin(['backup'], sourceEnv);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/backup needs exactly one file name/) });
    expect(usage.stderr).toMatch(/backup <file> \[--keep N\][\s\S]*restore <file> \[--force\][\s\S]*7 restore target not empty, 8 damaged backup, 9 server running, 10 backup this version cannot restore/);
    expect(await admin(['backup', join(work, 'x-{date}'), '--keep', '0'], sourceEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--keep needs a whole number of at least 1, not 0/) });
    expect(await admin(['backup', join(work, 'fixed.parley-backup'), '--keep', '3'], sourceEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--keep needs \{date\} in the file name/) });
    // {date} only in a folder's name: refused before any backup is written, not after.
    expect(await admin(['backup', join(work, 'x-{date}', 'fixed.parley-backup'), '--keep', '3'], sourceEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--keep needs \{date\} in the file name/) });
    expect(await admin(['backup', join(work, 'x'), '--keep'], sourceEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/--keep needs a number/) });
    expect(await admin(['restore'], sourceEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/restore needs exactly one backup file/) });
    expect(await admin(['restore', 'a', '--bogus'], sourceEnv)).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option --bogus/) });
    const target = await freshTarget();
    expect(await admin(['restore', join(work, 'no-such.parley-backup')], target)).toMatchObject({ code: 1, stderr: expect.stringMatching(/No backup at .*no-such\.parley-backup/) });
    expect(readdirSync(work).filter((name) => name.startsWith('x') || name.startsWith('fixed'))).toEqual([]);
  });
});
