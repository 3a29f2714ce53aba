import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { type Expression, type SqlBool, sql } from 'kysely';
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
    return sqlite.transaction(() => {
      const count = waiting.get() as number;
      if (count === 0) return 0;
      const last = upTo.get(max) as number;
      index.run(last);
      done.run(last);
      return count;
    })();
  }

  private pendingStatements?: Record<'waiting' | 'upTo' | 'index' | 'done', Statement>;

  async candidates(criteria: SearchCriteria, limit: number): Promise<MessageRow[]> {
    // Every message committed before this search is in the index when it runs.
    this.indexPending(CATCH_UP_MAX);
    const db = this.database.db;
    const long = criteria.terms.filter((term) => characters(term) >= TRIGRAM);
    const visible = (m: 'm' | 'messages') =>
      db
        .selectFrom(`messages as ${m}` as 'messages as m')
        .selectAll('m')
        .where('m.deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            ...(criteria.viewer.audiences.length > 0 ? [eb('m.audience', 'in', criteria.viewer.audiences)] : []),
            eb('m.sender_id', '=', criteria.viewer.userId),
            eb('m.recipient_id', '=', criteria.viewer.userId),
          ]),
        )
        .$if(criteria.conversation !== undefined, (q) => q.where('m.conversation', '=', criteria.conversation!))
        .$if(criteria.senderId !== undefined, (q) => q.where('m.sender_id', '=', criteria.senderId!))
        .$if(criteria.sentFrom !== undefined, (q) => q.where('m.sent_at', '>=', criteria.sentFrom!))
        .$if(criteria.sentBefore !== undefined, (q) => q.where('m.sent_at', '<', criteria.sentBefore!))
        .$if(criteria.belowId !== undefined, (q) => q.where('m.id', '<', criteria.belowId!));

    if (this.database.dialect === 'postgres') {
      // parley_fold(body) is what the GIN trigram index holds; LIKE on it uses the index for
      // terms of three or more characters and checks shorter ones row by row. The term goes
      // through parley_fold too: unaccent folds further than the service (ł, ø, ß, œ, æ become
      // l, o, ss, oe, ae), and a term folded only one way would miss the text folded both.
      let query = visible('m');
      for (const term of criteria.terms) {
        query = query.where(sql<SqlBool>`parley_fold(m.body) like parley_fold(${`%${escapeLike(term)}%`})`);
      }
      return query.orderBy('m.id', 'desc').limit(limit).execute();
    }

    if (long.length === 0) {
      // No term the trigram index can look up: walk the visible messages newest first. LIKE
      // narrows them (ASCII case folded); the service's check decides.
      let query = visible('m');
      for (const term of criteria.terms) {
        query = query.where(sql<SqlBool>`m.body like ${`%${escapeLike(term)}%`} escape '\\'`);
      }
      return query.orderBy('m.id', 'desc').limit(limit).execute();
    }
    // The index walked newest first (FTS5 gives rowids in descending order without sorting),
    // each match looked up by id and filtered; the walk stops at the limit.
    const match = long.map((term) => `"${term.replace(/"/g, '""')}"`).join(' AND ');
    const matching: Expression<SqlBool> = sql<SqlBool>`m.id in (select rowid from messages_search where messages_search match ${match})`;
    return visible('m')
      .where(matching)
      .orderBy('m.id', 'desc')
      .limit(limit)
      .execute();
  }
}
