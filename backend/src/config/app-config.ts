import { dirname, join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { validateEnv, type Env } from './env.schema';

export function tlsDirOf(values: Pick<Env, 'PARLEY_SQLITE_PATH'>): string {
  return resolve(dirname(values.PARLEY_SQLITE_PATH), 'tls');
}

/** The validated settings, typed. Inject this rather than reading process.env. */
@Injectable()
export class AppConfig {
  readonly values: Env;

  constructor(config: ConfigService) {
    this.values = config.get<Env>('parley') as Env;
  }

  /** Whether Parley itself serves HTTPS/WSS. */
  get tls(): boolean {
    return this.values.PARLEY_TLS_CERT !== undefined || this.values.PARLEY_TLS === 'auto';
  }

  /** PARLEY_TLS=auto's certificate authority and certificate: `tls` beside the SQLite file (./data/tls). */
  get tlsDir(): string {
    return tlsDirOf(this.values);
  }

  /** Cookies get the Secure flag over HTTPS, served here or by a proxy in front. */
  get secureCookies(): boolean {
    return this.values.PARLEY_COOKIE_SECURE || this.tls;
  }

  /** Where uploaded files live: PARLEY_FILES_DIR, or `files` beside the SQLite file (./data/files). */
  get filesDir(): string {
    return resolve(this.values.PARLEY_FILES_DIR ?? join(dirname(this.values.PARLEY_SQLITE_PATH), 'files'));
  }

  /**
   * Where backups go (the pre-upgrade one among them): PARLEY_BACKUP_DIR, or `backups` in the
   * data folder, beside PARLEY_SQLITE_PATH (./data/backups by default) on PostgreSQL too, as
   * filesDir: the one folder a sandboxed service may write (docs/deploy/systemd/parley.service).
   */
  get backupDir(): string {
    return resolve(this.values.PARLEY_BACKUP_DIR ?? join(dirname(this.values.PARLEY_SQLITE_PATH), 'backups'));
  }

  /** A config built straight from variables, for code that runs outside Nest (tests, tools). */
  static fromEnv(raw: Record<string, string | undefined>): AppConfig {
    const values = validateEnv(raw);
    return new AppConfig({ get: () => values } as unknown as ConfigService);
  }
}
