import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParleyApp } from '../backend/src/app.factory';
import { AuditService } from '../backend/src/audit/audit.service';
import type { AuditEntry } from '@parley/contract';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';
import { adminToken, api, closeAllClients, connectAs, createUser, roundTrip } from './support/clients';

type Page = { entries: AuditEntry[]; next_before: number | null };

describe('audit log', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const read = async (query = '', token = admin) => {
    const response = await api(server, 'GET', `/api/admin/audit${query}`, { token });
    return { status: response.status, body: response.body as unknown as Page & { code?: string } };
  };

  it('records what admins do: who, what, to whom, from where, and never a password', async () => {
    const secret = 'a-new-secret-password';
    const sam = await createUser(server, admin, 'sam', 'staff');
    await api(server, 'PATCH', '/api/users/sam', { token: admin, body: { role: 'client', display_name: 'Samuel' } });
    await api(server, 'PATCH', '/api/users/sam', { token: admin, body: { disabled: true } });
    await api(server, 'PATCH', '/api/users/sam', { token: admin, body: { disabled: false } });
    await api(server, 'POST', '/api/users/sam/password', { token: admin, body: { password: secret } });
    await api(server, 'POST', '/api/users/sam/sign-out', { token: admin });
    expect(sam).toEqual(expect.any(String));

    const cleo = await createUser(server, admin, 'cleo', 'client');
    const socket = await connectAs(server, cleo, 'client', 'cleo');
    const socketId = socket.id!;
    const kicked = await api(server, 'POST', `/api/admin/connections/${socketId}/disconnect`, { token: admin });
    expect(kicked.status).toBe(204);

    const { status, body } = await read();
    expect(status).toBe(200);
    const mine = body.entries.filter((e) => e.action !== 'settings.changed');
    expect(mine.map((e) => [e.action, e.target])).toEqual([
      ['connection.kicked', socketId],
      ['user.created', 'cleo'],
      ['user.signed_out', 'sam'],
      ['user.password_reset', 'sam'],
      ['user.changed', 'sam'],
      ['user.changed', 'sam'],
      ['user.changed', 'sam'],
      ['user.created', 'sam'],
    ]);
    for (const entry of mine) {
      expect(entry).toMatchObject({ actor: 'admin', ip: '127.0.0.1' });
      expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(mine[0].details).toEqual({ username: 'cleo', role: 'client', ip: '127.0.0.1' });
    expect(mine[4].details).toEqual({ disabled: false });
    expect(mine[5].details).toEqual({ disabled: true });
    expect(mine[6].details).toEqual({ role: 'client', display_name: 'Samuel' });
    expect(mine[7].details).toEqual({ role: 'staff', display_name: 'sam' });
    const text = JSON.stringify(body);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('sam-passphrase-9');
    expect(text).not.toContain(ADMIN_PASSWORD);
  });

  it('does not record refused actions', async () => {
    const cal = await createUser(server, admin, 'cal', 'client');
    const bystander = await connectAs(server, cal, 'client', 'cal');
    const before = (await read()).body.entries.length;
    // A room name is not a connection: nothing in the client group may be disconnected by it.
    expect((await api(server, 'POST', '/api/admin/connections/group:client/disconnect', { token: admin })).status).toBe(404);
    expect((await api(server, 'POST', `/api/admin/connections/user:1/disconnect`, { token: admin })).status).toBe(404);
    // A kick would have been sent before those answers; the round trip brings it in.
    await roundTrip(bystander);
    expect(bystander.connected).toBe(true);
    expect((await api(server, 'PATCH', '/api/users/nobody', { token: admin, body: { disabled: true } })).status).toBe(404);
    expect((await api(server, 'POST', '/api/admin/connections/no-such-socket/disconnect', { token: admin })).status).toBe(404);
    expect((await read()).body.entries.length).toBe(before);
  });

  it('pages backwards and filters by action', async () => {
    const first = await read('?limit=2');
    expect(first.body.entries).toHaveLength(2);
    expect(first.body.next_before).toBe(first.body.entries[1].id);
    const second = await read(`?limit=2&before=${first.body.next_before}`);
    expect(second.body.entries[0].id).toBeLessThan(first.body.entries[1].id);
    const created = await read('?action=user.created');
    expect(created.body.entries.map((e) => e.target)).toEqual(['cal', 'cleo', 'sam']);
    expect(created.body.next_before).toBeNull();
  });

  it.each(['?limit=0', '?limit=500', '?action=user.exploded', '?before=-1', '?before=abc', '?before=1e21', '?extra=1'])(
    'refuses the query %s with 400 INVALID_PAYLOAD',
    async (query) => {
      const { status, body } = await read(query);
      expect(status).toBe(400);
      expect(body.code).toBe('INVALID_PAYLOAD');
    },
  );

  it('is for admins only', async () => {
    const staff = await createUser(server, admin, 'stu', 'staff');
    expect(await read('', staff)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const anonymous = await api(server, 'GET', '/api/admin/audit');
    expect(anonymous.status).toBe(401);
  });
});

describe('audit log: settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts Parley on the same database with these settings, reads the settings entries, stops. */
  async function startWith(env: Record<string, string>): Promise<AuditEntry[]> {
    const app = await createParleyApp({
      env: { PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite'), PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    try {
      return await app.get(AuditService).page({ limit: 50, action: 'settings.changed' });
    } finally {
      await app.close();
    }
  }

  it('records the settings at the first start, and again only when a restart changes them', async () => {
    const first = await startWith({});
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ actor: 'parley', details: { changed: ['(first start)'] } });
    const settings = first[0].details.settings as Record<string, unknown>;
    expect(settings.PARLEY_MAX_MESSAGE_BYTES).toBe(16384);
    // Secrets are recorded as set or unset, never as values.
    expect(settings.PARLEY_ADMIN_PASSWORD).toBe('set');
    expect(JSON.stringify(first)).not.toContain(ADMIN_PASSWORD);

    expect(await startWith({})).toHaveLength(1);

    const changed = await startWith({ PARLEY_MAX_MESSAGE_BYTES: '4096', PARLEY_AUTH: 'open' });
    expect(changed).toHaveLength(2);
    expect(changed[0].details.changed).toEqual(['PARLEY_AUTH', 'PARLEY_MAX_MESSAGE_BYTES']);
  });
});
