import { get as httpGet } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import { ShutdownService } from '../../backend/src/lifecycle/shutdown.service';
import { dropTestSchema, TEST_POSTGRES_URL } from '../../backend/src/storage/testing/test-databases';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createParleyApp, type ParleyAppOptions } from '../../backend/src/app.factory';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestServer {
  url: string;
  app: NestExpressApplication;
  /** Stops the server and starts a new one on the same SQLite file (and a new port). */
  restart(): Promise<void>;
  /** Stops answering (the port closes, pages see the server down) until resume(). */
  pause(): Promise<void>;
  /** A new server on the same SQLite file and the same port, so open pages reconnect by themselves. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Which storage whole-server tests run on: the SQLite file, or PostgreSQL when the jest project
 * sets PARLEY_TEST_STORAGE=postgres (the `e2e-postgres` project in jest.config.js runs the main
 * specs again that way: same behaviour, same tests).
 */
const onPostgres = () => process.env.PARLEY_TEST_STORAGE === 'postgres';

/**
 * The real server (HTTP + socket.io + a fresh SQLite file, or a fresh PostgreSQL schema) on a
 * free 127.0.0.1 port.
 * Roster updates are coalesced over 20 ms instead of 100 ms so tests wait less, and rate limits
 * are lifted unless a test sets them.
 */
export async function startServer(
  env: Record<string, string> = {},
  overrides: Provider[] = [],
  /** More app options, e.g. `log: { destination }` to capture the JSON log, or `extensions` to load. */
  options: Pick<ParleyAppOptions, 'log' | 'logger' | 'extensions'> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const schema = onPostgres() ? `parley_e2e_${randomBytes(6).toString('hex')}` : null;
  const fullEnv: Record<string, string> = {
    PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite'),
    // On PostgreSQL the default is ./data/backups under the working folder: the repository's.
    PARLEY_BACKUP_DIR: join(dir, 'backups'),
    ...(schema ? { PARLEY_DATABASE_URL: TEST_POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema } : {}),
    PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PARLEY_ROSTER_INTERVAL_MS: '20',
    // Tests send bursts and sign in often from one address; test/rate-limits.e2e-spec.ts checks
    // the limits themselves with their defaults.
    PARLEY_RATE_LIMIT_PER_SECOND: '100000',
    PARLEY_RATE_LIMIT_BURST: '100000',
    PARLEY_HTTP_RATE_LIMIT_PER_MINUTE: '1000000',
    PARLEY_LOGIN_LIMIT_PER_USER: '100000',
    PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '100000',
    PARLEY_LOGIN_LIMIT_PER_IP: '100000',
    // Specs create many accounts and sockets from 127.0.0.1, and some keep an unverified socket
    // for a whole long run (the authorization matrix, the fuzzer);
    // test/open-mode-abuse.e2e-spec.ts checks these limits with small values.
    PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE: '1000000',
    PARLEY_UNVERIFIED_SOCKETS_PER_IP: '100000',
    PARLEY_VERIFY_TIMEOUT_MS: '3600000',
    ...env,
  };
  const boot = async (port = 0) => {
    const app = await createParleyApp({ env: fullEnv, overrides, logger: ['fatal', 'error'], ...options });
    await app.listen(port, '127.0.0.1');
    const address = app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('no port');
    return { app, url: `${fullEnv.PARLEY_TLS_CERT || fullEnv.PARLEY_TLS === 'auto' ? 'https' : 'http'}://127.0.0.1:${address.port}` };
  };
  /**
   * Down as after SIGTERM: drained (clients told, connections closed, including the spare ones a
   * browser keeps open, which a bare close() would wait on for half a minute), then closed.
   */
  const down = async () => {
    await server.app.get(ShutdownService).drain(Date.now() + 5_000);
    await server.app.close();
  };
  const server: TestServer = {
    ...(await boot()),
    async restart() {
      await down();
      Object.assign(server, await boot());
    },
    async pause() {
      await down();
    },
    async resume() {
      Object.assign(server, await boot(Number(new URL(server.url).port)));
    },
    async stop() {
      await server.app.close();
      if (schema) await dropTestSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * The CA a `PARLEY_TLS=auto` server made, as a device gets it before trusting anything: over
 * plain http on the same port (`/ca.crt`).
 */
export function localCa(server: Pick<TestServer, 'url'>): Promise<string> {
  const port = Number(new URL(server.url).port);
  return new Promise<string>((resolve, reject) => {
    httpGet(`http://127.0.0.1:${port}/ca.crt`, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}
