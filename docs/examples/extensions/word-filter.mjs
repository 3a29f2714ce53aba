// @ts-check
/**
 * A word filter, as a Parley extension: refuses messages with a word of WORD_FILTER_REFUSE (the
 * sender's send fails with MESSAGE_REFUSED and this file's reason) and masks the words of
 * WORD_FILTER_MASK with ***. Both are comma-separated lists; case does not matter, and only
 * whole words count ("class" does not match "ass").
 *
 *   WORD_FILTER_REFUSE=confidential WORD_FILTER_MASK=darn,heck \
 *   PARLEY_EXTENSIONS=docs/examples/extensions/word-filter.mjs npm start
 *
 * It lives in the Parley folder, so it imports `parley/extensions` (package.json's "exports").
 * Plain JavaScript: Node has no decorator syntax, so the decorators are called as functions.
 */
import { Inject, MessageHooks, Module } from 'parley/extensions';

/** @param {string | undefined} list */
const wordsOf = (list) =>
  (list ?? '')
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word.length > 0);

/** @param {string[]} words a pattern matching any of them as a whole word, or null for none */
function wholeWords(words) {
  if (words.length === 0) return null;
  const escaped = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Letters and digits of any script around a match mean it is part of a longer word.
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

const refused = wholeWords(wordsOf(process.env.WORD_FILTER_REFUSE));
const masked = wholeWords(wordsOf(process.env.WORD_FILTER_MASK));

/** @type {import('parley/extensions').BeforeStoreHook} */
function filter({ text }) {
  const found = refused ? text.match(refused) : null;
  if (found) return { refuse: `Messages with "${found[0]}" are not allowed here` };
  if (masked?.test(text)) return { text: text.replace(masked, '***') };
  return undefined;
}

export default class WordFilterModule {
  /** @param {MessageHooks} hooks */
  constructor(hooks) {
    hooks.beforeStore(filter);
  }
}
Inject(MessageHooks)(WordFilterModule, undefined, 0);
Module({})(WordFilterModule);
