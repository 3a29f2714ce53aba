import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { parleyServerAnswers, probeHosts, sqliteInUse } from './server-probe';

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
});
