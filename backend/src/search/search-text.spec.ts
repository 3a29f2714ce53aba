import { SEARCH_SNIPPET_CHARS } from '@parley/contract';
import { charLength, findMatches, foldForSearch, relevanceOf, snippetOf } from './search-text';

/** A UTF-16 unit of a surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What each highlight marks, read back from the text it points into. */
const marked = (text: string, ranges: ReadonlyArray<[number, number]>) => ranges.map(([a, b]) => text.slice(a, b));

describe('foldForSearch', () => {
  it.each([
    ['Hello World', 'hello world'],
    ['Café Crème', 'cafe creme'],
    // The same letter written as e + combining accent.
    ['Cafe\u0301', 'cafe'],
    // Compatibility forms stay as written (SQLite's index does not unfold them either).
    ['ＡＢＣ１２３', 'ａｂｃ１２３'],
    ['ﬁle', 'ﬁle'],
    ['東京タワー', '東京タワー'],
    // Not accents: a Japanese voicing mark and a Hangul syllable's parts are letters.
    ['データベース', 'データベース'],
    ['한국어', '한국어'],
    ['🎉 Party', '🎉 party'],
  ])('folds %j to %j', (text, folded) => {
    expect(foldForSearch(text)).toBe(folded);
  });
});

describe('findMatches', () => {
  it('marks every occurrence of every term, in order, as offsets of the original text', () => {
    const text = 'The cat and THE hat';
    expect(marked(text, findMatches(text, ['the', 'hat'])!)).toEqual(['The', 'THE', 'hat']);
  });

  it('is null when one term is missing, and empty for no terms', () => {
    expect(findMatches('the cat', ['cat', 'dog'])).toBeNull();
    expect(findMatches('the cat', [])).toEqual([]);
  });

  it('matches parts of words, ignoring accents, and marks the accented original', () => {
    const text = 'Un café crème, décafé';
    expect(marked(text, findMatches(text, ['cafe'])!)).toEqual(['café', 'café']);
    // A combining accent belongs to the letter it follows: it is inside the highlight.
    const decomposed = 'un cafe\u0301 noir';
    expect(marked(decomposed, findMatches(decomposed, ['cafe'])!)).toEqual(['cafe\u0301']);
  });

  it('finds CJK text without spaces between words', () => {
    const text = '明日は東京タワーに行きます';
    expect(findMatches(text, ['東京'])).toEqual([[3, 5]]);
    expect(marked(text, findMatches(text, ['タワー', '行き'])!)).toEqual(['タワー', '行き']);
  });

  it('counts UTF-16 units around emoji and never cuts a surrogate pair', () => {
    const text = '🎉 party 🎉 time';
    expect(findMatches(text, ['party'])).toEqual([[3, 8]]);
    expect(findMatches(text, ['🎉'])).toEqual([
      [0, 2],
      [9, 11],
    ]);
    // A letter that lower-cases to two code units: a match inside it marks all of it.
    expect(marked('İstanbul', findMatches('İstanbul', ['i'])!)).toEqual(['İ']);
  });

  it('merges overlapping and touching matches into one highlight', () => {
    expect(findMatches('banana', ['ban', 'ana'])).toEqual([[0, 4]]);
    expect(findMatches('abcdef', ['abc', 'def'])).toEqual([[0, 6]]);
    expect(findMatches('abcabc', ['abcabc', 'bca'])).toEqual([[0, 6]]);
  });
});

describe('snippetOf', () => {
  it('gives a short message whole, with its highlights as they are', () => {
    const text = 'x'.repeat(SEARCH_SNIPPET_CHARS - 4) + ' hit';
    const matches = findMatches(text, ['hit'])!;
    expect(snippetOf(text, matches)).toEqual({ snippet: text, highlights: matches });
  });

  it('cuts a long message around its first match, with … where cut and highlights moved with it', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`);
    words[50] = 'Needle';
    words[53] = 'needle';
    const text = words.join(' ');
    const { snippet, highlights } = snippetOf(text, findMatches(text, ['needle'])!);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(charLength(snippet)).toBeLessThanOrEqual(SEARCH_SNIPPET_CHARS + 2);
    expect(marked(snippet, highlights)).toEqual(['Needle', 'needle']);
    // Cut at a space: it starts with a whole word.
    expect(snippet).toMatch(/^…word\d+ /);
  });

  it('does not start with … when the match is near the start, and clips a match running past the end', () => {
    const text = `needle ${'y'.repeat(400)}`;
    const { snippet, highlights } = snippetOf(text, findMatches(text, ['needle', 'y'.repeat(300)])!);
    expect(snippet.startsWith('needle')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    // The space keeps the two apart; the second is cut where the snippet is.
    expect(highlights).toEqual([
      [0, 6],
      [7, snippet.length - 1],
    ]);
  });

  it.each([0, 1, 2, 3])('never splits a surrogate pair at either cut (%i characters before)', (pad) => {
    const text = 'x'.repeat(pad) + '😀'.repeat(120) + ' target ' + '😀'.repeat(120);
    const { snippet, highlights } = snippetOf(text, findMatches(text, ['target'])!);
    expect(snippet).not.toMatch(LONE_SURROGATE);
    expect(snippet.startsWith('…') && snippet.endsWith('…')).toBe(true);
    expect(marked(snippet, highlights)).toEqual(['target']);
  });
});

describe('relevanceOf', () => {
  it.each([
    ['a whole word', 'the cat sat', ['cat'], 3],
    ['the start of a word', 'a catalog', ['cat'], 2],
    ['inside a word', 'concat', ['cat'], 1],
    ['the best place of several', 'concat then cat', ['cat'], 3],
    ['accents folded', 'Un Café', ['cafe'], 3],
    ['terms summed', 'the cat in a catalog', ['cat', 'log'], 3 + 1],
    ['a missing term', 'the dog', ['cat'], 0],
  ])('scores %s', (_what, text, terms, score) => {
    expect(relevanceOf(text, terms)).toBe(score);
  });
});
