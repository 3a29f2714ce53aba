import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from './server';

export const MAIN_JS = join(__dirname, '..', '..', 'dist', 'backend', 'main.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The production build (`node dist/backend/main.js`) as a child process, for signals and kills. */
export interface ChildServer extends Pick<TestServer, 'url'> {
  port: number;
  child: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<Exit>;
  /** Everything it printed, stdout and stderr. */
  output(): string;
}

/**
 * Starts the built server and resolves once it prints its address. PARLEY_PORT=0 (the default
 * here) picks a free port. `npm test` builds dist first; after changing the server, run
 * `npm run build:server` before running these tests alone.
 */
export function startChildServer(env: Record<string, string>, startTimeoutMs = 20_000): Promise<ChildServer> {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build:server first`);
  const child = spawn(process.execPath, [MAIN_JS], {
    env: {
      PATH: process.env.PATH ?? '',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_PORT: '0',
      PARLEY_LOG_LEVEL: 'warn',
      // These tests drive load from a few sockets; the limits are tested in rate-limits.e2e-spec.ts.
      PARLEY_RATE_LIMIT_PER_SECOND: '100000',
      PARLEY_RATE_LIMIT_BURST: '100000',
      PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE: '1000000',
      PARLEY_UNVERIFIED_SOCKETS_PER_IP: '100000',
      PARLEY_VERIFY_TIMEOUT_MS: '3600000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${startTimeoutMs} ms:\n${out}`));
    }, startTimeoutMs);
    const onData = () => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      const port = Number(match[1]);
      resolve({ url: `http://127.0.0.1:${port}`, port, child, exited, output: () => out });
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before starting:\n${out}`));
    });
  });
}
