import { foldForSearch } from '../search/search-text';
import { MessageRepository } from './message.repository';
import { SearchRepository } from './search.repository';
import { staffPost } from './testing/fixtures';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/test-databases';
import { UserRepository } from './user.repository';

// Storage may propose more than matches (SearchService checks each candidate) but must not miss
// one: whatever the service's fold finds in a text, the database's own fold must find too.
describe.each(TEST_DIALECTS)('SearchRepository on %s', (dialect) => {
  let testDb: TestDatabase;
  let search: SearchRepository;
  let viewer: { userId: number; audiences: string[] };
  const ids = new Map<string, number>();

  // Letters the two databases fold differently from the service: PostgreSQL's unaccent turns
  // ł, ø, ß, œ, æ into l, o, ss, oe, ae, which NFKD keeps; SQLite's trigram tokenizer keeps them.
  const texts = ['Spotkanie w Łodzi', 'Ørsted wind farm', 'Die Straße ist lang', 'Une Œuvre', 'Æsir saga', 'Tiếng Việt', 'Cafe\u0301 noir'];

  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    const sam = await new UserRepository(testDb.database).create({ username: 'sam', display_name: 'Sam', role: 'staff', password_hash: 'x', created_at: 1, updated_at: 1 });
    viewer = { userId: sam.id, audiences: ['group:staff'] };
    const stored = await new MessageRepository(testDb.database).insertBatch(texts.map((text) => staffPost(sam, text)));
    texts.forEach((text, i) => ids.set(text, stored[i].row.id));
    search = new SearchRepository(testDb.database);
  });
  afterAll(() => testDb.dispose());

  it.each([
    ['Łodzi', 'Spotkanie w Łodzi'],
    ['ørsted', 'Ørsted wind farm'],
    ['straße', 'Die Straße ist lang'],
    ['œuvre', 'Une Œuvre'],
    ['æsir', 'Æsir saga'],
    ['viet', 'Tiếng Việt'],
    ['café', 'Cafe\u0301 noir'],
  ])('finds %j as the service folds it', async (query, text) => {
    const found = await search.candidates({ viewer, terms: [foldForSearch(query)] }, 10);
    expect(found.map((row) => row.id)).toContain(ids.get(text));
  });
});
