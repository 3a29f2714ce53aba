import { parseSearchQuery, SEARCH_TERMS_MAX, SearchQueryError } from './search';

describe('parseSearchQuery', () => {
  it.each([
    ['words separated by any whitespace', ' hello\tworld \n', ['hello', 'world']],
    ['a phrase in double quotes', 'say "big deal" now', ['say', 'big deal', 'now']],
    ['an unclosed quote running to the end', 'say "big deal now', ['say', 'big deal now']],
    ['spaces inside a phrase collapsed', '"  big    deal "', ['big deal']],
    ['an empty phrase ignored', 'a "" b', ['a', 'b']],
    ['a filter name with nothing after it', 'from: re:', ['from:', 're:']],
    ['names the language does not know', 'to:sam http://host.example', ['to:sam', 'http://host.example']],
    ['case-insensitive duplicates kept once, as first written', 'Hello hello "HELLO" world', ['Hello', 'world']],
    ['CJK and emoji as written', '東京 🎉', ['東京', '🎉']],
  ])('reads %s', (_what, q, terms) => {
    expect(parseSearchQuery(q)).toEqual({ terms, filters: {} });
  });

  it('takes filters out of the words, whatever the case of their name', () => {
    expect(parseSearchQuery('deploy FROM:sam in:#ops before:2026-02-01 after:2026-01-01 On:2026-01-15 now')).toEqual({
      terms: ['deploy', 'now'],
      filters: { from: 'sam', in: '#ops', before: '2026-02-01', after: '2026-01-01', on: '2026-01-15' },
    });
    expect(parseSearchQuery('in:@sam').filters).toEqual({ in: '@sam' });
  });

  it('refuses two different values for one filter, and accepts the same one twice', () => {
    expect(() => parseSearchQuery('from:sam hi from:sue')).toThrow(SearchQueryError);
    expect(() => parseSearchQuery('from:sam hi from:sue')).toThrow('Only one from: filter per search');
    expect(parseSearchQuery('from:sam from:sam hi').filters).toEqual({ from: 'sam' });
  });

  it(`refuses more than ${SEARCH_TERMS_MAX} words or phrases, not counting filters and duplicates`, () => {
    const words = Array.from({ length: SEARCH_TERMS_MAX }, (_, i) => `w${i}`);
    expect(parseSearchQuery(`${words.join(' ')} W0 from:sam in:ops`).terms).toEqual(words);
    expect(() => parseSearchQuery(`${words.join(' ')} "one more"`)).toThrow(SearchQueryError);
  });
});
