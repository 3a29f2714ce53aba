import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { sql } from 'kysely';
import { DatabaseService } from './database.service';
import { SearchRepository } from './search.repository';

/** SQLite: messages indexed per transaction; small enough that sends wait a few milliseconds at most. */
export const BACKFILL_BATCH = 1_000;
/** SQLite: how often new messages waiting in search_pending are indexed when no search did it first. */
const PENDING_INTERVAL_MS = 1_000;

/**
 * Indexes the messages stored before search existed, while the server runs (the migration
 * "0010-search-index" only prepares the index; docs/architecture.md, "Search"):
 * - SQLite: batches of BACKFILL_BATCH ids, newest first (what people look for first is found
 *   first), each batch and the move of `search_backfill.below` in one transaction, the event
 *   loop free between batches. Stopping halfway is safe: the next start goes on from `below`.
 * - PostgreSQL: CREATE INDEX CONCURRENTLY, which lets writes go on while it builds; one node of
 *   a cluster builds (a per-schema advisory lock), the others find it built on their next start.
 *   A build cut short leaves an invalid index, dropped and built again on the next start.
 * Until it finishes, search answers from what is indexed (SQLite) or without the index, more
 * slowly (PostgreSQL).
 */
@Injectable()
export class SearchIndexBuilder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SearchIndexBuilder.name);
  private running: Promise<void> | null = null;
  private stopping = false;
  /** PostgreSQL: the backend building the index, cancelled on shutdown. */
  private builderPid: number | null = null;

  private pendingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly database: DatabaseService,
    private readonly search: SearchRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.database.sqlite) {
      // New messages wait in search_pending (listed in their own transaction) until a search or
      // this timer indexes them, many per FTS5 segment.
      this.pendingTimer = setInterval(() => this.indexPending(), PENDING_INTERVAL_MS);
      this.pendingTimer.unref();
    }
    this.running = this.build()
      .catch((error: unknown) => {
        if (!this.stopping) this.logger.warn(`Building the search index failed; search works without it, more slowly: ${String(error)}`);
      })
      .finally(() => (this.running = null));
  }

  /** Resolves once the index holds every message (or the build stopped); for tests and the bench. */
  async whenBuilt(): Promise<void> {
    await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.pendingTimer) clearInterval(this.pendingTimer);
    this.pendingTimer = null;
    if (this.builderPid !== null) {
      await sql`select pg_cancel_backend(${this.builderPid})`.execute(this.database.db).catch(() => undefined);
    }
    await this.running;
  }

  private async build(): Promise<void> {
    if (this.database.sqlite) {
      await this.backfillSqlite();
      // What was imported while the server was stopped (rows written straight into the file).
      while (!this.stopping && this.search.indexPending(BACKFILL_BATCH) > BACKFILL_BATCH) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    } else {
      await this.buildPostgres();
    }
  }

  /** Everything listed, a batch per turn of the event loop; one drain at a time. */
  private indexPending(): void {
    if (this.draining) return;
    this.draining = true;
    const turn = () => {
      try {
        if (!this.stopping && this.search.indexPending(BACKFILL_BATCH) > BACKFILL_BATCH) {
          setImmediate(turn);
          return;
        }
      } catch (error) {
        this.logger.warn(`Indexing new messages for search failed; the next search or tick tries again: ${String(error)}`);
      }
      this.draining = false;
    };
    turn();
  }

  private draining = false;

  private async backfillSqlite(): Promise<void> {
    const sqlite = this.database.sqlite!;
    const below = sqlite.prepare('select below from search_backfill where id = 1').pluck();
    const lowest = (sqlite.prepare('select min(id) from messages').pluck().get() as number | null) ?? 0;
    const index = sqlite.prepare(`insert into messages_search (rowid, body) select id, body from messages where id >= ? and id < ? and body != ''`);
    const move = sqlite.prepare('update search_backfill set below = ? where id = 1');
    const batch = sqlite.transaction((from: number, to: number) => {
      index.run(from, to);
      move.run(from);
    });
    let next = below.get() as number;
    if (next <= lowest) return;
    const started = Date.now();
    const total = next - lowest;
    this.logger.log(`Indexing ${total} stored message ids for search, newest first`);
    while (next > lowest && !this.stopping) {
      const from = Math.max(lowest, next - BACKFILL_BATCH);
      batch.immediate(from, next);
      next = from;
      // Sends and reads run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (next <= lowest) this.logger.log(`Search index built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  private async buildPostgres(): Promise<void> {
    await this.database.db.connection().execute(async (connection) => {
      const key = sql`hashtext(current_schema() || '.messages_search_trgm')`;
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}) as locked`.execute(connection);
      if (!rows[0].locked) return;
      try {
        const state = await sql<{ valid: boolean }>`
          select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
          where c.relname = 'messages_search_trgm' and c.relnamespace = current_schema()::regnamespace`.execute(connection);
        if (state.rows[0]?.valid) return;
        const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        this.builderPid = pid.rows[0].pid;
        if (this.stopping) return;
        const started = Date.now();
        if (state.rows.length > 0) await sql`drop index concurrently if exists messages_search_trgm`.execute(connection);
        // A shutdown during the drop found nothing to cancel yet: it must not wait for a whole build.
        if (this.stopping) return;
        await sql`create index concurrently messages_search_trgm on messages using gin (parley_fold(body) public.gin_trgm_ops)`.execute(connection);
        // SearchRepository's plan (GIN bitmap or a walk newest first) rests on how many rows the
        // planner thinks a LIKE matches, read from a sample of parley_fold(body); with the
        // default 100-entry sample it took a word in 3 % of messages for rare (and rechecked all
        // of them) while walking for a phrase in 0.5 %. Ten times as many entries tell them
        // apart (bench, "Search"); ANALYZE then samples more rows, seconds per million.
        await sql`alter index messages_search_trgm alter column 1 set statistics 1000`.execute(connection);
        await sql`analyze messages`.execute(connection);
        this.logger.log(`Search index built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        this.builderPid = null;
        await sql`select pg_advisory_unlock(${key})`.execute(connection).catch(() => undefined);
      }
    });
  }
}
