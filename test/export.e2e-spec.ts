import { createHash } from 'node:crypto';
import { type AuditEntry, ErrorCodes, type ExportLine } from '@parley/contract';
import { EXPORT_PAGE } from '../backend/src/retention/message-export.service';
import { DatabaseService } from '../backend/src/storage/database.service';
import type { NewMessageRow } from '../backend/src/storage/database.types';
import { MessageRepository } from '../backend/src/storage/message.repository';
import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * The compliance export (issue 14): JSON Lines streamed oldest first, filtered by conversation
 * and time, tombstones without text, many pages, the SHA-256 of the body in the audit log, a
 * reader that goes away stopping the walk, coded refusals. Runs on SQLite and PostgreSQL.
 */
describe('export', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, ClientSocket> = {};
  const roles = { sam: 'staff', amy: 'staff', cleo: 'client' } as const;
  const ids: Record<string, number> = {};

  const db = () => server.app.get(DatabaseService).db;
  const exported = async (query = '', token = tokens.admin) => {
    const response = await fetch(`${server.url}/api/admin/export${query}`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    const ok = response.status === 200;
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes,
      body: ok ? undefined : (JSON.parse(text) as unknown),
      lines: ok ? text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as ExportLine) : [],
    };
  };
  const latestExportAudit = async () => ((await api(server, 'GET', '/api/admin/audit?action=messages.exported&limit=1', { token: tokens.admin })).body.entries as AuditEntry[])[0];
  const refusal = (status: number, code: string) => ({ statusCode: status, code, message: expect.any(String) });
  const send = async (who: keyof typeof roles, recipients: string, message: string, sentAt: string) => {
    const { id } = await requestOk(sockets[who], 'send_message', { message, recipients });
    await db().updateTable('messages').set({ sent_at: Date.parse(sentAt) }).where('id', '=', id).execute();
    return id;
  };

  beforeAll(async () => {
    server = await startServer();
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) {
      tokens[name] = await createUser(server, tokens.admin, name, role);
      sockets[name] = await connectAs(server, tokens[name], role, name);
    }
    expect((await api(server, 'POST', '/api/channels', { token: tokens.sam, body: { name: 'ops', visibility: 'public' } })).status).toBe(201);
    ids.group = await send('sam', 'staff', 'to the staff', '2025-01-10T10:00:00Z');
    ids.dm = await send('sam', 'amy', 'to amy', '2025-02-10T10:00:00Z');
    ids.team = await send('cleo', 'staff', 'from cleo', '2025-03-10T10:00:00Z');
    ids.channel = await send('sam', 'channel:ops', 'in ops', '2025-04-10T10:00:00Z');
    ids.deleted = await send('amy', 'sam', 'taken back', '2025-04-11T10:00:00Z');
    ids.reply = await send('amy', 'staff', 'answering', '2025-04-12T10:00:00Z');
    const amyId = (await db().selectFrom('users').select('id').where('username', '=', 'amy').executeTakeFirstOrThrow()).id;
    // What edit, delete, react and reply leave in a row, written directly (their events are another part's).
    await db().updateTable('messages').set({ body: '', deleted_at: Date.parse('2025-04-11T11:00:00Z') }).where('id', '=', ids.deleted).execute();
    await db().updateTable('messages').set({ reply_to: ids.group, edited_at: Date.parse('2025-04-12T10:05:00Z') }).where('id', '=', ids.reply).execute();
    await db().insertInto('message_reactions').values({ message_id: ids.group, user_id: amyId, username: 'amy', emoji: '👍', reacted_at: Date.now() }).execute();
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  it('streams every message as one JSON line, oldest first, tombstones without text, and records the SHA-256 of exactly the body', async () => {
    const all = await exported();
    expect([all.status, all.type]).toEqual([200, 'application/x-ndjson; charset=utf-8']);
    expect(all.lines).toEqual([
      { id: ids.group, conversation: 'group:staff', sent_at: '2025-01-10T10:00:00.000Z', sender_name: 'sam', sender_role: 'staff', target_kind: 'group', target: 'staff', message: 'to the staff', reactions: [{ emoji: '👍', users: ['amy'] }] },
      { id: ids.dm, conversation: 'dm:amy:sam', sent_at: '2025-02-10T10:00:00.000Z', sender_name: 'sam', sender_role: 'staff', target_kind: 'user', target: 'amy', message: 'to amy' },
      { id: ids.team, conversation: 'team:staff:cleo', sent_at: '2025-03-10T10:00:00.000Z', sender_name: 'cleo', sender_role: 'client', target_kind: 'team', target: 'staff', guest: 'cleo', message: 'from cleo' },
      { id: ids.channel, conversation: 'channel:ops', sent_at: '2025-04-10T10:00:00.000Z', sender_name: 'sam', sender_role: 'staff', target_kind: 'channel', target: 'ops', message: 'in ops' },
      { id: ids.deleted, conversation: 'dm:amy:sam', sent_at: '2025-04-11T10:00:00.000Z', sender_name: 'amy', sender_role: 'staff', target_kind: 'user', target: 'sam', message: '', deleted: true },
      { id: ids.reply, conversation: 'group:staff', sent_at: '2025-04-12T10:00:00.000Z', sender_name: 'amy', sender_role: 'staff', target_kind: 'group', target: 'staff', message: 'answering', edited_at: '2025-04-12T10:05:00.000Z', reply_to: ids.group },
    ]);
    const entry = await latestExportAudit();
    expect(entry).toMatchObject({ actor: 'admin', target: null, ip: '127.0.0.1' });
    expect(entry.details).toEqual({ conversation: null, after: null, before: null, count: 6, bytes: all.bytes.length, sha256: createHash('sha256').update(all.bytes).digest('hex'), complete: true });
  });

  it('filters by conversation (DMs named by both people, in either order) and by time', async () => {
    const idsOf = async (query: string) => (await exported(query)).lines.map((line) => line.id);
    expect(await idsOf('?conversation=dm:amy:sam')).toEqual([ids.dm, ids.deleted]);
    expect(await idsOf('?conversation=dm:sam:amy')).toEqual([ids.dm, ids.deleted]);
    expect(await idsOf('?conversation=group:staff')).toEqual([ids.group, ids.reply]);
    expect(await idsOf('?conversation=team:staff:cleo')).toEqual([ids.team]);
    expect(await idsOf('?conversation=channel:ops')).toEqual([ids.channel]);
    expect(await idsOf('?conversation=group:client')).toEqual([]);
    // after is inclusive, before exclusive; a day means its start (UTC).
    expect(await idsOf('?after=2025-02-01&before=2025-04-01')).toEqual([ids.dm, ids.team]);
    expect(await idsOf('?after=2025-02-10T10:00:00Z&before=2025-04-10T10:00:00Z')).toEqual([ids.dm, ids.team]);
    expect(await idsOf('?after=2025-02-10T11:00:00%2B01:00')).toEqual([ids.dm, ids.team, ids.channel, ids.deleted, ids.reply]);
    expect(await idsOf('?conversation=dm:amy:sam&after=2025-04-01')).toEqual([ids.deleted]);
    expect(await idsOf('?before=2025-01-01')).toEqual([]);
    const both = await exported('?conversation=dm:amy:sam&before=2025-03-01');
    expect((await latestExportAudit()).details).toEqual({ conversation: 'dm:amy:sam', after: null, before: '2025-03-01', count: 1, bytes: both.bytes.length, sha256: createHash('sha256').update(both.bytes).digest('hex'), complete: true });
    expect((await latestExportAudit()).target).toBe('dm:amy:sam');
  });

  it('answers HEAD with the headers only, exporting and recording nothing', async () => {
    const before = (await latestExportAudit()).id;
    const response = await fetch(`${server.url}/api/admin/export`, { method: 'HEAD', headers: { authorization: `Bearer ${tokens.admin}` } });
    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([200, 'application/x-ndjson; charset=utf-8', '']);
    expect((await latestExportAudit()).id).toBe(before);
  });

  it('refuses a bad query with INVALID_PAYLOAD, an unknown conversation with NOT_FOUND, and anyone but an admin', async () => {
    for (const query of ['?after=yesterday', '?before=2025-13-01', '?after=1700000000', '?conversation=', '?format=csv', '?after=2025-01-01&after=2025-02-01']) {
      expect([query, (await exported(query)).status, (await exported(query)).body]).toEqual([query, 400, refusal(400, ErrorCodes.InvalidPayload)]);
    }
    for (const query of ['?conversation=group:nobody', '?conversation=dm:sam:nobody', '?conversation=channel:nope', '?conversation=sam']) {
      expect([query, (await exported(query)).body]).toEqual([query, refusal(404, ErrorCodes.NotFound)]);
    }
    for (const who of ['sam', 'cleo']) expect((await exported('', tokens[who])).body).toEqual(refusal(403, ErrorCodes.Forbidden));
    expect((await exported('', 'not-a-session')).body).toEqual(refusal(401, ErrorCodes.Unauthenticated));
  });

  it('walks many pages in order, and stops when the reader goes away', async () => {
    const sam = await db().selectFrom('users').selectAll().where('username', '=', 'sam').executeTakeFirstOrThrow();
    const big = 'x'.repeat(4000);
    const rows = (from: number, count: number): NewMessageRow[] =>
      Array.from({ length: count }, (_, i) => ({
        client_id: null, sender_id: sam.id, sender_username: 'sam', sender_role: 'staff', sender_socket: 'bulk', target_kind: 'group', target: 'staff',
        recipient_id: null, conversation: 'group:staff', audience: 'group:staff', guest: null, mentions: null, body: `bulk ${from + i} ${big}`, sent_at: Date.parse('2025-06-01T00:00:00Z') + from + i,
      }));
    const total = 5 * EXPORT_PAGE + 17;
    for (let from = 0; from < total; from += EXPORT_PAGE) await server.app.get(MessageRepository).insertBatch(rows(from, Math.min(EXPORT_PAGE, total - from)));

    const whole = await exported('?after=2025-06-01');
    expect(whole.lines.length).toBe(total);
    expect(whole.lines.every((line, i) => line.message.startsWith(`bulk ${i} `) && (i === 0 || line.id > whole.lines[i - 1].id))).toBe(true);

    // Read the first bytes, then hang up: the server stops at the page it was writing (the socket
    // buffers hold far less than the ~20 MB the export would be) and records what left.
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/admin/export?after=2025-06-01`, { headers: { authorization: `Bearer ${tokens.admin}` }, signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const entry = await eventually(async () => {
      const latest = await latestExportAudit();
      return latest.details.complete === false && latest;
    });
    expect(entry.details.count).toBeLessThan(total);
  });
});
