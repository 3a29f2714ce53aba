import { Injectable } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import type { Statement } from 'better-sqlite3';
import { DatabaseService } from './database.service';
import type { Database, RetentionOverridesTable } from './database.types';

export type RetentionOverrideRow = RetentionOverridesTable;

/** Which messages one purge walks: one conversation's, or every conversation without an override. */
export type PurgeScope = { conversation: string } | { withoutOverride: true };

/** PostgreSQL advisory lock key: one retention pass at a time across nodes ("RETENT" in ASCII). */
export const RETENTION_PASS_LOCK = 0x524554454e54;

/**
 * Retention overrides and the retention purge. Messages are removed by id, a bounded batch per
 * transaction, so no single write holds the database (and the delivery path) for long.
 */
@Injectable()
export class RetentionRepository {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  async listOverrides(): Promise<RetentionOverrideRow[]> {
    return this.db.selectFrom('retention_overrides').selectAll().orderBy('conversation').execute();
  }

  async setOverride(row: RetentionOverrideRow): Promise<void> {
    await this.db
      .insertInto('retention_overrides')
      .values(row)
      .onConflict((oc) => oc.column('conversation').doUpdateSet({ days: row.days, updated_at: row.updated_at, updated_by: row.updated_by }))
      .execute();
  }

  /** Whether there was one. */
  async removeOverride(conversation: string): Promise<boolean> {
    const result = await this.db.deleteFrom('retention_overrides').where('conversation', '=', conversation).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Removes up to `limit` of the oldest messages of `scope` sent before `cutoff` (their reactions
   * go with them: ON DELETE CASCADE); answers how many. On SQLite one synchronous transaction on
   * the raw connection, as message inserts are (a Kysely transaction there spans ticks, and an
   * insert in between would join it).
   */
  async purgeBatch(scope: PurgeScope, cutoff: number, limit: number): Promise<number> {
    const sqlite = this.database.sqlite;
    if (sqlite) {
      const compiled = this.oldestIds(this.db, scope, cutoff, limit).compile();
      const select = this.statement(compiled.sql);
      const remove = this.statement('delete from messages where id in (select value from json_each(?))');
      return sqlite.transaction(() => {
        const ids = (select.all(...(compiled.parameters as unknown[])) as { id: number }[]).map((row) => row.id);
        return ids.length === 0 ? 0 : remove.run(JSON.stringify(ids)).changes;
        // IMMEDIATE, as ChangeStream.write: it reads before it deletes, beside the writer thread.
      }).immediate();
    }
    return this.db.transaction().execute(async (trx) => {
      const ids = (await this.oldestIds(trx, scope, cutoff, limit).execute()).map((row) => row.id);
      if (ids.length === 0) return 0;
      const result = await trx.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /**
   * Runs `pass` unless another node is running one (PostgreSQL: a session advisory try-lock held
   * on a connection of its own for the whole pass); answers undefined when skipped. SQLite is one
   * node: always runs.
   */
  async exclusivePass<T>(pass: () => Promise<T>): Promise<T | undefined> {
    if (this.database.dialect !== 'postgres') return pass();
    return this.db.connection().execute(async (connection) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${RETENTION_PASS_LOCK}::bigint) as locked`.execute(connection);
      if (!rows[0]?.locked) return undefined;
      try {
        return await pass();
      } finally {
        await sql`select pg_advisory_unlock(${RETENTION_PASS_LOCK}::bigint)`.execute(connection);
      }
    });
  }

  private oldestIds(db: Kysely<Database>, scope: PurgeScope, cutoff: number, limit: number) {
    let query = db.selectFrom('messages').select('id').where('sent_at', '<', cutoff);
    query =
      'conversation' in scope
        ? query.where('conversation', '=', scope.conversation)
        : query.where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('retention_overrides').select('days').whereRef('retention_overrides.conversation', '=', 'messages.conversation'))),
          );
    return query.orderBy('id').limit(limit);
  }

  private statement(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.database.sqlite!.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}
