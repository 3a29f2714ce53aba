import { DatabaseService } from '../backend/src/storage/database.service';
import { CapturedLog } from './support/captured-log';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';
import { adminToken, api, closeAllClients, connectAs, createUser, nextEvent, request } from './support/clients';
import { eventually } from './support/eventually';

const SECRET_TEXT = 'the launch code is 0000 - do not log me';
const SECRET_DM = 'direct words nobody else should read';
const PASSWORD = 'pa55word-that-must-not-be-logged';

/** Signs in, chats (group and direct), fails a few requests: everything whose traces must stay out of the log. */
async function exercise(server: TestServer): Promise<{ token: string }> {
  const admin = await adminToken(server);
  const created = await api(server, 'POST', '/api/users', {
    token: admin,
    body: { username: 'logan', role: 'staff', password: PASSWORD },
  });
  expect(created.status).toBe(201);
  const login = await api(server, 'POST', '/api/auth/login', { body: { username: 'logan', password: PASSWORD } });
  const token = login.body.token as string;
  expect((await api(server, 'POST', '/api/auth/login', { body: { username: 'logan', password: `${PASSWORD}-wrong` } })).status).toBe(401);
  const staff = await connectAs(server, token, 'staff', 'logan');
  const client = await connectAs(server, await createUser(server, admin, 'cleo', 'client'), 'client', 'cleo');
  const delivered = nextEvent(client, 'message_from_user');
  expect(await request(staff, 'send_message', { message: SECRET_DM, recipients: 'cleo' })).toMatchObject({ ok: true });
  await delivered;
  expect(await request(staff, 'send_message', { message: SECRET_TEXT, recipients: 'staff' })).toMatchObject({ ok: true });
  expect(await request(staff, 'send_message', { message: SECRET_TEXT, recipients: 'no-such-person' })).toMatchObject({ ok: false });
  expect(await request(client, 'send_message', { message: SECRET_TEXT, recipients: 'client' })).toMatchObject({ ok: false });
  await api(server, 'GET', '/api/me', { headers: { cookie: `parley_session=${token}` } });
  await api(server, 'GET', `/api/users?password=${PASSWORD}`, { token: admin });
  closeAllClients();
  return { token };
}

describe('JSON logs', () => {
  describe('at the default level', () => {
    const log = new CapturedLog();
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      // logger: undefined, so PARLEY_LOG_LEVEL (unset: 'log') decides, as in production.
      server = await startServer({}, [], { log: { destination: log }, logger: undefined });
      ({ token } = await exercise(server));
    });
    afterAll(() => server.stop());

    it('writes one JSON object per line with a level, an ISO time and a message', () => {
      const lines = log.lines();
      expect(lines.length).toBeGreaterThan(10);
      for (const line of lines) {
        expect(line).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));
        expect(new Date(line.time).toISOString()).toBe(line.time);
      }
      expect(new Set(lines.map((line) => line.level))).not.toContain('debug');
    });

    it('logs each request with a request id, which the response carries too', async () => {
      const response = await api(server, 'GET', '/api/session');
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const line = log.lines().find((entry) => entry.reqId === id);
      expect(line).toMatchObject({
        level: 'info',
        req: { method: 'GET', path: '/api/session' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
    });

    it("keeps a caller's plain request id and replaces one that is not", async () => {
      const kept = await api(server, 'GET', '/api/session', { headers: { 'x-request-id': 'proxy-trace.42' } });
      expect(kept.headers.get('x-request-id')).toBe('proxy-trace.42');
      expect(log.lines().some((entry) => entry.reqId === 'proxy-trace.42')).toBe(true);
      const replaced = await api(server, 'GET', '/api/session', { headers: { 'x-request-id': 'evil"\\id with spaces' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('logs refused socket requests with the socket id and code', () => {
      const refused = log.lines().filter((entry) => entry.context === 'ChatGateway' && entry.code === 'UNKNOWN_RECIPIENT');
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ level: 'warn', event: 'send_message', socketId: expect.any(String) });
    });

    it('never contains message text, a password, a session token or a cookie', () => {
      expect(log.text).not.toContain(SECRET_TEXT);
      expect(log.text).not.toContain(SECRET_DM);
      expect(log.text).not.toContain(PASSWORD);
      expect(log.text).not.toContain(ADMIN_PASSWORD);
      expect(log.text).not.toContain(token);
      expect(log.text).not.toMatch(/parley_session|authorization|bearer/i);
    });
  });

  describe('at the most verbose level', () => {
    const log = new CapturedLog();
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ PARLEY_LOG_LEVEL: 'verbose' }, [], { log: { destination: log }, logger: undefined });
      await exercise(server);
    });
    afterAll(() => server.stop());

    it('follows each socket by its id, from connect to disconnect', async () => {
      const verified = log.lines().filter((entry) => entry.msg === 'Socket verified');
      expect(verified.length).toBeGreaterThanOrEqual(2);
      const socketId = verified[0].socketId;
      await eventually(() =>
        expect(log.lines().filter((entry) => entry.socketId === socketId).map((entry) => entry.msg)).toEqual(
          expect.arrayContaining(['Socket connected', 'Socket verified', 'Socket disconnected']),
        ),
      );
    });

    it('still never contains message text, a password or a token', () => {
      expect(log.text).not.toContain(SECRET_TEXT);
      expect(log.text).not.toContain(SECRET_DM);
      expect(log.text).not.toContain(PASSWORD);
      expect(log.text).not.toContain(ADMIN_PASSWORD);
      expect(log.text).not.toMatch(/parley_session=|bearer /i);
    });

    it('tags lines logged while handling a request with its request id', async () => {
      // The database goes away; the readiness check logs why, within the probe's request.
      await server.app.get(DatabaseService).db.destroy();
      const response = await api(server, 'GET', '/health/ready');
      expect(response.status).toBe(503);
      const id = response.headers.get('x-request-id');
      expect(log.lines().find((entry) => entry.context === 'DatabaseHealthIndicator')).toMatchObject({
        level: 'warn',
        reqId: id,
        msg: 'Database health check failed',
      });
    });
  });

  it('writes nothing with logging off', async () => {
    const log = new CapturedLog();
    const server = await startServer({}, [], { log: { destination: log, level: false } });
    try {
      await api(server, 'GET', '/api/no-such-route');
      expect(log.raw).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
