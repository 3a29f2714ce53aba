import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import SqliteDatabase from 'better-sqlite3';
import { Client } from 'pg';
import { ADMIN_APPLICATION_NAME, serverApplicationName } from '../storage/database.service';

/**
 * The addresses to ask for a server configured with PARLEY_HOST: the loopback address of the
 * family it listens on for a wildcard (0.0.0.0, ::), the address itself otherwise, and 127.0.0.1
 * always (the default, and where an older configuration's server may still listen).
 */
export function probeHosts(host: string): string[] {
  const mapped = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host.replace(/^\[(.*)\]$/, '$1');
  return [...new Set(['127.0.0.1', mapped])];
}

/**
 * Where a Parley server answers `/health/live` on this port, at 127.0.0.1 or at PARLEY_HOST (see
 * probeHosts), over HTTP or HTTPS (a server with PARLEY_TLS_CERT speaks only the latter; its
 * certificate is not checked, as the probe sends nothing and only asks whether anything answers
 * like Parley): the URL that answered, or null. A restore under a running server would pull its
 * database out from under it. Port 0 asks nothing.
 */
export async function parleyServerAnswers(port: number, host = '127.0.0.1', timeoutMs = 2_000): Promise<string | null> {
  if (port === 0) return null;
  for (const address of probeHosts(host)) {
    for (const [scheme, request] of [
      ['http', httpRequest],
      ['https', httpsRequest],
    ] as const) {
      const answered = await new Promise<boolean>((resolve) => {
        const req = request({ host: address, port, path: '/health/live', method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          // Terminus answers { status: 'ok' | 'error', ... }, with 200 or 503.
          response.on('end', () => resolve(/"status"\s*:/.test(body)));
          response.on('error', () => resolve(false));
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(false));
        req.end();
      });
      if (answered) return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
    }
  }
  return null;
}

/**
 * Whether another process has the SQLite database at `path` open, whatever port or address it
 * listens on: a running server keeps a connection open for its whole life. With
 * `locking_mode = EXCLUSIVE`, `BEGIN EXCLUSIVE` needs the database file's exclusive lock, which
 * any other open connection in WAL mode prevents (it holds a shared lock while open, idle or not;
 * a plain `BEGIN EXCLUSIVE` in WAL mode does not see idle readers). busy_timeout 0: SQLITE_BUSY at
 * once. The check writes nothing: the transaction is rolled back, and the journal mode is left as it is.
 * A server using the database in rollback-journal mode between transactions is not seen (Parley
 * always uses WAL).
 */
export function sqliteInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  let db: SqliteDatabase.Database;
  try {
    db = new SqliteDatabase(path, { fileMustExist: true });
  } catch {
    return false;
  }
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    // Only "locked by someone else" means a server; anything else (not a database) is restore's to judge.
    return /^SQLITE_BUSY/.test(String((error as { code?: unknown }).code));
  } finally {
    db.close();
  }
}

/**
 * The Parley servers connected to PostgreSQL on `schema`, from any machine: every server names its
 * connections `parley <schema>` (serverApplicationName), and pg_stat_activity lists them while the
 * server runs (it keeps its pool open). The addresses they connect from, "local" for a Unix socket.
 * Not seen: a server whose PARLEY_DATABASE_URL sets an application_name of its own. A server of
 * another database role is seen, its address hidden ("local") unless this role may read it.
 */
export async function postgresServersOn(url: string, schema: string): Promise<{ connections: number; from: string[] }> {
  const client = new Client({ connectionString: url, application_name: ADMIN_APPLICATION_NAME });
  await client.connect();
  try {
    const { rows } = await client.query<{ connections: number; from: string[] | null }>(
      `select count(*)::int as connections, array_agg(distinct coalesce(host(client_addr), 'local')) as from
         from pg_stat_activity
        where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()`,
      [serverApplicationName(schema)],
    );
    return { connections: rows[0].connections, from: rows[0].connections > 0 ? (rows[0].from ?? []) : [] };
  } finally {
    await client.end();
  }
}
