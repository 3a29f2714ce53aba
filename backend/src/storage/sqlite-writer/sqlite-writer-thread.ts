import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { MessageRow, NewMessageRow } from '../database.types';
import type { InsertedMessage } from '../message.repository';
import { INSERT_COLUMNS, sqliteMessageInserter } from './sqlite-message-inserter';

/** What the thread was asked to set on its connection, as the main connection has it. */
export interface WriterPragmas {
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs: number;
}

/**
 * A batch's answer: per message, the new row's id, or the whole result for a duplicate (the
 * earlier row). Ids alone because copying rows between threads is this path's main cost
 * (structured clone, both ways); the main thread has the rest of a new row already.
 */
type Reply = { id: number; results: Array<number | InsertedMessage> } | { id: number; error: { message: string; code?: string } };

/** A write the thread refused; carries SQLite's code (SQLITE_CONSTRAINT_...) when it had one. */
export class SqliteWriteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * The row a new message became, as `insert … returning *` gives it: its columns as sent (null
 * where not given), its id, and no change yet.
 */
export function storedRow(message: NewMessageRow, id: number): MessageRow {
  const row: Record<string, unknown> = { id, rev: null, edited_at: null, deleted_at: null };
  for (const column of INSERT_COLUMNS) row[column] = message[column] ?? null;
  return row as unknown as MessageRow;
}

/*
 * The thread's program, as text: Node starts it with `eval`, which needs no file of its own, so
 * the same code runs from the TypeScript sources (tests) and the build (dist/). It requires
 * better-sqlite3 by the path the main thread resolved, and inlines sqliteMessageInserter.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('secure_delete = ON');
const insertBatch = (${sqliteMessageInserter.toString()})(db, workerData.columns);
parentPort.on('message', (request) => {
  if (request.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  try {
    const results = insertBatch(request.rows).map((result) => (result.duplicate ? result : result.row.id));
    parentPort.postMessage({ id: request.id, results });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: { message: String(error && error.message || error), code: error && error.code } });
  }
});
`;

/**
 * SQLite's message writer on a thread of its own, with its own connection to the same file: the
 * COMMIT and its fsync (synchronous = FULL) happen there, so the event loop keeps reading,
 * routing and delivering while the disk syncs, and MessageWriter fills the next batch meanwhile.
 * One batch at a time, in order (MessageWriter sends the next once this one is answered), so
 * ids are committed in the order they are drawn and sync stays gap-free. A batch is answered
 * only after its commit: acks still wait for the disk, the event loop does not.
 */
export class SqliteWriterThread {
  private readonly logger = new Logger(SqliteWriterThread.name);
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { rows: readonly NewMessageRow[]; resolve: (results: InsertedMessage[]) => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  /** Callers of settled() waiting for the batches in flight to be answered and delivered. */
  private settleWaiters: Array<() => void> = [];
  /** Batches held back while a settled() caller writes: posted once it has. */
  private held: Array<() => void> = [];
  private holding = false;
  private settling = false;

  constructor(file: string, pragmas: WriterPragmas) {
    this.worker = new Worker(PROGRAM, {
      eval: true,
      workerData: { file, columns: INSERT_COLUMNS, betterSqlite3: require.resolve('better-sqlite3'), ...pragmas },
    });
    // A test that never shuts the app down must still be able to exit.
    this.worker.unref();
    this.worker.on('message', (reply: Reply | { closed: true }) => this.onReply(reply));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.failAll(new Error(`The SQLite writer thread stopped (exit code ${code})`));
    });
  }

  /** Why the thread stopped, once it has (every later batch fails with it); null while it runs. */
  get failed(): Error | null {
    return this.failure;
  }

  insertBatch(rows: readonly NewMessageRow[]): Promise<InsertedMessage[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('The SQLite writer thread is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const post = () => {
        // Held back while the thread died: nothing would ever answer it.
        if (this.failure) return reject(this.failure);
        this.waiting.set(id, { rows, resolve, reject });
        this.worker.postMessage({ id, rows });
      };
      if (this.holding) this.held.push(post);
      else post();
    });
  }

  /**
   * Resolves once every batch sent so far is answered and its messages delivered (a turn of the
   * event loop after the last answer, when the sends' continuations have run), and holds new
   * batches back until the turn after. A change (edit, reaction, read mark) takes its stream
   * position from the same counter on the main connection: written in that window, it comes
   * after every message committed before it *and* is emitted after them, so a client never
   * moves its sync cursor past messages it has not received yet.
   */
  settled(): Promise<void> {
    this.holding = true;
    return new Promise((resolve) => {
      this.settleWaiters.push(resolve);
      if (this.waiting.size === 0) this.settle();
    });
  }

  private settle(): void {
    if (this.settling) return;
    this.settling = true;
    setImmediate(() => {
      this.settling = false;
      if (this.waiting.size > 0) return;
      for (const resume of this.settleWaiters.splice(0)) resume();
      // The callers' synchronous writes run in the microtasks after this callback; held batches
      // go out in the next turn, after them.
      setImmediate(() => {
        if (this.settleWaiters.length > 0) return;
        this.holding = false;
        for (const post of this.held.splice(0)) post();
      });
    });
  }

  /** Answers what is in flight, then closes the thread's connection (checkpointing its WAL). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.failure) return resolve();
      this.holding = false;
      for (const post of this.held.splice(0)) post();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ close: true });
    });
    return this.closing;
  }

  private onReply(reply: Reply | { closed: true }): void {
    if ('closed' in reply) {
      void this.worker.terminate();
      return;
    }
    const waiter = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    if (!waiter) return;
    if ('results' in reply) waiter.resolve(reply.results.map((result, i) => (typeof result === 'number' ? { row: storedRow(waiter.rows[i], result), duplicate: false } : result)));
    else waiter.reject(new SqliteWriteError(reply.error.message, reply.error.code));
    if (this.waiting.size === 0 && this.settleWaiters.length > 0) this.settle();
  }

  private failAll(error: Error): void {
    this.logger.error(`SQLite writer thread failed: ${error.message}`);
    this.failure = error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    this.holding = false;
    for (const post of this.held.splice(0)) post();
    if (this.settleWaiters.length > 0) this.settle();
  }
}
