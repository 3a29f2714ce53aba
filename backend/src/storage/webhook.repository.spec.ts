import type { NewMessageRow, UserRow } from './database.types';
import { MessageRepository } from './message.repository';
import { staffPost } from './testing/fixtures';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/test-databases';
import { UserRepository } from './user.repository';
import { WebhookRepository } from './webhook.repository';

// The webhook queue: what a cursor move queues (filters, DMs, batches), that queueing is
// idempotent, and that one node at a time dispatches on PostgreSQL.
describe.each(TEST_DIALECTS)('WebhookRepository on %s', (dialect) => {
  let testDb: TestDatabase;
  let webhooks: WebhookRepository;
  let messages: MessageRepository;
  let amy: UserRow, bob: UserRow;

  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    webhooks = new WebhookRepository(testDb.database);
    messages = new MessageRepository(testDb.database);
    const users = new UserRepository(testDb.database);
    const user = (username: string) => users.create({ username, display_name: username, role: 'staff', password_hash: 'x', created_at: 1, updated_at: 1 });
    [amy, bob] = [await user('amy'), await user('bob')];
  });
  afterAll(() => testDb.dispose());

  const store = async (...rows: NewMessageRow[]) => (await messages.insertBatch(rows)).map((inserted) => inserted.row.id);
  const dm = (body: string): NewMessageRow => ({ ...staffPost(amy, body), target_kind: 'user', target: 'bob', recipient_id: bob.id, conversation: `dm:${amy.id}:${bob.id}`, audience: null });
  const hook = (conversations: string[] | null) =>
    webhooks.create({ url: 'http://10.0.0.1/', events: 'message', conversations: conversations && JSON.stringify(conversations), description: '', enabled: 1, secret: 's', created_at: 1, created_by: 'admin' });
  const queued = async (id: number) => (await webhooks.deliveries(id, { limit: 200 })).map((d) => d.message_id).sort((a, b) => a - b);

  it('starts after the newest message, and queues what comes after it: every conversation but DMs, unless named', async () => {
    await store(staffPost(amy, 'before'));
    const all = await hook(null);
    const dms = await hook([`dm:${amy.id}:${bob.id}`]);
    const [group, direct] = await store(staffPost(amy, 'after'), dm('private'));
    expect(await webhooks.queueNew(all.id, 100, 5)).toBe(1);
    expect(await webhooks.queueNew(dms.id, 100, 5)).toBe(1);
    expect([await queued(all.id), await queued(dms.id)]).toEqual([[group], [direct]]);
    // The cursor moved past both: nothing more to queue, and queueing again changes nothing.
    expect(await webhooks.queueNew(all.id, 100, 6)).toBe(0);
    expect((await webhooks.due(10, 10)).map((d) => [d.webhook_id, d.message_id, d.status, d.url])).toEqual([
      [all.id, group, 'pending', 'http://10.0.0.1/'],
      [dms.id, direct, 'pending', 'http://10.0.0.1/'],
    ]);
    expect(await webhooks.due(4, 10)).toEqual([]);
    await webhooks.remove(all.id);
    await webhooks.remove(dms.id);
  });

  it('moves the cursor a batch at a time, and queues nothing for a disabled webhook', async () => {
    const all = await hook(null);
    const ids = await store(...['a', 'b', 'c', 'd', 'e'].map((body) => staffPost(amy, body)));
    expect(await webhooks.queueNew(all.id, 2, 1)).toBe(2);
    expect(await queued(all.id)).toEqual(ids.slice(0, 2));
    expect(await webhooks.queueNew(all.id, 2, 1)).toBe(2);
    expect(await webhooks.queueNew(all.id, 2, 1)).toBe(1);
    expect(await queued(all.id)).toEqual(ids);
    const off = await hook(null);
    await webhooks.update(off.id, { enabled: 0 }, 2);
    await store(staffPost(amy, 'while off'));
    expect(await webhooks.queueNew(off.id, 100, 2)).toBe(0);
    await webhooks.remove(all.id);
    await webhooks.remove(off.id);
  });

  it('opens no write transaction when nothing is new above the cursor', async () => {
    const all = await hook(null);
    const sqlite = testDb.database.sqlite;
    const opened = sqlite ? jest.spyOn(sqlite, 'transaction') : jest.spyOn(testDb.database.db, 'transaction');
    try {
      expect(await webhooks.queueNew(all.id, 100, 1)).toBe(0);
      expect(opened).not.toHaveBeenCalled();
      await store(staffPost(amy, 'new'));
      opened.mockClear(); // Storing a message has a transaction of its own on PostgreSQL.
      expect(await webhooks.queueNew(all.id, 100, 1)).toBe(1);
      expect(opened).toHaveBeenCalledTimes(1);
      expect(await webhooks.queueNew(all.id, 100, 1)).toBe(0);
      expect(opened).toHaveBeenCalledTimes(1);
    } finally {
      opened.mockRestore();
      await webhooks.remove(all.id);
    }
  });

  it("answers due deliveries with the webhook's current conversations, leaving out the webhooks to skip", async () => {
    const [one, two] = [await hook(null), await hook(['group:staff'])];
    await store(staffPost(amy, 'due'));
    await webhooks.queueNew(one.id, 100, 1);
    await webhooks.queueNew(two.id, 100, 1);
    await webhooks.update(one.id, { conversations: JSON.stringify(['dm:1:2']) }, 2);
    expect((await webhooks.due(10, 10)).map((d) => [d.webhook_id, d.conversations])).toEqual([
      [one.id, '["dm:1:2"]'],
      [two.id, '["group:staff"]'],
    ]);
    expect((await webhooks.due(10, 10, [one.id])).map((d) => d.webhook_id)).toEqual([two.id]);
    await webhooks.remove(one.id);
    await webhooks.remove(two.id);
  });

  it('records attempts, retries, counts and prunes only finished deliveries; a webhook takes its deliveries with it', async () => {
    const one = await hook(null);
    const [id] = await store(staffPost(amy, 'x'), staffPost(amy, 'y'));
    await webhooks.queueNew(one.id, 100, 1);
    const [first, second] = await webhooks.deliveries(one.id, { limit: 10 }).then((rows) => rows.sort((a, b) => a.message_id - b.message_id));
    expect(first.message_id).toBe(id);
    await webhooks.recordAttempt(first.id, { status: 'failed', attempts: 3, next_attempt_at: null, last_attempt_at: 2, last_status: 500, last_error: 'HTTP 500', delivered_at: null });
    expect(await webhooks.counts(one.id)).toEqual({ pending: 1, delivered: 0, failed: 1 });
    expect(await webhooks.lastAttempted(one.id)).toMatchObject({ id: first.id, last_error: 'HTTP 500' });
    expect(await webhooks.prune(100)).toBe(1);
    expect((await webhooks.deliveries(one.id, { limit: 10 })).map((d) => d.id)).toEqual([second.id]);
    expect(await webhooks.retry(one.id, second.id, 50)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: 50 });
    expect(await webhooks.retry(one.id + 1000, second.id, 50)).toBeUndefined();
    expect(await webhooks.remove(one.id)).toBe(true);
    expect(await webhooks.deliveries(one.id, { limit: 10 })).toEqual([]);
  });

  it('lets one pass run at a time (PostgreSQL: across connections, as across nodes)', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = webhooks.exclusive(() => {
      entered();
      return new Promise<string>((resolve) => (release = () => resolve('first')));
    });
    await inside;
    const second = await new WebhookRepository(testDb.database).exclusive(async () => 'second');
    expect(second).toBe(dialect === 'postgres' ? undefined : 'second');
    release();
    expect(await holding).toBe('first');
    expect(await webhooks.exclusive(async () => 'after')).toBe('after');
  });
});
