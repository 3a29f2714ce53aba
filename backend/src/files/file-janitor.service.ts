import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FileRepository } from '../storage/file.repository';
import { FileStore } from './file-store';

/** How often unattached uploads and unreferenced copies are looked for. */
export const JANITOR_INTERVAL_MS = 15 * 60_000;
/** Copies removed per sweep query; a sweep repeats until none is left. */
const SWEEP_BATCH = 500;
/** Temp files older than this are left over from an upload a crash cut off. */
const STALE_TEMP_MS = 24 * 3_600_000;

/**
 * Removes what no one can reach any more: uploads never attached after
 * PARLEY_FILES_UNATTACHED_HOURS, and stored copies no file row refers to (after a message's
 * delete, retention, or those uploads). Runs on start, every JANITOR_INTERVAL_MS, and right
 * after a delete or a retention pass.
 *
 * Why this order: an upload registers its copy and inserts its row in one transaction, then
 * moves the bytes into place. A sweep moves an unreferenced copy aside, then unregisters it only
 * if still no row refers to it, and only then deletes it; otherwise it puts it back. Whatever
 * the interleaving with an upload of the same bytes (on this node or another sharing the
 * folder), a copy a row refers to ends up in place, without a lock between nodes.
 */
@Injectable()
export class FileJanitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FileJanitor.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly files: FileRepository,
    private readonly store: FileStore,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // A failed pass is logged by serially(); the next one tries again.
    const pass = () => void this.tick().catch(() => undefined);
    pass();
    this.timer = setInterval(pass, JANITOR_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One full pass; also what tests call. Answers what it removed. */
  async tick(): Promise<{ unattached: number; copies: number }> {
    return this.serially(async () => {
      const cutoff = Date.now() - this.config.values.PARLEY_FILES_UNATTACHED_HOURS * 3_600_000;
      const unattached = await this.files.removeUnattachedBefore(cutoff);
      const copies = await this.removeEveryOrphan();
      await this.store.clearStaleTemp(Date.now() - STALE_TEMP_MS);
      if (unattached > 0 || copies > 0) this.logger.log(`Removed ${unattached} unattached upload(s) and ${copies} stored cop${copies === 1 ? 'y' : 'ies'}`);
      return { unattached, copies };
    });
  }

  /** Removes these copies if no row refers to them any more (after a delete); answers how many went. */
  async sweep(sha256s: readonly string[]): Promise<number> {
    return this.serially(async () => this.removeAll(await this.files.orphanBlobs(sha256s.length, sha256s)));
  }

  /** Every unreferenced copy (after retention). */
  async sweepAll(): Promise<number> {
    return this.serially(() => this.removeEveryOrphan());
  }

  private async removeEveryOrphan(): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await this.files.orphanBlobs(SWEEP_BATCH);
      const gone = await this.removeAll(batch);
      removed += gone;
      // A full batch that all went back (uploads of the same bytes meanwhile) is not looked at again now.
      if (batch.length < SWEEP_BATCH || gone === 0) return removed;
    }
  }

  private async removeAll(sha256s: readonly string[]): Promise<number> {
    let removed = 0;
    for (const sha256 of sha256s) {
      const aside = await this.store.setAside(sha256);
      if (await this.files.forgetIfOrphan(sha256)) {
        if (aside) await this.store.deleteAside(aside);
        removed += 1;
      } else if (aside) {
        await this.store.putBack(aside, sha256);
      }
    }
    return removed;
  }

  /** One pass at a time on this node: a delete's sweep waits for a running tick. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.catch((error: unknown) => this.logger.error(`File cleanup failed: ${String(error)}`));
    return next;
  }
}
