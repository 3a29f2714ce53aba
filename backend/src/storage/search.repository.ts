import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { DatabaseService } from './database.service';
import type { MessageRow } from './database.types';
import type { Visibility } from './message.repository';

/** What one search asks storage for; terms are folded (foldForSearch) and all required. */
export interface SearchCriteria {
  viewer: Visibility;
  terms: readonly string[];
  /** Only this conversation (its storage key). */
  conversation?: string;
  senderId?: number;
  /** sent_at at or after, in ms. */
  sentFrom?: number;
  /** sent_at before, in ms. */
  sentBefore?: number;
  /** Only ids below this (the next page). */
  belowId?: number;
}

/**
 * SQLite: new messages a search indexes first, at most (SearchRepository.indexPending). More
 * waiting means a bulk import, which the builder indexes in the background: the event loop is
 * not held for all of it by one search.
 */
export const CATCH_UP_MAX = 5_000;

/** The shortest term a trigram index can look up; shorter ones are matched by scanning. */
export const TRIGRAM = 3;

const escapeLike = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);
const characters = (text: string) => [...text].length;
const all = (conditions: readonly RawBuilder<SqlBool>[]) => sql<SqlBool>`${sql.join(conditions, sql` and `)}`;

/**
 * Finds candidate messages for a search, newest first: every message the viewer may see (the
 * visibility sync reads with), not deleted, inside the filters, whose text the database thinks
 * contains every term. SearchService checks each candidate again (the same fold in both
 * databases) before answering, so storage may over-match but must not miss.
 */
