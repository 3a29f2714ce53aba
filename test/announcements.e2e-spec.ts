import type { Announcement, AnnouncementAcks, AnnouncementStatus, AuditEntry } from '@parley/contract';
import { adminToken, api, closeAllClients, connectAs, createUser, login, nextEvent, record, requestOk, roundTrip } from './support/clients';
import { startServer, type TestServer } from './support/server';

describe('announcements', () => {
  let server: TestServer;
  let admin: string;
  let sam: string;
  let cleo: string;
  let carl: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
    sam = await createUser(server, admin, 'sam', 'staff');
    cleo = await createUser(server, admin, 'cleo', 'client');
    carl = await createUser(server, admin, 'carl', 'client');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  const post = async (body: unknown, token = admin) => api(server, 'POST', '/api/announcements', { token, body });
  const announce = async (message: string, roles?: string[]): Promise<Announcement> => {
    const response = await post(roles ? { message, roles } : { message });
    expect(response.status).toBe(201);
    return response.body.announcement as unknown as Announcement;
  };
  const own = async (token: string) => (await api(server, 'GET', '/api/announcements', { token })).body.announcements as unknown as Announcement[];
  const statuses = async () => (await api(server, 'GET', '/api/admin/announcements', { token: admin })).body.announcements as unknown as AnnouncementStatus[];

  it('posts to everyone by default, records it in the audit log, and lists it for each role', async () => {
    const response = await post({ message: '  Fire drill at 3 pm  ' });
    expect(response.status).toBe(201);
    const announcement = response.body.announcement as unknown as Announcement;
    expect(announcement).toEqual({
      id: expect.any(Number),
      message: 'Fire drill at 3 pm',
      author: 'admin',
      author_display_name: expect.any(String),
      roles: ['admin', 'staff', 'client'],
      created_at: expect.any(String),
      acknowledged_at: null,
    });
    for (const token of [admin, sam, cleo]) expect((await own(token))[0]).toEqual(announcement);

    const audit = (await api(server, 'GET', '/api/admin/audit?action=announcement.created', { token: admin })).body.entries as unknown as AuditEntry[];
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'announcement.created', details: { id: announcement.id, roles: ['admin', 'staff', 'client'] } });
    // The text lives in the announcements table, not in the log.
    expect(JSON.stringify(audit)).not.toContain('Fire drill');
  });

  it('shows a role only what is addressed to it, newest first', async () => {
    const toClients = await announce('Office closed Friday', ['client']);
    const toStaff = await announce('Staff meeting', ['staff']);
    const both = await announce('New phone numbers', ['client', 'staff']);
    expect((await own(cleo)).map((a) => a.id).slice(0, 2)).toEqual([both.id, toClients.id]);
    expect((await own(cleo)).map((a) => a.id)).not.toContain(toStaff.id);
    expect((await own(sam)).map((a) => a.id).slice(0, 2)).toEqual([both.id, toStaff.id]);
    // Roles come back in the table's order, whatever order they were given in.
    expect(both.roles).toEqual(['staff', 'client']);
  });

  it('refuses non-admins, bad bodies and announcements not addressed to the caller', async () => {
    expect((await post({ message: 'hi' }, sam)).status).toBe(403);
    expect((await post({ message: 'hi' }, cleo)).status).toBe(403);
    expect((await api(server, 'GET', '/api/admin/announcements', { token: sam })).status).toBe(403);
    expect((await api(server, 'GET', '/api/admin/announcements/1/acks', { token: cleo })).status).toBe(403);
    expect((await api(server, 'GET', '/api/announcements')).status).toBe(401);
    for (const body of [{}, { message: '   ' }, { message: 'x'.repeat(2_001) }, { message: 'hi', roles: [] }, { message: 'hi', roles: ['guest'] }, { message: 'hi', extra: 1 }]) {
      const response = await post(body);
      expect([response.status, response.body.code]).toEqual([400, 'INVALID_PAYLOAD']);
    }
    const toStaff = await announce('Rota changes', ['staff']);
    const refused = await api(server, 'POST', `/api/announcements/${toStaff.id}/ack`, { token: cleo });
    const missing = await api(server, 'POST', '/api/announcements/999999/ack', { token: cleo });
    // Another role's announcement and one that does not exist answer alike.
    expect([refused.status, refused.body.code, refused.body.message]).toEqual([404, 'NOT_FOUND', missing.body.message]);
    expect(missing.status).toBe(404);
    expect((await api(server, 'POST', '/api/announcements/abc/ack', { token: cleo })).status).toBe(400);
    expect((await api(server, 'GET', '/api/admin/announcements/999999/acks', { token: admin })).status).toBe(404);
    expect((await api(server, 'GET', '/api/admin/announcements?limit=0', { token: admin })).status).toBe(400);
  });

  it('reaches the addressed roles live, and no one else', async () => {
    const cleoSocket = await connectAs(server, cleo, 'client', 'cleo');
    const samSocket = await connectAs(server, sam, 'staff', 'sam');
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const samSaw = record(samSocket, 'announcement');
    const adminSaw = record(adminSocket, 'announcement');
    const cleoGets = nextEvent(cleoSocket, 'announcement');
    const toClients = await announce('Clients only', ['client']);
    expect(await cleoGets).toEqual(toClients);
    // The staff one is sent after the client one: once it arrived, the client one would have too.
    const samGets = nextEvent(samSocket, 'announcement', (a) => a.message === 'Staff only');
    await announce('Staff only', ['staff']);
    await samGets;
    expect(samSaw.map((a) => a.message)).toEqual(['Staff only']);
    await roundTrip(adminSocket);
    // Admins read the client group (supervision), but an announcement goes by role, not by group.
    expect(adminSaw).toEqual([]);
  });

  it('acknowledges once, tells the other devices and the admins, and moves the counts', async () => {
    const notice = await announce('Please update your address', ['client']);
    const cleoPhone = await connectAs(server, cleo, 'client', 'cleo');
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const carlSocket = await connectAs(server, carl, 'client', 'carl');
    const samSocket = await connectAs(server, sam, 'staff', 'sam');
    const carlSaw = record(carlSocket, 'announcement_acked');
    const samSaw = record(samSocket, 'announcement_acked');
    const phoneGets = nextEvent(cleoPhone, 'announcement_acked', (p) => p.id === notice.id);
    const adminGets = nextEvent(adminSocket, 'announcement_acked', (p) => p.id === notice.id);
    expect((await statuses()).find((s) => s.id === notice.id)).toMatchObject({ audience: 2, acknowledged: 0 });

    const first = await api(server, 'POST', `/api/announcements/${notice.id}/ack`, { token: cleo });
    expect(first.status).toBe(200);
    const acked = (first.body.announcement as unknown as Announcement).acknowledged_at;
    expect(acked).toEqual(expect.any(String));
    const payload = { id: notice.id, user_name: 'cleo', acknowledged_at: acked };
    expect(await phoneGets).toEqual(payload);
    expect(await adminGets).toEqual(payload);
    await roundTrip(carlSocket);
    await roundTrip(samSocket);
    expect(carlSaw).toEqual([]);
    expect(samSaw).toEqual([]);

    const again = await api(server, 'POST', `/api/announcements/${notice.id}/ack`, { token: cleo });
    expect((again.body.announcement as unknown as Announcement).acknowledged_at).toBe(acked);
    expect((await own(cleo)).find((a) => a.id === notice.id)?.acknowledged_at).toBe(acked);
    expect((await statuses()).find((s) => s.id === notice.id)).toMatchObject({ audience: 2, acknowledged: 1 });
    const acks = (await api(server, 'GET', `/api/admin/announcements/${notice.id}/acks`, { token: admin })).body as unknown as AnnouncementAcks;
    expect(acks).toEqual({
      acknowledged: [{ username: 'cleo', display_name: 'cleo', role: 'client', acknowledged_at: acked }],
      pending: [{ username: 'carl', display_name: 'carl', role: 'client' }],
    });
  });

  it('pages the admin list backwards, newest first', async () => {
    const a = await announce('page one');
    const b = await announce('page two');
    const firstPage = (await api(server, 'GET', '/api/admin/announcements?limit=1', { token: admin })).body.announcements as unknown as AnnouncementStatus[];
    expect(firstPage.map((s) => s.id)).toEqual([b.id]);
    const next = (await api(server, 'GET', `/api/admin/announcements?limit=1&before=${b.id}`, { token: admin })).body.announcements as unknown as AnnouncementStatus[];
    expect(next.map((s) => s.id)).toEqual([a.id]);
  });

  it('sync carries the pending ones, newest first, and not the acknowledged ones', async () => {
    const done = await announce('Already seen', ['client']);
    const pending = await announce('Still to read', ['client']);
    await api(server, 'POST', `/api/announcements/${done.id}/ack`, { token: carl });
    const socket = await connectAs(server, carl, 'client', 'carl');
    const ack = await requestOk(socket, 'sync', { since: 0 });
    expect(ack.announcements[0]).toEqual(pending);
    expect(ack.announcements.map((a) => a.id)).not.toContain(done.id);
    expect(ack.announcements.every((a) => a.roles.includes('client') && a.acknowledged_at === null)).toBe(true);
  });

  it('follows the current role: someone moved to staff sees staff announcements, not client ones', async () => {
    const toClients = await announce('For clients', ['client']);
    const toStaff = await announce('For staff', ['staff']);
    await createUser(server, admin, 'mo', 'client');
    expect((await api(server, 'PATCH', '/api/users/mo', { token: admin, body: { role: 'staff' } })).status).toBe(200);
    const mo = await login(server, 'mo', 'mo-passphrase-9');
    const ids = (await own(mo)).map((a) => a.id);
    expect(ids).toContain(toStaff.id);
    expect(ids).not.toContain(toClients.id);
    expect((await api(server, 'POST', `/api/announcements/${toClients.id}/ack`, { token: mo })).status).toBe(404);
    // And the live event follows the role the socket verified as.
    const socket = await connectAs(server, mo, 'staff', 'mo');
    const gets = nextEvent(socket, 'announcement');
    const later = await announce('Staff again', ['staff']);
    expect((await gets).id).toBe(later.id);
    expect((await statuses()).find((s) => s.id === later.id)?.audience).toBe(2);
  });
});
