import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import { DatabaseService } from './database.service';

/** How long after a purge the files are compacted: purges that come together share one pass. */
const DEBOUNCE_MS = 1_000;

/**
 * Makes purged text (deleted and edited messages, retention) leave the database files, off the
 * delivery path (docs/architecture.md, "Deleting honestly"). SQLite's secure_delete already zeroes
 * freed space in the main file; the old pages still sit in the WAL until a checkpoint copies the
 * new ones over and truncates it. PostgreSQL keeps a dead row version until VACUUM removes it.
 *
 * `request()` after every purge schedules one pass soon; `compactNow()` runs one and waits for it.
 */
@Injectable()
export class StorageCompactor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StorageCompactor.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly database: DatabaseService) {}

  request(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.compactNow().catch((error: unknown) => this.logger.warn(`Compacting after a purge failed: ${String(error)}`));
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** One pass now (after any pass already running); resolves when the freed bytes are out of the files. */
  async compactNow(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.compact().finally(() => (this.running = null));
    return this.running;
  }

  /** A purge just before stopping is compacted before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      await this.compactNow().catch(() => undefined);
    }
    while (this.running) await this.running.catch(() => undefined);
  }

  private async compact(): Promise<void> {
    const sqlite = this.database.sqlite;
    if (sqlite) {
      // TRUNCATE: copy every frame into the main file (where secure_delete zeroed the old
      // bytes) and empty the WAL, whose older frames still hold them. A reader in the middle of
      // a read keeps the WAL busy: then the next pass finishes the job.
      const [result] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result?.busy) this.request();
      return;
    }
    for (const table of ['messages', 'message_reactions']) {
      await sql`vacuum ${sql.table(table)}`.execute(this.database.db);
    }
  }
}
