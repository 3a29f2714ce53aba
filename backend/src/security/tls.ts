import { readFileSync } from 'node:fs';
import { tlsDirOf } from '../config/app-config';
import { readStartupEnv } from '../config/startup-env';
import { ensureLocalCertificates } from './tls/local-ca';
import { tlsNames } from './tls/tls-names';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/**
 * The HTTPS options, read before Nest starts: the server must be created as HTTPS, and that
 * happens before ConfigModule has loaded anything. Same sources and precedence as
 * ConfigModule: `.env`, then the environment, then explicit overrides. With PARLEY_TLS=auto the
 * certificate authority and certificate are made (or read) here; LocalTls keeps them current.
 */
export async function loadTls(overrides: Record<string, string> = {}): Promise<TlsFiles | undefined> {
  const env = readStartupEnv(overrides);
  if (env.PARLEY_TLS === 'auto') {
    const made = await ensureLocalCertificates(tlsDirOf(env), tlsNames(env));
    return { cert: Buffer.from(made.certPem), key: Buffer.from(made.keyPem) };
  }
  if (env.PARLEY_TLS_CERT === undefined || env.PARLEY_TLS_KEY === undefined) return undefined;
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`Invalid configuration:\n  ${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  return { cert: read('PARLEY_TLS_CERT', env.PARLEY_TLS_CERT), key: read('PARLEY_TLS_KEY', env.PARLEY_TLS_KEY) };
}
