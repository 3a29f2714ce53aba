import { Injectable } from '@nestjs/common';
import {
  conversationIdOf,
  ErrorCodes,
  parseSearchQuery,
  SEARCH_RELEVANCE_WINDOW,
  type SearchAck,
  type SearchFilter,
  SearchQueryError,
  type SearchResult,
} from '@parley/contract';
import type { SearchDto } from '@parley/contract/schemas';
import { MessageHistoryService } from '../chat/message-history.service';
import { RecipientResolver } from '../chat/recipient-resolver.service';
import { ParleyError } from '../common/parley-error';
import type { MessageRow, UserRow } from '../storage/database.types';
import { type SearchCriteria, SearchRepository } from '../storage/search.repository';
import { findMatches, foldForSearch, relevanceOf, snippetOf } from './search-text';

/** Candidates read per query to storage; most are results (storage rarely over-matches). */
const CHUNK_MIN = 50;
/**
 * Candidates one request checks at most before answering with what it has and a cursor: a
 * query storage over-matches badly (short terms) answers in bounded time, and the client pages on.
 */
const SCAN_BUDGET = 2_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function invalid(message: string): ParleyError {
  return new ParleyError(ErrorCodes.InvalidQuery, message);
}

/**
 * Search over what the caller may read (docs/protocol.md, "search"): the same visibility as
 * sync (MessageHistoryService), conversations named as history names them, deleted messages
 * never, edited ones by their current text. Storage proposes candidates newest first; each is
 * checked here with the one fold (search-text.ts), which also marks the highlights.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly repository: SearchRepository,
    private readonly history: MessageHistoryService,
    private readonly resolver: RecipientResolver,
  ) {}

  async search(viewer: UserRow, dto: SearchDto): Promise<SearchAck> {
    const { terms, filters } = this.read(dto);
    const folded = [...new Set(terms.map(foldForSearch).filter((term) => term !== ''))];
    if (folded.length === 0 && Object.keys(filters).length === 0) throw invalid('Nothing to search for: give a word, a "phrase" or a filter');
    // Every check that can refuse the query comes before from: is looked up, so an unknown
    // sender's empty answer is the same as a known one's for every query (no name is confirmed).
    const cursor = this.cursor(dto.cursor, dto.order === 'relevance' ? 'r' : 'n');
    const criteria = await this.criteria(viewer, folded, filters, dto.tz);
    if (!criteria) return { results: [], next_cursor: null };
    return dto.order === 'relevance'
      ? this.byRelevance(viewer, criteria, dto.limit, cursor)
      : this.newestFirst(viewer, criteria, dto.limit, cursor?.at);
  }

  /** The query's words and filters, with the fields given on their own merged in (the same filter twice must agree). */
  private read(dto: SearchDto): { terms: string[]; filters: Partial<Record<SearchFilter, string>> } {
    let parsed;
    try {
      parsed = parseSearchQuery(dto.q);
    } catch (error) {
      if (error instanceof SearchQueryError) throw invalid(error.message);
      throw error;
    }
    const filters = { ...parsed.filters };
    for (const name of ['in', 'from', 'before', 'after', 'on'] as const) {
      const value = dto[name];
      if (value === undefined) continue;
      if (filters[name] !== undefined && filters[name] !== value) throw invalid(`Only one ${name}: filter per search`);
      filters[name] = value;
    }
    return { terms: parsed.terms, filters };
  }

  /** Filters made storage terms; null when they already rule out every message (someone unknown in from:). */
  private async criteria(
    viewer: UserRow,
    terms: string[],
    filters: Partial<Record<SearchFilter, string>>,
    tz: number,
  ): Promise<Omit<SearchCriteria, 'belowId'> | null> {
    const criteria: Omit<SearchCriteria, 'belowId'> = { viewer: await this.history.visibility(viewer), terms };
    if (filters.in !== undefined) {
      // The forms history accepts, plus #channel and @person as people type them.
      const name = filters.in.startsWith('#') ? `channel:${filters.in.slice(1)}` : filters.in.startsWith('@') ? `user:${filters.in.slice(1)}` : filters.in;
      criteria.conversation = (await this.history.locate(viewer, name)).key;
    }
    let from = -Infinity;
    let before = Infinity;
    if (filters.after !== undefined) from = Math.max(from, this.instant(filters.after, tz, 'after') + 1);
    if (filters.on !== undefined) {
      const day = this.instant(filters.on, tz, 'on');
      from = Math.max(from, day);
      before = Math.min(before, day + DAY_MS);
    }
    if (filters.before !== undefined) before = Math.min(before, this.instant(filters.before, tz, 'before'));
    if (Number.isFinite(from)) criteria.sentFrom = from;
    if (Number.isFinite(before)) criteria.sentBefore = before;
    if (filters.from !== undefined) {
      const sender = await this.resolver.byName(filters.from.replace(/^@/, ''));
      // No such person: nothing from them, answered as for someone who never wrote (names are not confirmed here).
      if (!sender) return null;
      criteria.senderId = sender.id;
    }
    return criteria;
  }

  /**
   * A date's start at `tz` (minutes east of UTC), or an ISO 8601 time. after:D means after that
   * whole day: its last millisecond is returned, so +1 lands on the next day.
   */
  private instant(value: string, tz: number, filter: SearchFilter): number {
    const date = DATE.exec(value);
    if (date) {
      const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
      const start = Date.UTC(year, month - 1, day);
      const check = new Date(start);
      if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) throw invalid(`${filter}: ${value} is not a date`);
      const local = start - tz * 60_000;
      return filter === 'after' ? local + DAY_MS - 1 : local;
    }
    if (filter !== 'on' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
      // A time without a zone is read at `tz`, as dates are (not in the server's zone).
      const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
      const at = Date.parse(zoned ? value : `${value}Z`);
      if (!Number.isNaN(at)) return zoned ? at : at - tz * 60_000;
    }
    throw invalid(`${filter}: expected a date as YYYY-MM-DD${filter === 'on' ? '' : ' or an ISO 8601 time'}, not "${value}"`);
  }

  /**
   * `n<id>`: newest first, below that id. `r<offset>.<top>`: relevance, that far into the
   * ranking of the matches at or below `top` (the newest match when the first page was asked
   * for), so messages sent between pages do not shift the ranking being paged through.
   */
  private cursor(cursor: string | undefined, kind: 'n' | 'r'): { at: number; top?: number } | undefined {
    if (cursor === undefined) return undefined;
    const match = /^([nr])(\d{1,15})(?:\.(\d{1,15}))?$/.exec(cursor);
    if (!match || match[1] !== kind || (kind === 'r') !== (match[3] !== undefined)) {
      throw invalid('This cursor belongs to another search: start again without it');
    }
    return { at: Number(match[2]), top: match[3] === undefined ? undefined : Number(match[3]) };
  }

  private async newestFirst(viewer: UserRow, criteria: Omit<SearchCriteria, 'belowId'>, limit: number, below: number | undefined): Promise<SearchAck> {
    const results: SearchResult[] = [];
    const chunk = Math.max(CHUNK_MIN, limit * 2);
    let scanned = 0;
    let last = below;
    let exhausted = false;
    while (results.length < limit && scanned < SCAN_BUDGET) {
      const rows = await this.repository.candidates({ ...criteria, belowId: last }, chunk);
      let consumed = 0;
      for (const row of rows) {
        consumed++;
        scanned++;
        last = row.id;
        const result = this.result(viewer, row, criteria.terms);
        if (result) results.push(result);
        if (results.length === limit) break;
      }
      if (rows.length < chunk && consumed === rows.length) {
        exhausted = true;
        break;
      }
    }
    return { results, next_cursor: exhausted || last === undefined ? null : `n${last}` };
  }

  /** The newest SEARCH_RELEVANCE_WINDOW matches, best first (then newest), a page at an offset. */
  private async byRelevance(
    viewer: UserRow,
    criteria: Omit<SearchCriteria, 'belowId'>,
    limit: number,
    cursor: { at: number; top?: number } = { at: 0 },
  ): Promise<SearchAck> {
    const matches: Array<{ result: SearchResult; score: number }> = [];
    // Later pages rank the same matches as the first: those at or below its newest.
    let last = cursor.top === undefined ? undefined : cursor.top + 1;
    let scanned = 0;
    while (matches.length < SEARCH_RELEVANCE_WINDOW && scanned < SCAN_BUDGET * 2) {
      const rows = await this.repository.candidates({ ...criteria, belowId: last }, SEARCH_RELEVANCE_WINDOW);
      for (const row of rows) {
        scanned++;
        last = row.id;
        const result = this.result(viewer, row, criteria.terms);
        if (result) matches.push({ result, score: relevanceOf(row.body, criteria.terms) });
        if (matches.length === SEARCH_RELEVANCE_WINDOW) break;
      }
      if (rows.length < SEARCH_RELEVANCE_WINDOW) break;
    }
    const top = cursor.top ?? matches[0]?.result.id;
    matches.sort((a, b) => b.score - a.score || b.result.id - a.result.id);
    const end = cursor.at + limit;
    const page = matches.slice(cursor.at, end).map((match) => match.result);
    return { results: page, next_cursor: end < matches.length ? `r${end}.${top}` : null };
  }

  private result(viewer: UserRow, row: MessageRow, terms: readonly string[]): SearchResult | null {
    const matches = findMatches(row.body, terms);
    if (!matches) return null;
    const { snippet, highlights } = snippetOf(row.body, matches);
    const result: SearchResult = {
      id: row.id,
      conversation: conversationIdOf({ target_kind: row.target_kind, target: row.target, sender_name: row.sender_username, guest: row.guest }, viewer.username),
      sender: row.sender_username,
      sender_role: row.sender_role,
      sent_at: new Date(row.sent_at).toISOString(),
      snippet,
      highlights,
    };
    if (row.edited_at !== null) result.edited = true;
    return result;
  }
}
