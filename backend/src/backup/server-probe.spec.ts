import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { ADMIN_APPLICATION_NAME, openDatabase } from '../storage/database.service';
import { TEST_POSTGRES_URL } from '../storage/testing/test-databases';
import { parleyServerAnswers, postgresServersOn, probeHosts, sqliteInUse } from './server-probe';

describe('finding a running server before a restore', () => {
  it('asks loopback for a wildcard PARLEY_HOST, the address itself otherwise, and 127.0.0.1 always', () => {
    expect(probeHosts('0.0.0.0')).toEqual(['127.0.0.1']);
    expect(probeHosts('::')).toEqual(['127.0.0.1', '::1']);
    expect(probeHosts('127.0.0.2')).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(probeHosts('[fe80::1]')).toEqual(['127.0.0.1', 'fe80::1']);
  });

  it('finds a server that listens only on PARLEY_HOST, by its /health/live answer', async () => {
    // 127.0.0.2 is loopback on Linux too, and 127.0.0.1 has nothing on that port.
    const server: Server = createServer((request, response) => {
      response.writeHead(request.url === '/health/live' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(request.url === '/health/live' ? '{"status":"ok","info":{},"error":{},"details":{}}' : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await parleyServerAnswers(port, '127.0.0.2')).toBe(`http://127.0.0.2:${port}`);
      expect(await parleyServerAnswers(port, '0.0.0.0')).toBeNull();
      expect(await parleyServerAnswers(0, '127.0.0.2')).toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sees a SQLite database another process has open (WAL, idle), and changes nothing when none has', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-probe-'));
    const path = join(dir, 'parley.sqlite');
    try {
      expect(sqliteInUse(path)).toBe(false);
      const server = new SqliteDatabase(path);
      server.pragma('journal_mode = WAL');
      server.exec('create table t (a); insert into t values (1)');
      expect(sqliteInUse(path)).toBe(true);
      server.close();
      expect(sqliteInUse(path)).toBe(false);
      const after = new SqliteDatabase(path);
      expect(after.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(after.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
      after.close();
      expect(readdirSync(dir)).toEqual(['parley.sqlite']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sees a PostgreSQL server's connections on its schema, from any address, and not an admin command's or another schema's", async () => {
    const schema = `parley_probe_${randomBytes(6).toString('hex')}`;
    expect(await postgresServersOn(TEST_POSTGRES_URL, schema)).toEqual({ connections: 0, from: [] });
    const server = openDatabase({ sqlitePath: '', postgresUrl: TEST_POSTGRES_URL, postgresSchema: schema });
    const admin = openDatabase({ sqlitePath: '', postgresUrl: TEST_POSTGRES_URL, postgresSchema: schema, applicationName: ADMIN_APPLICATION_NAME });
    const other = openDatabase({ sqlitePath: '', postgresUrl: TEST_POSTGRES_URL, postgresSchema: `${schema}_other` });
    try {
      // A pool connects on its first query and keeps the connection while idle, as a server's does.
      for (const { db } of [server, admin, other]) await sql`select 1`.execute(db);
      expect(await postgresServersOn(TEST_POSTGRES_URL, schema)).toEqual({ connections: 1, from: ['127.0.0.1'] });
    } finally {
      for (const { db } of [server, admin, other]) await db.destroy();
    }
    expect(await postgresServersOn(TEST_POSTGRES_URL, schema)).toEqual({ connections: 0, from: [] });
  });
});
