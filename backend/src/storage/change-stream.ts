import { Injectable } from '@nestjs/common';
import { type Compilable, type Kysely, sql } from 'kysely';
import type { Statement } from 'better-sqlite3';
import { DatabaseService } from './database.service';
import type { Database } from './database.types';
import { MESSAGE_ORDER_LOCK } from './message.repository';

/**
 * Writes that take a place in the stream (docs/architecture.md, "Changes in the stream"): an
 * edit, a delete, a reaction, a read mark moving. Each draws its position (`rev`) from the same
 * counter as message ids and commits in that order, so a reader that has seen position n has seen
 * every message and change below it, on SQLite and PostgreSQL, from any node.
 *
 * The work is a list of queries built once the position is known. On SQLite they run in one
 * synchronous transaction on the raw connection, as message inserts do, so nothing else can run in
 * the middle of it (a Kysely transaction there would wait across ticks, and a message insert in
 * between would join it). On PostgreSQL they run under the message order lock.
 */
@Injectable()
export class ChangeStream {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly database: DatabaseService) {}

  /**
   * Runs `build(rev)`'s queries in one transaction at a new stream position; answers the
   * position and the rows each query returned (RETURNING, or a select).
   */
  async write(build: (rev: number) => readonly Compilable[]): Promise<{ rev: number; results: unknown[][] }> {
    const sqlite = this.database.sqlite;
    if (sqlite) {
      // Messages are committed by the writer thread and delivered when its answer comes back: a
      // position drawn before that answer would be emitted ahead of messages below it.
      await this.database.messagesSettled();
      return sqlite.transaction(() => {
        // AUTOINCREMENT keeps its counter in sqlite_sequence: taking the next value there reserves
        // it, and the next message gets the one after (an id is never reused, even deleted).
        // Its row appears with the first message; a change can come first (a read mark on an
        // empty group), so it is created at 0 then, which is what AUTOINCREMENT would start from.
        this.statement("insert into sqlite_sequence (name, seq) select 'messages', 0 where not exists (select 1 from sqlite_sequence where name = 'messages')").run();
        const { seq } = this.statement("update sqlite_sequence set seq = seq + 1 where name = 'messages' returning seq").get() as { seq: number };
        const results = build(seq).map((query) => {
          const compiled = query.compile();
          const statement = this.statement(compiled.sql);
          const parameters = compiled.parameters as unknown[];
          return statement.reader ? (statement.all(...parameters) as unknown[]) : (statement.run(...parameters), []);
        });
        return { rev: seq, results };
        // IMMEDIATE: messages are committed by the writer thread's connection; the lock taken at
        // BEGIN waits for it, where a deferred one could fail with SQLITE_BUSY after reading.
      }).immediate();
    }
    return this.database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MESSAGE_ORDER_LOCK}::bigint)`.execute(trx);
      const { rows } = await sql<{ rev: string }>`select nextval(pg_get_serial_sequence('messages', 'id')) as rev`.execute(trx);
      const rev = Number(rows[0].rev);
      const results: unknown[][] = [];
      for (const query of build(rev)) results.push((await trx.executeQuery(query.compile())).rows as unknown[]);
      return { rev, results };
    });
  }

  /**
   * The stream's committed head: every position at or below it is committed (or was given up), so
   * a reader that asks for the stream up to it, after asking this, misses nothing. On PostgreSQL a
   * drawn number may still be in a writer's open transaction; the shared side of the order lock
   * waits for that writer to commit (a moment: one group commit), and blocks none of the readers.
   */
  async head(): Promise<number> {
    const sqlite = this.database.sqlite;
    if (sqlite) {
      // Writes here are synchronous transactions on this one connection: what it reads is committed.
      const row = this.statement("select seq from sqlite_sequence where name = 'messages'").get() as { seq: number } | undefined;
      return row?.seq ?? 0;
    }
    return this.database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock_shared(${MESSAGE_ORDER_LOCK}::bigint)`.execute(trx);
      const { rows } = await sql<{ head: string }>`
        select case when is_called then last_value else 0 end as head
        from ${sql.raw(await this.sequenceName(trx))}`.execute(trx);
      return Number(rows[0].head);
    });
  }

  private sequence: string | null = null;

  /** The messages id sequence, quoted and schema-qualified, as PostgreSQL names it (looked up once). */
  private async sequenceName(trx: Kysely<Database>): Promise<string> {
    if (this.sequence === null) {
      const { rows } = await sql<{ name: string }>`select pg_get_serial_sequence('messages', 'id') as name`.execute(trx);
      this.sequence = rows[0].name;
    }
    return this.sequence;
  }

  private statement(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.database.sqlite!.prepare(text);
      // A few query shapes, but an `in (...)` list makes one per length: bounded all the same.
      if (this.statements.size >= 256) this.statements.clear();
      this.statements.set(text, statement);
    }
    return statement;
  }
}
