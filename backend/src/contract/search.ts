import type { ConversationId } from './conversation-id';
import type { Role } from './roles';

/*
 * Search (docs/protocol.md, "search"): the same fields over the socket event `search` and
 * GET /api/search. The query language is parsed here, with no dependency, so the web app can
 * show what a query asks for exactly as the server reads it.
 */

/** Results per page: `limit` defaults to 20; more than 50 is lowered to 50. */
export const SEARCH_PAGE = { default: 20, max: 50 } as const;
/** The longest `q` accepted, in characters. */
export const SEARCH_QUERY_MAX_CHARS = 256;
/** At most this many words and phrases in one query (filters not counted). */
export const SEARCH_TERMS_MAX = 8;
/** A snippet is at most about this many characters of the message, around its first match. */
export const SEARCH_SNIPPET_CHARS = 160;
/** `order: 'relevance'` ranks the newest this-many matches; newest first walks them all. */
export const SEARCH_RELEVANCE_WINDOW = 200;

export const SEARCH_ORDERS = ['newest', 'relevance'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

/** The filters a query may carry, as `name:value` in `q` or as fields of their own. */
export const SEARCH_FILTERS = ['from', 'in', 'before', 'after', 'on'] as const;
export type SearchFilter = (typeof SEARCH_FILTERS)[number];

/** One message found. */
export interface SearchResult {
  id: number;
  /** The conversation as the caller names it (`group:staff`, `user:sam`, `channel:ops`, `team:staff:cleo`). */
  conversation: ConversationId;
  /** The sender's user name. */
  sender: string;
  sender_role: Role;
  sent_at: string;
  /** The message, or the part of it around the first match ('…' where it was cut). */
  snippet: string;
  /** Where the terms matched in `snippet`: [start, end) pairs of UTF-16 offsets, in order, not overlapping. */
  highlights: Array<[number, number]>;
  /** Only when the message was edited (search finds its current text). */
  edited?: true;
}

export interface SearchAck {
  results: SearchResult[];
  /** Pass as `cursor` for the next page; null when there is none. Opaque. */
  next_cursor: string | null;
}

/** A query as the server reads it: words and phrases that must all appear, and filters. */
export interface ParsedSearchQuery {
  /** Words and quoted phrases, as written (quotes removed), each once. */
  terms: string[];
  filters: Partial<Record<SearchFilter, string>>;
}

/** Why a query cannot be run; the server answers INVALID_QUERY with this message. */
export class SearchQueryError extends Error {}

const FILTER_PATTERN = new RegExp(`^(${SEARCH_FILTERS.join('|')}):(.+)$`, 'i');

/**
 * Reads `q`: whitespace separates words; "double quotes" make a phrase (an unclosed quote runs
 * to the end); `from:sam`, `in:staff`, `in:#channel`, `in:@sam`, `before:`, `after:` and `on:`
 * (YYYY-MM-DD) are filters, each at most once. A filter name with nothing after the colon, or
 * a name this language does not know, is an ordinary word ("re:", "http://host").
 */
export function parseSearchQuery(q: string): ParsedSearchQuery {
  const terms: string[] = [];
  const filters: ParsedSearchQuery['filters'] = {};
  const add = (term: string) => {
    const trimmed = term.trim().replace(/\s+/g, ' ');
    if (trimmed !== '' && !terms.some((t) => t.toLowerCase() === trimmed.toLowerCase())) terms.push(trimmed);
  };
  let i = 0;
  while (i < q.length) {
    if (/\s/.test(q[i])) {
      i++;
      continue;
    }
    if (q[i] === '"') {
      const close = q.indexOf('"', i + 1);
      const end = close === -1 ? q.length : close;
      add(q.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/.test(q[end])) end++;
    const word = q.slice(i, end);
    i = end;
    const filter = FILTER_PATTERN.exec(word);
    if (filter) {
      const name = filter[1].toLowerCase() as SearchFilter;
      if (filters[name] !== undefined && filters[name] !== filter[2]) {
        throw new SearchQueryError(`Only one ${name}: filter per search`);
      }
      filters[name] = filter[2];
      continue;
    }
    add(word);
  }
  if (terms.length > SEARCH_TERMS_MAX) {
    throw new SearchQueryError(`At most ${SEARCH_TERMS_MAX} words or phrases per search`);
  }
  return { terms, filters };
}
