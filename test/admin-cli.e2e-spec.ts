import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseService } from '../backend/src/storage/database.service';
import { dropTestSchema, TEST_POSTGRES_URL } from '../backend/src/storage/testing/test-databases';
import { runAdmin as admin, type AdminRun as Run } from './support/admin-cli';
import { adminToken, api, createUser, login, type Json } from './support/clients';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';

const printedPassword = (run: Run) => /shown only now\):\n\s+(\S+)/.exec(run.stdout)?.[1];

describe('npm run admin (offline recovery, issue 10 finding 9)', () => {
  let dir: string;
  let env: Record<string, string>;
  let server: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    env = { PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite') };
    server = await startServer(env);
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets admin back in while the server runs: new password, enabled, old sessions ended, audited', async () => {
    const first = await adminToken(server);
    const boss = await createUser(server, first, 'boss', 'admin');
    expect((await api(server, 'PATCH', '/api/users/admin', { token: boss, body: { disabled: true } })).status).toBe(200);
    const stale = await login(server, 'boss', 'boss-passphrase-9');

    const run = await admin(['reset-password', 'ADMIN'], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const password = printedPassword(run)!;
    expect(password).toMatch(/^[\w-]{16}$/);
    await expect(login(server, 'admin', ADMIN_PASSWORD)).rejects.toThrow();
    const token = await login(server, 'admin', password);
    expect((await api(server, 'GET', '/api/me', { token })).body).toMatchObject({ user: { username: 'admin', role: 'admin' } });

    // Another user, with a chosen password from standard input: boss's sessions end.
    const chosen = await admin(['reset-password', 'boss', '--password-stdin'], env, 'boss-recovered-passphrase\n');
    expect(chosen).toMatchObject({ code: 0, stderr: '' });
    expect(chosen.stdout).not.toContain('boss-recovered-passphrase');
    expect((await api(server, 'GET', '/api/me', { token: stale })).status).toBe(401);
    expect(await login(server, 'boss', 'boss-recovered-passphrase')).toEqual(expect.any(String));

    const audit = await api(server, 'GET', '/api/admin/audit?action=user.recovered', { token });
    expect((audit.body.entries as Json[]).map((e) => [e.actor, e.target])).toEqual([
      ['command line', 'boss'],
      ['command line', 'admin'],
    ]);
  });

  it('says what went wrong, with distinct exit codes, and changes nothing then', async () => {
    const none = await admin([], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: npm run admin -- <command>[\s\S]*reset-password <user name>/);
    expect((await admin(['reset-password'], env)).code).toBe(2);
    expect((await admin(['frobnicate'], env)).stderr).toMatch(/Unknown command: frobnicate/);
    expect(await admin(['reset-password', 'nobody'], env)).toMatchObject({ code: 3, stderr: 'No user named nobody\n' });
    const weak = await admin(['reset-password', 'boss', '--password-stdin'], env, 'qwertyuiop\n');
    expect(weak).toMatchObject({ code: 4, stderr: expect.stringMatching(/too easy to guess: .*frequently used password/) });
    expect(await login(server, 'boss', 'boss-recovered-passphrase')).toEqual(expect.any(String));
    expect((await admin(['--help'], env)).code).toBe(0);
  });

  it('leaves a deleted account deleted: its tombstone name is no user to recover', async () => {
    // admin's password was replaced by the first test; boss is an admin with a known one.
    const token = await login(server, 'boss', 'boss-recovered-passphrase');
    await createUser(server, token, 'gone', 'admin');
    expect((await api(server, 'DELETE', '/api/users/gone', { token })).status).toBe(204);
    const tombstones = await server.app
      .get(DatabaseService)
      .db.selectFrom('users')
      .select('username')
      .where('deleted_at', 'is not', null)
      .execute();
    expect(tombstones).toHaveLength(1);
    const [{ username }] = tombstones;
    expect(await admin(['reset-password', username], env)).toMatchObject({ code: 3, stderr: `No user named ${username}\n` });
    await expect(login(server, username, 'anything-at-all-9')).rejects.toThrow(/401/);
  });

  it('gives a bot no password: a token is its only way in', async () => {
    const token = await login(server, 'boss', 'boss-recovered-passphrase');
    const created = await api(server, 'POST', '/api/admin/bots', { token, body: { username: 'relay', role: 'staff', display_name: 'Relay' } });
    expect(created.status).toBe(201);
    expect(await admin(['reset-password', 'relay'], env)).toMatchObject({ code: 3, stderr: expect.stringMatching(/^relay is a bot: it signs in with its API token/) });
    const row = await server.app.get(DatabaseService).db.selectFrom('users').select('password_hash').where('username', '=', 'relay').executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();
  });

  it('works on PostgreSQL too (PARLEY_DATABASE_URL), with no server running', async () => {
    const schema = `parley_cli_${randomBytes(6).toString('hex')}`;
    const pgEnv = { PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema };
    const pg = await startServer(pgEnv);
    try {
      await pg.app.close();
      const run = await admin(['reset-password', 'admin'], pgEnv);
      expect(run.code).toBe(0);
      await pg.restart();
      expect(await login(pg, 'admin', printedPassword(run)!)).toEqual(expect.any(String));
    } finally {
      await pg.stop();
      await dropTestSchema(schema);
    }
  });
});
