/*
 * The one fold search compares with (search/search-text.ts re-checks every candidate with it; on
 * SQLite it is also the SQL function parley_fold, registered on the connection, for terms too
 * short for the trigram index).
 */

/**
 * Latin, Greek and Cyrillic accents (the combining diacritical mark blocks), which the databases'
 * folds drop too. Not every mark: a Japanese voicing mark (U+3099) or a Hangul syllable's parts
 * are letters of their own, and dropping them would turn "データ" into "テータ".
 */
const ACCENTS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

/** How one code point reads to search: accents dropped, lower case, everything else as written. */
function foldCodePoint(char: string): string {
  return char.normalize('NFD').replace(ACCENTS, '').normalize('NFC').toLowerCase();
}

const ASCII = /^[\x00-\x7f]*$/;

/** A text folded for search ("Café" → "cafe"; "データ", "한국어" unchanged). */
export function foldForSearch(text: string): string {
  return ASCII.test(text) ? text.toLowerCase() : foldWithMap(text).folded;
}

export interface FoldedText {
  folded: string;
  /** For each UTF-16 offset of `folded` (and one past its end), where it comes from in the original. */
  origin: number[];
}

export function foldWithMap(text: string): FoldedText {
  if (ASCII.test(text)) {
    return { folded: text.toLowerCase(), origin: Array.from({ length: text.length + 1 }, (_, i) => i) };
  }
  let folded = '';
  const origin: number[] = [];
  let at = 0;
  for (const char of text) {
    const piece = foldCodePoint(char);
    for (let k = 0; k < piece.length; k++) origin.push(at);
    folded += piece;
    at += char.length;
  }
  origin.push(at);
  return { folded, origin };
}

/** Code points, not UTF-16 units: a term shorter than three cannot use a trigram index. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
