import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { validateEnv, type Env } from './env.schema';

/**
 * The settings as ConfigModule will see them (`.env`, then the environment, then the app's own
 * overrides), for what must be read before Nest builds the app: TLS files, extension modules.
 */
export function readStartupEnv(overrides: Record<string, string> = {}): Env {
  const dotenv = existsSync('.env') ? parseEnv(readFileSync('.env', 'utf8')) : {};
  return validateEnv({ ...dotenv, ...process.env, ...overrides });
}
