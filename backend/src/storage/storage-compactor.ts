import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import { DatabaseService } from './database.service';

/** How long after a purge the files are compacted: purges that come together share one pass. */
const DEBOUNCE_MS = 1_000;
/**
 * PostgreSQL: the least time between two rewrites of the message tables. A rewrite holds the
 * tables' exclusive lock while it copies them (measured: 5.8 s for 1M messages, 305 MB), so
 * sends wait that long; purges in between share the next one (docs/architecture.md).
 */
export const REWRITE_INTERVAL_MS = 15 * 60_000;
/** A rewrite that cannot have the lock this soon (a long read holds it) gives up and retries, rather than queue every send behind it. */
const REWRITE_LOCK_TIMEOUT = '2s';
/** The tables whose rows carry message text or who reacted. */
const PURGED_TABLES = ['messages', 'message_reactions'] as const;

/**
 * Makes purged text (deleted and edited messages, retention) leave the database files, off the
 * delivery path (docs/architecture.md, "Deleting honestly"). Every purge calls `request()`
 * afterwards; `compactNow()` runs a whole pass at once and waits for it (tests, retention's
 * last batch).
 *
 * SQLite: secure_delete already zeroes freed space in the main file; the old pages still sit in
 * the WAL until a checkpoint copies the new ones over and truncates it. One pass soon after.
 *
 * PostgreSQL keeps the dead row version until VACUUM removes it, and VACUUM does not zero the
 * space it frees: a long text can stay in a page's free space. Only a rewrite of the table
 * (VACUUM FULL: a new file with the live rows only) is sure to leave it behind, and it locks the
 * table while it runs. So a plain VACUUM soon after a purge (cheap, and enough for most texts)
 * and a rewrite at most every REWRITE_INTERVAL_MS while purges are waiting for one.
 */
@Injectable()
export class StorageCompactor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(StorageCompactor.name);
  private timer: NodeJS.Timeout | null = null;
  private rewriteTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** PostgreSQL: a purge happened since the last rewrite. */
  private rewriteDue = false;
  private lastRewriteAt = 0;
  private passes = 0;

  constructor(private readonly database: DatabaseService) {}

  /** Passes finished since start: lets a test wait for the one its purge requested. */
  get completedPasses(): number {
    return this.passes;
  }

  request(): void {
    if (!this.database.sqlite) this.rewriteDue = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run(false);
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  /** One whole pass now (after any pass already running), the PostgreSQL rewrite included; resolves when the freed bytes are out of the files. */
  async compactNow(): Promise<void> {
    if (!this.database.sqlite) this.rewriteDue = true;
    return this.pass(true);
  }

  /** A purge just before stopping is compacted before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    const pending = this.timer !== null || this.rewriteTimer !== null;
    for (const timer of [this.timer, this.rewriteTimer]) if (timer) clearTimeout(timer);
    this.timer = this.rewriteTimer = null;
    if (pending) await this.pass(true).catch(() => undefined);
    while (this.running) await this.running.catch(() => undefined);
  }

  private run(rewriteNow: boolean): void {
    this.pass(rewriteNow).catch((error: unknown) => this.logger.warn(`Compacting after a purge failed: ${String(error)}`));
  }

  private async pass(rewriteNow: boolean): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.compact(rewriteNow).finally(() => {
      this.running = null;
      this.passes++;
    });
    return this.running;
  }

  private async compact(rewriteNow: boolean): Promise<void> {
    const sqlite = this.database.sqlite;
    if (sqlite) {
      // TRUNCATE: copy every frame into the main file (where secure_delete zeroed the old
      // bytes) and empty the WAL, whose older frames still hold them. A reader in the middle of
      // a read keeps the WAL busy: then the next pass finishes the job.
      const [result] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result?.busy) this.request();
      return;
    }
    const wait = this.lastRewriteAt + REWRITE_INTERVAL_MS - Date.now();
    if (this.rewriteDue && (rewriteNow || wait <= 0)) {
      await this.rewrite();
      return;
    }
    for (const table of PURGED_TABLES) await sql`vacuum ${sql.table(table)}`.execute(this.database.db);
    if (this.rewriteDue && !this.rewriteTimer) {
      this.rewriteTimer = setTimeout(() => {
        this.rewriteTimer = null;
        this.run(true);
      }, wait);
      this.rewriteTimer.unref();
    }
  }

  /** VACUUM FULL: the tables copied to new files, live rows only; the old files are removed. */
  private async rewrite(): Promise<void> {
    this.rewriteDue = false;
    try {
      await this.database.db.connection().execute(async (connection) => {
        await sql.raw(`set lock_timeout = '${REWRITE_LOCK_TIMEOUT}'`).execute(connection);
        try {
          for (const table of PURGED_TABLES) await sql`vacuum full ${sql.table(table)}`.execute(connection);
        } finally {
          await sql`reset lock_timeout`.execute(connection);
        }
      });
      this.lastRewriteAt = Date.now();
    } catch (error) {
      // Not done: try again at the next interval.
      this.rewriteDue = true;
      this.lastRewriteAt = Date.now();
      this.request();
      throw error;
    }
  }
}
