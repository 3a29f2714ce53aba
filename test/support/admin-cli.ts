import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_JS = join(__dirname, '..', '..', 'dist', 'backend', 'cli', 'admin.js');

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- ...` as the built script, in a clean environment plus `env`. */
export function runAdmin(args: string[], env: Record<string, string>, stdin?: string): Promise<AdminRun> {
  if (!existsSync(ADMIN_JS)) throw new Error(`${ADMIN_JS} is missing: run npm run build:server first`);
  const child = spawn(process.execPath, [ADMIN_JS, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
