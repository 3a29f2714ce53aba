import { TestBed } from '@angular/core/testing';
import { STORAGE } from '../core/tokens';
import { DRAFT_MAX_AGE_MS, DRAFTS_MAX, DraftStore } from './draft.store';

describe('DraftStore', () => {
  let storage: Map<string, string>;
  let drafts: DraftStore;
  let now: number;

  beforeEach(() => {
    storage = new Map();
    now = Date.parse('2026-12-01T10:00:00Z');
    TestBed.configureTestingModule({
      providers: [{ provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } }],
    });
    drafts = TestBed.inject(DraftStore);
    drafts.now = () => now;
  });

  it('keeps one draft per user and conversation', () => {
    drafts.save('cleo', 'user:sam', 'for sam');
    drafts.save('cleo', 'group:staff', 'for staff');
    drafts.save('sam', 'user:sam', 'another user');
    expect(drafts.load('cleo', 'user:sam')).toBe('for sam');
    expect(drafts.load('cleo', 'group:staff')).toBe('for staff');
    expect(drafts.load('cleo', 'user:ada')).toBe('');
    expect(drafts.load('sam', 'user:sam')).toBe('another user');
  });

  it('forgets a draft when it is cleared or emptied', () => {
    drafts.save('cleo', 'user:sam', 'for sam');
    drafts.clear('cleo', 'user:sam');
    expect(drafts.load('cleo', 'user:sam')).toBe('');
    drafts.save('cleo', 'user:sam', 'again');
    drafts.save('cleo', 'user:sam', '  ');
    expect(JSON.parse(storage.get('parley.drafts.cleo')!)).toEqual({});
  });

  it('drops drafts not touched for 30 days', () => {
    drafts.save('cleo', 'user:sam', 'old');
    now += DRAFT_MAX_AGE_MS + 1;
    expect(drafts.load('cleo', 'user:sam')).toBe('');
  });

  it(`keeps only the ${DRAFTS_MAX} most recently edited drafts`, () => {
    for (let i = 0; i <= DRAFTS_MAX; i++) {
      now += 1;
      drafts.save('cleo', `user:u${i}`, `draft ${i}`);
    }
    expect(Object.keys(JSON.parse(storage.get('parley.drafts.cleo')!))).toHaveLength(DRAFTS_MAX);
    expect(drafts.load('cleo', 'user:u0')).toBe('');
    expect(drafts.load('cleo', `user:u${DRAFTS_MAX}`)).toBe(`draft ${DRAFTS_MAX}`);
  });

  it('starts afresh from storage it cannot read', () => {
    storage.set('parley.drafts.cleo', '{not json');
    expect(drafts.load('cleo', 'user:sam')).toBe('');
    storage.set('parley.drafts.cleo', JSON.stringify({ 'user:sam': { text: 5 }, 'user:ada': { text: 'ok', at: now } }));
    expect(drafts.load('cleo', 'user:sam')).toBe('');
    expect(drafts.load('cleo', 'user:ada')).toBe('ok');
  });

  it('moves a draft to a conversation\'s new id (a renamed channel)', () => {
    const drafts = TestBed.inject(DraftStore);
    drafts.save('sam', 'channel:news', 'half a thought');
    drafts.move('sam', 'channel:news', 'channel:headlines');
    expect(drafts.load('sam', 'channel:news')).toBe('');
    expect(drafts.load('sam', 'channel:headlines')).toBe('half a thought');
  });
});