@Injectable()
export class SearchRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * SQLite: moves up to `max` new messages from search_pending into the FTS5 index, oldest
   * first, in one transaction (one FTS5 segment for all of them); returns how many were
   * waiting before. PostgreSQL indexes as it writes: nothing to do.
   */
  indexPending(max: number): number {
    const sqlite = this.database.sqlite;
    if (!sqlite) return 0;
    this.pendingStatements ??= {
      waiting: sqlite.prepare('select count(*) from search_pending').pluck(),
      upTo: sqlite.prepare('select max(id) from (select id from search_pending order by id limit ?)').pluck(),
      index: sqlite.prepare(
        `insert into messages_search (rowid, body) select m.id, m.body from search_pending p join messages m on m.id = p.id where p.id <= ? and m.body != ''`,
      ),
      done: sqlite.prepare('delete from search_pending where id <= ?'),
    };
    const { waiting, upTo, index, done } = this.pendingStatements;
    // Asked first outside a transaction: most searches find nothing waiting and take no write lock.
    if ((waiting.get() as number) === 0) return 0;
    // IMMEDIATE, as ChangeStream.write: it reads before it writes, beside the writer thread.
    return sqlite.transaction(() => {
      const count = waiting.get() as number;
      if (count === 0) return 0;
      const last = upTo.get(max) as number;
      index.run(last);
      done.run(last);
      return count;
    }).immediate();
  }

  private pendingStatements?: Record<'waiting' | 'upTo' | 'index' | 'done', Statement>;

  async candidates(criteria: SearchCriteria, limit: number): Promise<MessageRow[]> {
    // Every message committed before this search is in the index when it runs.
    this.indexPending(CATCH_UP_MAX);
    const db = this.database.db;
    const long = criteria.terms.filter((term) => characters(term) >= TRIGRAM);

    if (this.database.dialect === 'postgres') {
      // parley_fold(body) is what the GIN trigram index holds; LIKE on it uses the index for
      // terms of three or more characters and checks shorter ones row by row. The planner
      // chooses between the GIN bitmap (every match, then sorted) and walking the primary key
      // backwards until the limit, by how common the terms are (SearchIndexBuilder raises the
      // statistics behind that estimate). Without parallel workers: a parallel walk looks cheap
      // to it for rare terms, but each worker still folds every row it passes. The term goes
      // through parley_fold too: unaccent folds further than the service (ł, ø, ß, œ, æ become
      // l, o, ss, oe, ae), and a term folded only one way would miss the text folded both.
      const text = criteria.terms.map((term) => sql<SqlBool>`parley_fold(m.body) like parley_fold(${`%${escapeLike(term)}%`})`);
      return db.transaction().execute(async (trx) => {
        await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
        return trx
          .selectFrom('messages as m')
          .selectAll('m')
          .where(all([...this.conditions(criteria, false), ...text]))
          .orderBy('m.id', 'desc')
          .limit(limit)
          .execute();
      });
    }

    if (long.length === 0) {
      // No term the trigram index can look up: walk the messages newest first (the primary key
      // backwards, or the conversation's or sender's index when filtered), stopping at the limit.
      // Each is looked for in the folded text (parley_fold: the service's fold, registered on
      // the connection), so accents and case fold as for longer terms.
      const text = criteria.terms.map((term) => sql<SqlBool>`instr(parley_fold(m.body), ${term}) > 0`);
      return db
        .selectFrom('messages as m')
        .selectAll('m')
        .where(all([...this.conditions(criteria, true), ...text]))
        .orderBy('m.id', 'desc')
        .limit(limit)
        .execute();
    }
    const match = long.map((term) => `"${term.replace(/"/g, '""')}"`).join(' AND ');
    if (criteria.conversation !== undefined || criteria.senderId !== undefined) {
      // A conversation or a sender narrows the messages more than the words do: their index
      // (conversation or sender, then id) is walked newest first, each row probed in the set of
      // the index's matches.
      return db
        .selectFrom('messages as m')
        .selectAll('m')
        .where(all([...this.conditions(criteria, false), sql<SqlBool>`m.id in (select rowid from messages_search where messages_search match ${match})`]))
        .orderBy('m.id', 'desc')
        .limit(limit)
        .execute();
    }
    // Otherwise the index is the outer loop (CROSS JOIN keeps SQLite from reordering), walked
    // newest first: FTS5 yields rowids in descending order as it reads its doclists, so the walk
    // stops at the limit instead of collecting every match first (as `id in (…)` does), each
    // match looked up by id and filtered.
    return db
      .selectFrom(sql<{ rowid: number }>`messages_search`.as('s'))
      .crossJoin('messages as m')
      .selectAll('m')
      .where(all([sql<SqlBool>`messages_search match ${match}`, sql<SqlBool>`m.id = s.rowid`, ...this.conditions(criteria, false, 's.rowid')]))
      .orderBy(sql`s.rowid`, 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Everything but the text: not deleted, visible to the viewer (the visibility sync reads
   * with), inside the filters. `walk`: SQLite must not answer the visibility OR from the
   * audience, sender and recipient indexes (`+` hides a column's index from its planner): it
   * would collect every visible message and sort them before taking the newest few.
   */
  private conditions(criteria: SearchCriteria, walk: boolean, id = 'm.id'): RawBuilder<SqlBool>[] {
    const hidden = (column: string) => sql.raw(`${walk ? '+' : ''}m.${column}`);
    const { viewer } = criteria;
    const visible = [
      ...(viewer.audiences.length > 0 ? [sql<SqlBool>`${hidden('audience')} in (${sql.join(viewer.audiences)})`] : []),
      sql<SqlBool>`${hidden('sender_id')} = ${viewer.userId}`,
      sql<SqlBool>`${hidden('recipient_id')} = ${viewer.userId}`,
    ];
    return [
      sql<SqlBool>`m.deleted_at is null`,
      sql<SqlBool>`(${sql.join(visible, sql` or `)})`,
      ...(criteria.conversation !== undefined ? [sql<SqlBool>`m.conversation = ${criteria.conversation}`] : []),
      ...(criteria.senderId !== undefined ? [sql<SqlBool>`m.sender_id = ${criteria.senderId}`] : []),
      ...(criteria.sentFrom !== undefined ? [sql<SqlBool>`m.sent_at >= ${criteria.sentFrom}`] : []),
      ...(criteria.sentBefore !== undefined ? [sql<SqlBool>`m.sent_at < ${criteria.sentBefore}`] : []),
      ...(criteria.belowId !== undefined ? [sql<SqlBool>`${sql.raw(id)} < ${criteria.belowId}`] : []),
    ];
  }
}
