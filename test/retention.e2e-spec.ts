import { type AuditEntry, ErrorCodes, type RetentionResponse } from '@parley/contract';
import { sql } from 'kysely';
import { RetentionJob } from '../backend/src/retention/retention-job.service';
import { DatabaseService } from '../backend/src/storage/database.service';
import { RETENTION_PASS_LOCK } from '../backend/src/storage/retention.repository';
import { StorageCompactor } from '../backend/src/storage/storage-compactor';
import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, requestOk } from './support/clients';
import { databaseFilesContain } from './support/database-files';
import { startServer, type TestServer } from './support/server';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The job without its timer: the spec runs each pass itself, so none can land in the middle of a case. */
class ManualRetentionJob extends RetentionJob {
  override onApplicationBootstrap(): void {}
}

/**
 * Retention (issue 14): the overrides over REST (validation, admins only, audited), and the job
 * that removes exactly the messages older than their conversation's retention, with their
 * reactions, audits it, leaves sync working, and gets the text out of the database files. Runs on
 * SQLite and PostgreSQL (the e2e-postgres project).
 */
describe('retention', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, ClientSocket> = {};
  const roles = { sam: 'staff', amy: 'staff', cleo: 'client' } as const;

  const db = () => server.app.get(DatabaseService).db;
  const answer = async (response: ReturnType<typeof api>) => {
    const { status, body } = await response;
    return { status, body: body as unknown as RetentionResponse };
  };
  const put = (body: unknown, token = tokens.admin) => answer(api(server, 'PUT', '/api/admin/retention', { token, body }));
  const get = (token = tokens.admin) => answer(api(server, 'GET', '/api/admin/retention', { token }));
  const refusal = (status: number, code: string) => ({ status, body: { statusCode: status, code, message: expect.any(String) } });
  const audit = async (action: string) =>
    ((await api(server, 'GET', `/api/admin/audit?action=${action}`, { token: tokens.admin })).body.entries as AuditEntry[]);
  /** Sends as `who` and backdates the message by `daysAgo` (the job compares sent_at). */
  const sendOld = async (who: keyof typeof roles, recipients: string, message: string, daysAgo: number) => {
    const { id } = await requestOk(sockets[who], 'send_message', { message, recipients });
    await db().updateTable('messages').set({ sent_at: Date.now() - daysAgo * DAY_MS }).where('id', '=', id).execute();
    return id;
  };
  const stored = async (ids: number[]) => (await db().selectFrom('messages').select('id').where('id', 'in', ids).orderBy('id').execute()).map((row) => row.id);

  beforeAll(async () => {
    server = await startServer({ PARLEY_RETENTION_DAYS: '30' }, [{ provide: RetentionJob, useClass: ManualRetentionJob }]);
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) {
      tokens[name] = await createUser(server, tokens.admin, name, role);
      sockets[name] = await connectAs(server, tokens[name], role, name);
    }
    expect((await api(server, 'POST', '/api/channels', { token: tokens.sam, body: { name: 'ops', visibility: 'public' } })).status).toBe(201);
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  describe('overrides over REST', () => {
    it('sets, lists, changes and removes overrides by the names admins use, and audits each change', async () => {
      expect(await get()).toEqual({ status: 200, body: { default_days: 30, overrides: [] } });
      for (const [conversation, days] of [
        ['group:client', 7],
        ['dm:sam:amy', 0],
        ['team:staff:cleo', 2],
        ['channel:ops', 90],
        ['channel:ops', 60],
      ] as const) {
        const response = await put({ conversation, days });
        expect(response.status).toBe(200);
      }
      const listed = await get();
      expect(listed.body.overrides).toEqual(
        expect.arrayContaining([
          { conversation: 'group:client', days: 7, updated_at: expect.any(String), updated_by: 'admin' },
          // A DM is listed by its two people in name order, however it was named.
          { conversation: 'dm:amy:sam', days: 0, updated_at: expect.any(String), updated_by: 'admin' },
          { conversation: 'team:staff:cleo', days: 2, updated_at: expect.any(String), updated_by: 'admin' },
          { conversation: 'channel:ops', days: 60, updated_at: expect.any(String), updated_by: 'admin' },
        ]),
      );
      expect(listed.body.overrides).toHaveLength(4);
      // A channel is keyed by id: its override follows a rename.
      expect((await api(server, 'PATCH', '/api/channels/ops', { token: tokens.admin, body: { name: 'ops-room' } })).status).toBe(200);
      expect((await get()).body.overrides.map((o) => o.conversation)).toContain('channel:ops-room');

      const removed = await put({ conversation: 'channel:ops-room', days: null });
      expect(removed.status).toBe(200);
      expect(removed.body.overrides.map((o) => o.conversation).sort()).toEqual(['dm:amy:sam', 'group:client', 'team:staff:cleo']);

      const changes = (await audit('retention.changed')).map((e) => [e.actor, e.target, e.details]);
      expect(changes.slice(0, 3)).toEqual([
        ['admin', 'channel:ops-room', { days: null }],
        ['admin', 'channel:ops', { days: 60 }],
        ['admin', 'channel:ops', { days: 90 }],
      ]);
      expect(changes).toHaveLength(6);
    });

    it('refuses bad bodies with INVALID_PAYLOAD and unknown conversations with NOT_FOUND, changing nothing', async () => {
      const before = await get();
      for (const body of [
        { conversation: 'group:staff', days: -1 },
        { conversation: 'group:staff', days: 1.5 },
        { conversation: 'group:staff', days: '7' },
        { conversation: 'group:staff' },
        { days: 7 },
        { conversation: '', days: 7 },
        { conversation: 'group:staff', days: 7, extra: true },
      ]) {
        expect(await put(body)).toEqual(refusal(400, ErrorCodes.InvalidPayload));
      }
      for (const conversation of ['group:nobody', 'channel:nope', 'team:staff:nobody', 'team:nobody:cleo', 'dm:sam:sam', 'dm:sam:nobody', 'dm:sam', 'user:sam', 'staff', 'group:', 'dm:sam:amy:cleo']) {
        expect(await put({ conversation, days: 7 })).toEqual(refusal(404, ErrorCodes.NotFound));
      }
      expect(await get()).toEqual(before);
    });

    it('is for admins only', async () => {
      for (const who of ['sam', 'cleo']) {
        expect(await get(tokens[who])).toEqual(refusal(403, ErrorCodes.Forbidden));
        expect(await put({ conversation: 'group:staff', days: 1 }, tokens[who])).toEqual(refusal(403, ErrorCodes.Forbidden));
      }
      expect(await answer(api(server, 'GET', '/api/admin/retention'))).toEqual(refusal(401, ErrorCodes.Unauthenticated));
      expect((await get()).body.overrides.map((o) => o.conversation)).not.toContain('group:staff');
    });
  });

  describe('the job', () => {
    it('removes exactly the messages older than their retention, with their reactions, audits it, keeps sync working and the text leaves the files', async () => {
      const tag = `r${Date.now()}`;
      const text = (name: string) => `${name}-${tag}-retained-text`;
      const ids = {
        // group:staff follows PARLEY_RETENTION_DAYS (30).
        staffOld: await sendOld('sam', 'staff', text('staff-old'), 40),
        staffNew: await sendOld('sam', 'staff', text('staff-new'), 10),
        // group:client: 7 days.
        clientOld: await sendOld('sam', 'client', text('client-old'), 8),
        clientNew: await sendOld('sam', 'client', text('client-new'), 6),
        // team:staff:cleo: 2 days.
        teamOld: await sendOld('cleo', 'staff', text('team-old'), 3),
        teamNew: await sendOld('cleo', 'staff', text('team-new'), 1),
        // dm:amy:sam: 0, kept forever, far beyond the global 30 days.
        dmAncient: await sendOld('sam', 'amy', text('dm-ancient'), 400),
        // channel:ops-room: its override was removed, so the global 30 days.
        channelOld: await sendOld('sam', 'channel:ops-room', text('channel-old'), 31),
      };
      const amyId = (await db().selectFrom('users').select('id').where('username', '=', 'amy').executeTakeFirstOrThrow()).id;
      await db().insertInto('message_reactions').values({ message_id: ids.staffOld, user_id: amyId, username: 'amy', emoji: '👍', reacted_at: Date.now() }).execute();
      await requestOk(sockets.amy, 'mark_read', { conversation: 'staff', up_to: ids.staffNew });
      const before = await requestOk(sockets.amy, 'sync', { since: 0 });

      const results = await server.app.get(RetentionJob).runPass();
      expect(results).toEqual(
        expect.arrayContaining([
          { conversation: 'group:client', days: 7, cutoff: expect.any(Number), removed: 1 },
          { conversation: 'team:staff:cleo', days: 2, cutoff: expect.any(Number), removed: 1 },
          { days: 30, cutoff: expect.any(Number), removed: 2 },
        ]),
      );
      const all = Object.values(ids);
      expect(await stored(all)).toEqual([ids.staffNew, ids.clientNew, ids.teamNew, ids.dmAncient]);
      expect(await db().selectFrom('message_reactions').selectAll().where('message_id', '=', ids.staffOld).execute()).toEqual([]);

      const purged = (await audit('retention.purged')).map((e) => [e.actor, e.target, e.details]);
      expect(purged).toEqual(
        expect.arrayContaining([
          ['parley', 'group:client', { removed: 1, days: 7, cutoff: expect.any(String), setting: 'override' }],
          ['parley', 'team:staff:cleo', { removed: 1, days: 2, cutoff: expect.any(String), setting: 'override' }],
          ['parley', null, { removed: 2, days: 30, cutoff: expect.any(String), setting: 'PARLEY_RETENTION_DAYS' }],
        ]),
      );
      expect(purged).toHaveLength(3);
      expect(JSON.stringify(purged)).not.toContain(tag);

      // Removed ids are just gone: a fresh sync and one from the earlier cursor both work, and
      // neither brings a removed message back. The read mark stays.
      const fresh = await requestOk(sockets.amy, 'sync', { since: 0 });
      const seen = fresh.messages.map((m) => m.id);
      expect(seen).toEqual(expect.arrayContaining([ids.staffNew, ids.clientNew, ids.teamNew, ids.dmAncient]));
      expect(seen).not.toContain(ids.staffOld);
      expect(before.messages.map((m) => m.id)).toContain(ids.staffOld);
      expect((await requestOk(sockets.amy, 'sync', { since: before.cursor })).messages).toEqual([]);
      const mark = await db().selectFrom('read_marks').select('last_read_id').where('user_id', '=', amyId).where('conversation', '=', 'group:staff').executeTakeFirst();
      expect(mark?.last_read_id).toBe(ids.staffNew);
      const history = await requestOk(sockets.amy, 'history', { conversation: 'staff' });
      expect(history.messages.map((m) => m.id)).toEqual([ids.staffNew]);

      // A second pass finds nothing and records nothing.
      expect((await server.app.get(RetentionJob).runPass())!.every((r) => r.removed === 0)).toBe(true);
      expect(await audit('retention.purged')).toHaveLength(3);

      // The same purge as a delete: SQLite's secure_delete and WAL checkpoint, PostgreSQL's rewrite
      // of the message tables (compactNow runs it at once; the job's own request waits its turn).
      await server.app.get(StorageCompactor).compactNow();
      for (const name of ['staff-old', 'client-old', 'team-old', 'channel-old']) expect([name, await databaseFilesContain(server, text(name))]).toEqual([name, false]);
      // The check can see text: what was kept is found.
      expect(await databaseFilesContain(server, text('dm-ancient'))).toBe(true);
    });

    it('runs one pass at a time across nodes: on PostgreSQL a pass skips while another session holds the lock', async () => {
      const database = server.app.get(DatabaseService);
      if (database.dialect !== 'postgres') return;
      const lock = sql`select pg_advisory_lock(${RETENTION_PASS_LOCK}::bigint)`;
      const unlock = sql`select pg_advisory_unlock(${RETENTION_PASS_LOCK}::bigint)`;
      // Another node's pass, as PostgreSQL sees it: a session holding the lock.
      await database.db.connection().execute(async (otherNode) => {
        await lock.execute(otherNode);
        try {
          expect(await server.app.get(RetentionJob).runPass()).toBeUndefined();
        } finally {
          await unlock.execute(otherNode);
        }
      });
      expect(await server.app.get(RetentionJob).runPass()).toEqual(expect.any(Array));
    });
  });
});
