import { DEFAULT_PERMISSIONS, readableGroups, tombstoneName } from '@parley/contract';
import { AuditRepository } from './audit.repository';
import { ConversationSettingsRepository } from './conversation-settings.repository';
import type { NewMessageRow, UserRow } from './database.types';
import { MessageRepository } from './message.repository';
import { ReadMarkRepository } from './read-mark.repository';
import { ChangeStream } from './change-stream';
import { SessionRepository } from './session.repository';
import { DuplicateKeyError, NoAdminLeftError } from './storage-errors';
import { openTestDatabase, TEST_DIALECTS, type TestDatabase } from './testing/test-databases';
import { UserRepository } from './user.repository';

// The same repository code must behave identically on the embedded SQLite file and on PostgreSQL.
describe.each(TEST_DIALECTS)('repositories on %s', (dialect) => {
  let testDb: TestDatabase;
  let users: UserRepository;
  let sessions: SessionRepository;
  let messages: MessageRepository;
  let alice: UserRow;
  let bob: UserRow;
  let carol: UserRow;

  beforeAll(async () => {
    testDb = await openTestDatabase(dialect);
    users = new UserRepository(testDb.database);
    sessions = new SessionRepository(testDb.database);
    messages = new MessageRepository(testDb.database);
    const user = (username: string, role: UserRow['role']) =>
      users.create({
        username,
        display_name: username.toUpperCase(),
        role,
        password_hash: 'x',
        created_at: 1,
        updated_at: 1,
      });
    alice = await user('alice', 'admin');
    bob = await user('bob', 'staff');
    carol = await user('carol', 'client');
  });

  afterAll(() => testDb.dispose());

  const msg = (over: Partial<NewMessageRow> & { body: string }): NewMessageRow => ({
    client_id: null,
    sender_id: alice.id,
    sender_username: 'alice',
    sender_role: 'admin',
    sender_socket: 'sock-a',
    target_kind: 'group',
    target: 'staff',
    recipient_id: null,
    conversation: 'group:staff',
    sent_at: 1000,
    ...over,
    audience: over.audience !== undefined ? over.audience : over.target_kind === undefined || over.target_kind === 'group' ? (over.conversation ?? 'group:staff') : null,
  });

  /** What the default permission table lets a user read, plus channels by id. */
  const visibility = (user: UserRow, channelIds: number[] = []) => ({
    userId: user.id,
    audiences: [...readableGroups(DEFAULT_PERMISSIONS, user.role).map((g) => `group:${g}`), `role:${user.role}`, ...channelIds.map((id) => `channel:${id}`)],
  });

  const dm = (from: UserRow, to: UserRow, body: string) =>
    msg({
      body,
      sender_id: from.id,
      sender_username: from.username,
      sender_role: from.role,
      target_kind: 'user',
      target: to.username,
      recipient_id: to.id,
      conversation: `dm:${Math.min(from.id, to.id)}:${Math.max(from.id, to.id)}`,
    });

  describe('AuditRepository', () => {
    it('stores entries and pages them newest first, by action and before an id', async () => {
      const audit = new AuditRepository(testDb.database);
      const entry = (action: string, target: string) =>
        audit.insert({ at: 1_700_000_000_000, actor_id: alice.id, actor_username: 'alice', action, target, details: '{"k":1}', ip: '10.0.0.5' });
      const first = await entry('user.created', 'bob');
      await entry('user.changed', 'bob');
      const third = await entry('user.created', 'carol');
      expect(first).toMatchObject({ at: 1_700_000_000_000, actor_id: alice.id, details: '{"k":1}', ip: '10.0.0.5' });
      expect((await audit.page({ limit: 10 })).map((e) => e.target)).toEqual(['carol', 'bob', 'bob']);
      expect((await audit.page({ limit: 10, action: 'user.created' })).map((e) => e.id)).toEqual([third.id, first.id]);
      expect((await audit.page({ limit: 10, before: third.id })).map((e) => e.action)).toEqual(['user.changed', 'user.created']);
      expect(await audit.latest('user.changed')).toMatchObject({ target: 'bob', at: 1_700_000_000_000 });
      expect(await audit.latest('nothing')).toBeUndefined();
    });
  });

  describe('UserRepository', () => {
    it('finds users by name and id, rejects a duplicate name, and updates fields', async () => {
      expect((await users.findByUsername('bob'))?.id).toBe(bob.id);
      expect((await users.findById(carol.id))?.username).toBe('carol');
      expect(await users.findByUsername('nobody')).toBeUndefined();
      await expect(
        users.create({ username: 'bob', display_name: 'B', role: 'staff', password_hash: null, created_at: 1, updated_at: 1 }),
      ).rejects.toBeInstanceOf(DuplicateKeyError);
      const updated = await users.update(bob.id, { display_name: 'Bobby', disabled: true }, 5);
      expect(updated).toMatchObject({ display_name: 'Bobby', disabled: 1, updated_at: 5, role: 'staff' });
      await users.update(bob.id, { disabled: false }, 6);
      expect((await users.page({ limit: 10 })).map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
      expect(await users.count()).toBe(3);
    });

    it('pages users by name, after a cursor, by a search ignoring case, and without disabled ones', async () => {
      const names = async (query: Parameters<UserRepository['page']>[0]) => (await users.page(query)).map((u) => u.username);
      expect(await names({ limit: 2 })).toEqual(['alice', 'bob']);
      expect(await names({ after: 'bob', limit: 2 })).toEqual(['carol']);
      await users.update(carol.id, { display_name: 'Carol 100%_Sure' }, 7);
      expect(await names({ limit: 10, search: 'CAR' })).toEqual(['carol']);
      // LIKE's wildcards in the search are taken literally.
      expect(await names({ limit: 10, search: '%_s' })).toEqual(['carol']);
      expect(await names({ limit: 10, search: '_' })).toEqual(['carol']);
      await users.update(bob.id, { disabled: true }, 8);
      expect(await names({ limit: 10, enabledOnly: true })).toEqual(['alice', 'carol']);
    });

    it('never lets two admins demoting each other at once both succeed (updateKeepingAnAdmin)', async () => {
      const deputy = await users.create({ username: 'deputy-admin', display_name: 'D', role: 'admin', password_hash: 'x', created_at: 1, updated_at: 1 });
      expect(await users.countEnabledAdmins()).toBe(2);
      const results = await Promise.allSettled([
        users.updateKeepingAnAdmin(alice.id, { role: 'staff' }, 7),
        users.updateKeepingAnAdmin(deputy.id, { disabled: true }, 7),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(NoAdminLeftError);
      expect(await users.countEnabledAdmins()).toBe(1);
      // Back as before: alice the only admin, the deputy out of the way (disabled staff).
      await users.update(alice.id, { role: 'admin', disabled: false }, 8);
      await users.update(deputy.id, { role: 'staff', disabled: true }, 8);
    });

    it('creates a name once when several inserts race; the others get DuplicateKeyError', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          users.create({ username: 'racer', display_name: 'R', role: 'staff', password_hash: null, created_at: 1, updated_at: 1 }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const result of results.filter((r) => r.status === 'rejected')) {
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyError);
      }
    });

    it('deletes an account as a tombstone: renamed and disabled, its messages renamed, its read marks gone', async () => {
      const fay = await users.create({ username: 'fay', display_name: 'Fay', role: 'staff', password_hash: 'x', created_at: 1, updated_at: 1 });
      const tombstone = tombstoneName(fay.id);
      const [sent, received] = await messages.insertBatch([dm(fay, bob, 'from fay'), dm(bob, fay, 'to fay')]);
      const marks = new ReadMarkRepository(testDb.database, new ChangeStream(testDb.database));
      await marks.markRead(fay.id, sent.row.conversation, received.row.id, 1);
      expect(await users.softDelete(fay.id, tombstone, 9)).toMatchObject({
        username: tombstone,
        display_name: 'Deleted user',
        password_hash: null,
        disabled: 1,
        deleted_at: 9,
      });
      const stored = await messages.findConversationBefore({ conversation: sent.row.conversation }, undefined, 10);
      expect(stored.map((m) => [m.sender_username, m.target])).toEqual([
        [tombstone, 'bob'],
        ['bob', tombstone],
      ]);
      expect((await marks.marksOf(fay.id)).size).toBe(0);
      expect(await users.findByUsername('fay')).toBeUndefined();
      expect((await users.page({ limit: 50 })).map((u) => u.id)).not.toContain(fay.id);
      // Deleted already (another admin, a moment ago): nothing to return.
      expect(await users.softDelete(fay.id, tombstone, 10)).toBeUndefined();
    });

    it("renames a deleted guest in their team conversation and in mentions, and drops their settings", async () => {
      const gil = await users.create({ username: 'gil', display_name: 'Gil', role: 'client', password_hash: 'x', created_at: 1, updated_at: 1 });
      const tombstone = tombstoneName(gil.id);
      const team = `team:staff:${gil.id}`;
      await messages.insertBatch([
        msg({ body: 'gil asks', sender_id: gil.id, sender_username: 'gil', sender_role: 'client', target_kind: 'team', guest: 'gil', recipient_id: gil.id, conversation: team, audience: 'role:staff' }),
        msg({ body: 'hi @gil and @gilbert', sender_id: bob.id, sender_username: 'bob', sender_role: 'staff', target_kind: 'team', guest: 'gil', recipient_id: gil.id, conversation: team, audience: 'role:staff', mentions: JSON.stringify(['gil', 'gilbert']) }),
      ]);
      const settings = new ConversationSettingsRepository(testDb.database);
      await settings.setNotify(gil.id, team, 'mentions', 1);
      await settings.setNotify(gil.id, team, 'nothing', 2);
      expect(await settings.notifyOf(gil.id)).toEqual(new Map([[team, 'nothing']]));
      await users.softDelete(gil.id, tombstone, 12);
      const stored = await messages.findConversationBefore({ conversation: team }, undefined, 10);
      expect(stored.map((m) => [m.sender_username, m.guest, m.mentions])).toEqual([
        [tombstone, tombstone, null],
        ['bob', tombstone, JSON.stringify([tombstone, 'gilbert'])],
      ]);
      expect((await settings.notifyOf(gil.id)).size).toBe(0);
    });

    it('rolls a deletion back with NoAdminLeftError when no enabled admin would remain (keepAnAdmin)', async () => {
      expect(await users.countEnabledAdmins()).toBe(1);
      await expect(users.softDelete(alice.id, tombstoneName(alice.id), 11, true)).rejects.toBeInstanceOf(NoAdminLeftError);
      expect(await users.findById(alice.id)).toMatchObject({ username: 'alice', disabled: 0, deleted_at: null });
    });
  });

  describe('SessionRepository', () => {
    it('finds a live session with its user, and not once revoked or expired', async () => {
      const live = await sessions.create({ token_hash: `h1-${dialect}`, user_id: bob.id, created_at: 10, expires_at: 100 });
      const found = await sessions.findActive(`h1-${dialect}`, 50);
      expect(found?.user.username).toBe('bob');
      expect(found?.session.id).toBe(live.id);
      expect(await sessions.findActive(`h1-${dialect}`, 100)).toBeUndefined();
      await sessions.revoke(live.id, 60);
      expect(await sessions.findActive(`h1-${dialect}`, 50)).toBeUndefined();
    });

    it('revokes every live session of one user and no other', async () => {
      const a = await sessions.create({ token_hash: `a-${dialect}`, user_id: carol.id, created_at: 1, expires_at: 1e12 });
      const b = await sessions.create({ token_hash: `b-${dialect}`, user_id: carol.id, created_at: 1, expires_at: 1e12 });
      await sessions.create({ token_hash: `c-${dialect}`, user_id: alice.id, created_at: 1, expires_at: 1e12 });
      expect((await sessions.revokeAllForUser(carol.id, 5)).sort()).toEqual([a.id, b.id].sort());
      expect(await sessions.findActive(`a-${dialect}`, 2)).toBeUndefined();
      expect(await sessions.findActive(`c-${dialect}`, 2)).toBeDefined();
    });

    it('tells whether a session is live: not revoked, not expired, its user enabled', async () => {
      const session = await sessions.create({ token_hash: `live-${dialect}`, user_id: carol.id, created_at: 1, expires_at: 100 });
      expect(await sessions.isActive(session.id, 50)).toBe(true);
      expect(await sessions.isActive(session.id, 100)).toBe(false);
      await users.update(carol.id, { disabled: true }, 2);
      expect(await sessions.isActive(session.id, 50)).toBe(false);
      await users.update(carol.id, { disabled: false }, 3);
      await sessions.revoke(session.id, 60);
      expect(await sessions.isActive(session.id, 50)).toBe(false);
    });
  });

  describe('MessageRepository', () => {
    it('stores a batch in order with increasing ids and pairs each result with its input', async () => {
      const before = await messages.latestId();
      const results = await messages.insertBatch([
        msg({ body: 'one' }),
        msg({ body: 'two', client_id: 'c2' }),
        msg({ body: 'three' }),
      ]);
      expect(results.map((r) => r.row.body)).toEqual(['one', 'two', 'three']);
      expect(results.every((r) => !r.duplicate)).toBe(true);
      const ids = results.map((r) => r.row.id);
      expect(ids[0]).toBeGreaterThan(before);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(await messages.latestId()).toBe(ids[2]);
    });

    it('stores a (sender, client_id) once, across batches and within one batch', async () => {
      const [first] = await messages.insertBatch([msg({ body: 'hello', client_id: 'dup-1' })]);
      const again = await messages.insertBatch([
        msg({ body: 'new', client_id: 'dup-2' }),
        msg({ body: 'hello resent', client_id: 'dup-1' }),
        msg({ body: 'new resent', client_id: 'dup-2' }),
        // The same client_id from another sender is a different message.
        msg({ body: 'bob says', client_id: 'dup-1', sender_id: bob.id, sender_username: 'bob' }),
      ]);
      expect(again[0]).toMatchObject({ duplicate: false, row: { body: 'new' } });
      expect(again[1]).toEqual({ duplicate: true, row: first.row });
      expect(again[2]).toEqual({ duplicate: true, row: again[0].row });
      expect(again[3]).toMatchObject({ duplicate: false, row: { body: 'bob says', sender_id: bob.id } });
    });

    it('returns what a user may see after an id: groups they read, their team conversations, channels, own sends, DMs to them', async () => {
      const start = await messages.latestId();
      await messages.insertBatch([
        msg({ body: 'to clients', target: 'client', conversation: 'group:client' }),
        dm(alice, bob, 'alice->bob'),
        dm(bob, carol, 'bob->carol'),
        msg({
          body: 'carol to staff',
          sender_id: carol.id,
          sender_username: 'carol',
          sender_role: 'client',
          target_kind: 'team',
          guest: 'carol',
          recipient_id: carol.id,
          conversation: `team:staff:${carol.id}`,
          audience: 'role:staff',
        }),
        msg({ body: 'to admins', target: 'admin', conversation: 'group:admin' }),
        msg({ body: 'in #ops', target_kind: 'channel', target: 'ops', conversation: 'channel:77', audience: 'channel:77' }),
      ]);
      const seenBy = async (user: UserRow, limit = 50, channels: number[] = []) =>
        (await messages.findVisibleAfter(visibility(user, channels), start, limit)).map((m) => m.body);
      expect(await seenBy(carol)).toEqual(['to clients', 'bob->carol', 'carol to staff']);
      // Staff read the client group (supervision) and every team conversation with staff.
      expect(await seenBy(bob)).toEqual(['to clients', 'alice->bob', 'bob->carol', 'carol to staff']);
      // Admins read every role group, but not the staff's team conversations; their own channel post.
      expect(await seenBy(alice)).toEqual(['to clients', 'alice->bob', 'to admins', 'in #ops']);
      expect(await seenBy(bob, 50, [77])).toContain('in #ops');
      expect(await seenBy(carol, 2)).toEqual(['to clients', 'bob->carol']);
    });

    it('counts unread messages and those that mention the viewer', async () => {
      const key = `channel:mentions-${dialect}`;
      const row = (body: string, mentions: string[] | null) =>
        msg({ body, target_kind: 'channel', target: 'x', conversation: key, audience: key, mentions: mentions && JSON.stringify(mentions) });
      await messages.insertBatch([
        row('hi @carol', ['carol']),
        row('all @here', ['@here']),
        row('@channel', ['@channel']),
        row('c_rol is not carol', ['c_rol']),
        row('plain', null),
      ]);
      expect(await messages.unreadCounts(key, 0, carol)).toEqual({ unread: 5, mentions: 3 });
      expect(await messages.unreadCounts(key, 0, { id: carol.id, username: 'c_rol' })).toEqual({ unread: 5, mentions: 3 });
      expect(await messages.unreadCounts(key, 0, alice)).toEqual({ unread: 0, mentions: 0 });
    });

    it('pages a conversation backwards, oldest first within a page', async () => {
      const rows = await messages.insertBatch(
        Array.from({ length: 5 }, (_, i) => msg({ body: `p${i}`, target: 'admin', conversation: 'group:paging' })),
      );
      const newest = await messages.findConversationBefore({ conversation: 'group:paging' }, undefined, 2);
      expect(newest.map((m) => m.body)).toEqual(['p3', 'p4']);
      const older = await messages.findConversationBefore({ conversation: 'group:paging' }, newest[0].id, 10);
      expect(older.map((m) => m.body)).toEqual(['p0', 'p1', 'p2']);
      const mine = await messages.findConversationBefore({ conversation: 'group:paging', senderId: bob.id }, undefined, 10);
      expect(mine).toEqual([]);
      expect(rows).toHaveLength(5);
    });

    it('stores nothing of a batch when the database refuses one row (one transaction)', async () => {
      const before = await messages.latestId();
      const fromNobody = msg({ body: 'from nobody', sender_id: carol.id + 10_000 }); // violates the foreign key
      // Not `.rejects.toThrow()`: better-sqlite3's native addon keeps the SqliteError class of the
      // first spec file that loaded it in a jest worker, so in a later file it is not an Error of
      // this file's realm and toThrow reports "did not throw".
      const outcome = await messages.insertBatch([msg({ body: 'fine' }), fromNobody, msg({ body: 'fine too' })]).then(
        () => 'stored',
        (error: unknown) => error,
      );
      expect(outcome).toMatchObject({ message: expect.stringMatching(/foreign key/i) });
      expect(await messages.latestId()).toBe(before);
    });

    it('finds who sent from a socket id, from a message stored from it', async () => {
      const socket = `bob-laptop-${dialect}`;
      await messages.insertBatch([msg({ body: 'from a laptop', sender_id: bob.id, sender_username: 'bob', sender_socket: socket })]);
      expect(await messages.findSenderIdOfSocket(socket)).toBe(bob.id);
      expect(await messages.findSenderIdOfSocket('never-used')).toBeUndefined();
    });
  });
  describe('conversation summaries and read marks', () => {
    it('finds the newest message of each visible conversation and counts what is unread', async () => {
      const marks = new ReadMarkRepository(testDb.database, new ChangeStream(testDb.database));
      const dave = await users.create({ username: 'dave', display_name: 'D', role: 'client', password_hash: null, created_at: 1, updated_at: 1 });
      const erin = await users.create({ username: 'erin', display_name: 'E', role: 'staff', password_hash: null, created_at: 1, updated_at: 1 });
      const [first, , group, last] = await messages.insertBatch([
        dm(erin, dave, 'e1'),
        dm(dave, erin, 'd1'),
        msg({ body: 'clients all', target: 'client', conversation: 'group:client' }),
        dm(erin, dave, 'e2'),
      ]);
      const summary = await messages.latestPerConversation(visibility(dave), 10);
      const dmKey = first.row.conversation;
      expect(summary.find((m) => m.conversation === dmKey)?.body).toBe('e2');
      expect(summary.find((m) => m.conversation === 'group:client')?.body).toBe('clients all');
      expect(summary[0].id).toBe(last.row.id);
      // A limit keeps the most recently active conversations.
      expect((await messages.latestPerConversation(visibility(dave), 1)).map((m) => m.id)).toEqual([last.row.id]);
      // The next page: conversations whose newest message is below `before`. The DM has older
      // messages below the group's, but its newest is above: it was on the first page.
      expect((await messages.latestPerConversation(visibility(dave), 10, last.row.id)).map((m) => m.id)).toEqual([group.row.id]);
      expect(await messages.latestPerConversation(visibility(dave), 10, group.row.id)).toEqual([]);

      expect(await messages.countUnread(dmKey, 0, dave.id)).toBe(2);
      await marks.markRead(dave.id, dmKey, first.row.id, 10);
      await marks.markRead(dave.id, dmKey, first.row.id - 1, 11); // never moves back
      const mark = (await marks.marksOf(dave.id)).get(dmKey)!;
      expect(mark).toBe(first.row.id);
      expect(await messages.countUnread(dmKey, mark, dave.id)).toBe(1);
      expect((await marks.marksOf(erin.id)).size).toBe(0);
    });
  });
});
