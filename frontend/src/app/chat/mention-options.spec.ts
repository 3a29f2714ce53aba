import { MENTION_OPTIONS_MAX, mentionOptions, mentionQuery } from './mention-options';
import { notifies } from './chat.model';

describe('mention suggestions', () => {
  it('finds the @name being typed before the caret, not inside a word', () => {
    expect(mentionQuery('hi @sa', 6)).toEqual({ text: 'sa', start: 3, end: 6 });
    expect(mentionQuery('@', 1)).toEqual({ text: '', start: 0, end: 1 });
    expect(mentionQuery('hi @sa there', 12)).toBeNull();
    expect(mentionQuery('mail@sa', 7)).toBeNull();
    // The caret back inside an earlier @name.
    expect(mentionQuery('@sam and more', 3)).toEqual({ text: 'sa', start: 0, end: 3 });
  });

  it('ranks names starting with the text before names containing it, and keeps the list short', () => {
    const people = Array.from({ length: 20 }, (_, i) => ({ username: `user${i}`, display_name: `User ${i}` }));
    expect(mentionOptions('', people, false)).toHaveLength(MENTION_OPTIONS_MAX);
    const found = mentionOptions('sam', [{ username: 'ada', display_name: 'Ada Samson' }, { username: 'sam', display_name: 'Sam' }], false);
    expect(found.map((o) => o.insert)).toEqual(['sam', 'ada']);
  });

  it('offers @here and @channel only where the conversation has several people', () => {
    expect(mentionOptions('h', [], true).map((o) => o.insert)).toEqual(['here']);
    expect(mentionOptions('h', [], false)).toEqual([]);
  });
});

describe('notifies', () => {
  it('follows the conversation\'s setting; a mention notifies under "mentions" too', () => {
    expect(notifies('all', {})).toBe(true);
    expect(notifies('mentions', {})).toBe(false);
    expect(notifies('mentions', { mentionsMe: true })).toBe(true);
    expect(notifies('nothing', { mentionsMe: true })).toBe(false);
  });
});
