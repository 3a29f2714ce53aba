import { setImmediate as nextTurn } from 'node:timers/promises';
import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditActions } from '@parley/contract';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { type PurgeScope, RetentionRepository } from '../storage/retention.repository';
import { StorageCompactor } from '../storage/storage-compactor';
import { FileJanitor } from '../files/file-janitor.service';
import { ConversationNames } from './conversation-names.service';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Messages removed per transaction: each batch is a few milliseconds of writing, then delivery gets its turn. */
export const PURGE_BATCH = 1_000;
/** The first pass after start: soon, but after the start-up rush of reconnecting clients. */
const FIRST_PASS_DELAY_MS = 30_000;

/** What one setting (an override, or the global default) removed in one pass. */
export interface PurgeResult {
  /** The admin's name of the overridden conversation; absent for PARLEY_RETENTION_DAYS. */
  conversation?: string;
  days: number;
  cutoff: number;
  removed: number;
}

/**
 * The retention job (docs/architecture.md, "Retention and export"): every
 * PARLEY_RETENTION_INTERVAL_SECONDS, removes the messages older than their conversation's
 * retention (its override, else PARLEY_RETENTION_DAYS), rows and reactions, in batches; then asks
 * the compactor to push the freed text out of the files. Removals take no stream position: the
 * ids are simply gone, for sync and history alike.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PurgeResult[] | undefined> | null = null;
  private stopping = false;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly names: ConversationNames,
    private readonly compactor: StorageCompactor,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly janitor: FileJanitor,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(FIRST_PASS_DELAY_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /**
   * One pass now (or joins the one running). Answers what each setting removed, or undefined when
   * another node holds the pass.
   */
  runPass(now = Date.now()): Promise<PurgeResult[] | undefined> {
    this.running ??= this.repository.exclusivePass(() => this.pass(now)).finally(() => (this.running = null));
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.runPass()
        .catch((error: unknown) => this.logger.error(`Retention pass failed: ${String(error)}`))
        .finally(() => this.schedule(this.config.values.PARLEY_RETENTION_INTERVAL_SECONDS * 1000));
    }, delayMs);
    // The job never keeps the process alive on its own.
    this.timer.unref();
  }

  private async pass(now: number): Promise<PurgeResult[]> {
    const results: PurgeResult[] = [];
    for (const override of await this.repository.listOverrides()) {
      if (override.days === 0) continue;
      const cutoff = now - override.days * DAY_MS;
      const removed = await this.purge({ conversation: override.conversation }, cutoff);
      results.push({ conversation: await this.names.toName(override.conversation), days: override.days, cutoff, removed });
    }
    const days = this.config.values.PARLEY_RETENTION_DAYS;
    if (days !== undefined) {
      const cutoff = now - days * DAY_MS;
      results.push({ days, cutoff, removed: await this.purge({ withoutOverride: true }, cutoff) });
    }
    const removed = results.filter((result) => result.removed > 0);
    if (removed.length > 0) {
      this.compactor.request();
      // The removed messages' file rows went with them (ON DELETE CASCADE); now their bytes.
      await this.janitor.sweepAll();
    }
    for (const result of removed) {
      await this.audit.record(null, AuditActions.RetentionPurged, result.conversation ?? null, {
        removed: result.removed,
        cutoff: new Date(result.cutoff).toISOString(),
        days: result.days,
        setting: result.conversation === undefined ? 'PARLEY_RETENTION_DAYS' : 'override',
      });
    }
    return results;
  }

  /** Batches until none is left (or the server stops), yielding to delivery between batches. */
  private async purge(scope: PurgeScope, cutoff: number): Promise<number> {
    let total = 0;
    while (!this.stopping) {
      const removed = await this.repository.purgeBatch(scope, cutoff, PURGE_BATCH);
      total += removed;
      if (removed < PURGE_BATCH) break;
      await nextTurn();
    }
    return total;
  }
}
