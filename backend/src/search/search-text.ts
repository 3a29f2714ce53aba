import { SEARCH_SNIPPET_CHARS } from '@parley/contract';
import { charLength, foldForSearch, foldWithMap } from '../common/search-fold';

export { charLength, foldForSearch };

/*
 * What "contains" means for search, in one place: both databases find candidates, and every
 * candidate is checked here, so SQLite and PostgreSQL answer the same and highlights mark
 * exactly what matched.
 */

/** Where every folded term occurs in `text`, as [start, end) offsets of the original; null if one is missing. */
export function findMatches(text: string, terms: readonly string[]): Array<[number, number]> | null {
  if (terms.length === 0) return [];
  const { folded, origin } = foldWithMap(text);
  const ranges: Array<[number, number]> = [];
  for (const term of terms) {
    let from = folded.indexOf(term);
    if (from === -1) return null;
    while (from !== -1) {
      ranges.push([origin[from], origin[from + term.length]]);
      from = folded.indexOf(term, from + term.length);
    }
  }
  return merge(ranges);
}

function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** How much of the message comes before the first match in a cut snippet. */
const LEAD_CHARS = 40;
const ELLIPSIS = '…';

/**
 * The message, or about SEARCH_SNIPPET_CHARS of it around its first match, cut on code point
 * boundaries (at a space when one is near) with '…' where cut, and the matches inside it.
 */
export function snippetOf(text: string, matches: ReadonlyArray<[number, number]>): { snippet: string; highlights: Array<[number, number]> } {
  // A term inside one code point that folds to several (a ligature) can map to an empty range: not a highlight.
  if (charLength(text) <= SEARCH_SNIPPET_CHARS) return { snippet: text, highlights: matches.filter(([a, b]) => a < b).map(([a, b]) => [a, b]) };
  const first = matches[0]?.[0] ?? 0;
  let start = Math.max(0, first - LEAD_CHARS);
  // At a space a little before, when there is one: whole words read better.
  const space = text.lastIndexOf(' ', start + 10);
  if (start > 0 && space > 0 && space >= start - 15 && space < first) start = space + 1;
  if (isLowSurrogate(text, start)) start--;
  let end = Math.min(text.length, start + SEARCH_SNIPPET_CHARS);
  if (isLowSurrogate(text, end)) end++;
  const prefix = start > 0 ? ELLIPSIS : '';
  const snippet = prefix + text.slice(start, end) + (end < text.length ? ELLIPSIS : '');
  const shift = prefix.length - start;
  const highlights: Array<[number, number]> = [];
  for (const [a, b] of matches) {
    if (b <= start || a >= end || a === b) continue;
    highlights.push([Math.max(a, start) + shift, Math.min(b, end) + shift]);
  }
  return { snippet, highlights };
}

function isLowSurrogate(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return at > 0 && at < text.length && code >= 0xdc00 && code <= 0xdfff;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * order: 'relevance': a term matched as a whole word counts 3, at the start of a word 2, inside
 * one 1 (its best place in the message); summed over the terms.
 */
export function relevanceOf(text: string, terms: readonly string[]): number {
  const folded = foldForSearch(text);
  let score = 0;
  for (const term of terms) {
    let best = 0;
    for (let from = folded.indexOf(term); from !== -1 && best < 3; from = folded.indexOf(term, from + 1)) {
      const startsWord = from === 0 || !WORD_CHAR.test(folded[from - 1]);
      const endsWord = from + term.length >= folded.length || !WORD_CHAR.test(folded[from + term.length]);
      best = Math.max(best, startsWord && endsWord ? 3 : startsWord ? 2 : 1);
    }
    score += best;
  }
  return score;
}
