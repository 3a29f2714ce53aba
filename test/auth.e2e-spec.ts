import { adminToken, api, closeAllClients, connect, connectAs, createUser, type Json, login, request } from './support/clients';
import { eventually } from './support/eventually';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';

describe('accounts and sessions', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  describe('REST sign-in', () => {
    it('logs in with a cookie for browsers and a token for other clients', async () => {
      const response = await api(server, 'POST', '/api/auth/login', { body: { username: 'Admin', password: ADMIN_PASSWORD } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ user: { username: 'admin', role: 'admin' }, token: expect.any(String) });
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('parley_session='))!;
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      const viaCookie = await api(server, 'GET', '/api/me', { headers: { cookie: cookie.split(';')[0] } });
      expect(viaCookie.body).toEqual({ user: { username: 'admin', display_name: 'Administrator', role: 'admin' }, source: 'local' });
      const viaBearer = await api(server, 'GET', '/api/me', { token: response.body.token as string });
      expect(viaBearer.status).toBe(200);
    });

    it('refuses a wrong password or unknown user with one message', async () => {
      const wrong = await api(server, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'nope-nope' } });
      const unknown = await api(server, 'POST', '/api/auth/login', { body: { username: 'ghost', password: 'nope-nope' } });
      expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('revokes the session on logout: REST and new sockets refuse it, open sockets close', async () => {
      const token = await login(server, 'admin', ADMIN_PASSWORD);
      const socket = await connectAs(server, token, 'admin', 'admin');
      const closed = new Promise((resolve) => socket.on('disconnect', resolve));
      expect((await api(server, 'POST', '/api/auth/logout', { token })).status).toBe(204);
      await closed;
      expect(await api(server, 'GET', '/api/me', { token })).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      const again = await connect(server, { token });
      const ack = await request(again, 'verify_user', { user_type: 'admin', user_name: 'admin' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
    });

    it('answers a request without a session with 401 and a body', async () => {
      expect(await api(server, 'GET', '/api/me')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(await api(server, 'GET', '/api/me', { token: 'forged' })).toMatchObject({ status: 401 });
    });

    it('tells a page who is signed in, or nobody, without an error status', async () => {
      expect(await api(server, 'GET', '/api/session')).toEqual(expect.objectContaining({ status: 200, body: { user: null, expires_at: null } }));
      expect(await api(server, 'GET', '/api/session', { token: 'forged' })).toMatchObject({ status: 200, body: { user: null, expires_at: null } });
      const signedIn = await api(server, 'GET', '/api/session', { token: admin });
      expect(signedIn).toMatchObject({ status: 200, body: { user: { username: 'admin', role: 'admin' } } });
      // When the session ends (PARLEY_SESSION_TTL_HOURS, 30 days by default, from sign-in).
      const ends = Date.parse(signedIn.body.expires_at as string) - Date.now();
      // (The token was made in beforeAll, a loaded CI machine's minutes ago at most.)
      expect(ends).toBeGreaterThan(30 * 24 * 3_600_000 - 15 * 60_000);
      expect(ends).toBeLessThanOrEqual(30 * 24 * 3_600_000);
    });
  });

  describe('verify_user against the session', () => {
    it('accepts the session owner and refuses a wrong role or a wrong name', async () => {
      const token = await createUser(server, admin, 'vera', 'staff');
      for (const claim of [
        { user_type: 'admin', user_name: 'vera' },
        { user_type: 'staff', user_name: 'victor' },
        { user_type: 'client', user_name: 'vera' },
      ]) {
        const socket = await connect(server, { token });
        const ack = await request(socket, 'verify_user', claim);
        expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
        const send = await request(socket, 'send_message', { message: 'hi', recipients: 'staff' });
        expect(send).toMatchObject({ ok: false, error: { code: 'NOT_VERIFIED' } });
      }
      const socket = await connect(server, { token });
      const ack = await request(socket, 'verify_user', { user_type: 'staff', user_name: 'Vera' });
      expect(ack).toMatchObject({ ok: true, user: { username: 'vera', role: 'staff' }, latest_id: expect.any(Number) });
    });

    it('refuses every claim from a socket without a session in password mode', async () => {
      const socket = await connect(server);
      for (const user_type of ['admin', 'staff', 'client']) {
        const ack = await request(socket, 'verify_user', { user_type, user_name: 'anyone' });
        expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
      }
    });

    it('refuses a socket.io handshake token that is not a live session', async () => {
      const socket = await connect(server, { token: 'not-a-real-token' });
      const ack = await request(socket, 'verify_user', { user_type: 'admin', user_name: 'admin' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
    });
  });

  describe('user management (admin REST)', () => {
    it('creates, lists, updates, disables and resets passwords; others may not', async () => {
      const created = await api(server, 'POST', '/api/users', {
        token: admin,
        body: { username: 'Mia', display_name: 'Mia M', role: 'client', password: 'mia-passphrase-9' },
      });
      expect(created).toMatchObject({
        status: 201,
        body: { user: { username: 'mia', display_name: 'Mia M', role: 'client', disabled: false, has_password: true } },
      });
      const list = await api(server, 'GET', '/api/users', { token: admin });
      expect((list.body.users as Json[]).map((u) => u.username)).toContain('mia');

      const duplicate = await api(server, 'POST', '/api/users', {
        token: admin,
        body: { username: 'mia', role: 'client', password: 'whatever1' },
      });
      expect(duplicate).toMatchObject({ status: 409, body: { code: 'USERNAME_TAKEN' } });

      const mia = await login(server, 'mia', 'mia-passphrase-9');
      for (const [method, path, body] of [
        ['GET', '/api/users', undefined],
        ['POST', '/api/users', { username: 'x1', role: 'admin', password: 'password1' }],
        ['PATCH', '/api/users/mia', { role: 'admin' }],
        ['POST', '/api/users/admin/password', { password: 'password1' }],
      ] as const) {
        expect(await api(server, method, path, { token: mia, body })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      }

      const renamed = await api(server, 'PATCH', '/api/users/mia', { token: admin, body: { display_name: 'Mia Moss' } });
      expect(renamed.body).toMatchObject({ user: { display_name: 'Mia Moss' } });
      expect((await api(server, 'GET', '/api/me', { token: mia })).status).toBe(200);

      const reset = await api(server, 'POST', '/api/users/mia/password', { token: admin, body: { password: 'new-passphrase-9' } });
      expect(reset.status).toBe(200);
      expect((await api(server, 'GET', '/api/me', { token: mia })).status).toBe(401);
      await expect(login(server, 'mia', 'mia-passphrase-9')).rejects.toThrow();
      const fresh = await login(server, 'mia', 'new-passphrase-9');

      const socket = await connectAs(server, fresh, 'client', 'mia');
      const closed = new Promise((resolve) => socket.on('disconnect', resolve));
      const disabled = await api(server, 'PATCH', '/api/users/mia', { token: admin, body: { disabled: true } });
      expect(disabled.body).toMatchObject({ user: { disabled: true } });
      await closed;
      expect((await api(server, 'GET', '/api/me', { token: fresh })).status).toBe(401);
      // The right password on a disabled account is answered like a wrong one (issue 10, finding 7).
      const refused = await api(server, 'POST', '/api/auth/login', { body: { username: 'mia', password: 'new-passphrase-9' } });
      const wrong = await api(server, 'POST', '/api/auth/login', { body: { username: 'mia', password: 'not-her-passphrase' } });
      expect(refused).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
      expect(refused.body).toEqual(wrong.body);

      await api(server, 'PATCH', '/api/users/mia', { token: admin, body: { disabled: false } });
      expect(await login(server, 'mia', 'new-passphrase-9')).toEqual(expect.any(String));
    });

    it('closes a user\'s sockets when their role changes, so they rejoin in the right rooms', async () => {
      const token = await createUser(server, admin, 'rolf', 'client');
      const socket = await connectAs(server, token, 'client', 'rolf');
      let closed = false;
      socket.on('disconnect', () => (closed = true));
      await api(server, 'PATCH', '/api/users/rolf', { token: admin, body: { role: 'staff' } });
      await eventually(() => closed);
      const fresh = await login(server, 'rolf', 'rolf-passphrase-9');
      expect(await connectAs(server, fresh, 'staff', 'rolf')).toBeDefined();
    });

    it('refuses weak passwords with WEAK_PASSWORD and says why (issue 10, finding 8)', async () => {
      for (const password of ['12345678', 'password', '        ', 'qwertyuiop', 'wendy1234']) {
        const created = await api(server, 'POST', '/api/users', { token: admin, body: { username: 'wendy', role: 'staff', password } });
        expect(created).toMatchObject({ status: 400, body: { statusCode: 400, code: 'WEAK_PASSWORD', message: expect.stringMatching(/too easy to guess\. \S+/) } });
      }
      await createUser(server, admin, 'wendy', 'staff');
      const reset = await api(server, 'POST', '/api/users/wendy/password', { token: admin, body: { password: 'qwertyuiop' } });
      expect(reset).toMatchObject({ status: 400, body: { code: 'WEAK_PASSWORD', message: expect.stringContaining('frequently used password') } });
      expect(await login(server, 'wendy', 'wendy-passphrase-9')).toEqual(expect.any(String));
    });

    it('refuses to start with a weak PARLEY_ADMIN_PASSWORD, naming the variable', async () => {
      await expect(startServer({ PARLEY_ADMIN_PASSWORD: 'password' })).rejects.toThrow(/PARLEY_ADMIN_PASSWORD is too easy to guess/);
    });

    it('keeps an enabled admin: SELF_CHANGE, and LAST_ADMIN when two admins demote each other (issue 10, finding 9)', async () => {
      for (const body of [{ disabled: true }, { role: 'staff' }]) {
        const self = await api(server, 'PATCH', '/api/users/admin', { token: admin, body });
        expect(self).toMatchObject({ status: 409, body: { statusCode: 409, code: 'SELF_CHANGE', message: expect.stringMatching(/another admin/) } });
      }
      const deputy = await createUser(server, admin, 'deputy', 'admin');
      // Both at once: at most one may win; the other is refused (LAST_ADMIN), or finds its
      // session ended by the first (401) if that one finished before it started.
      const [one, two] = await Promise.all([
        api(server, 'PATCH', '/api/users/deputy', { token: admin, body: { role: 'staff' } }),
        api(server, 'PATCH', '/api/users/admin', { token: deputy, body: { role: 'staff' } }),
      ]);
      expect([one.status, two.status].filter((status) => status === 200)).toHaveLength(1);
      const loser = one.status === 200 ? two : one;
      expect([401, 403, 409]).toContain(loser.status);
      if (loser.status === 409) expect(loser.body.code).toBe('LAST_ADMIN');
      const winner = one.status === 200 ? await login(server, 'admin', ADMIN_PASSWORD) : await login(server, 'deputy', 'deputy-passphrase-9');
      const { body } = await api(server, 'GET', '/api/users', { token: winner });
      expect((body.users as Json[]).filter((u) => u.role === 'admin' && !u.disabled)).toHaveLength(1);
      // Put things back for the other tests.
      if (two.status === 200) {
        await api(server, 'PATCH', '/api/users/admin', { token: winner, body: { role: 'admin' } });
        admin = await adminToken(server);
        await api(server, 'PATCH', '/api/users/deputy', { token: admin, body: { role: 'staff' } });
      }
    });

    it('rejects bad bodies with 400 and says which field', async () => {
      const cases: Array<[string, string, unknown]> = [
        ['POST', '/api/users', { username: 'ok', role: 'boss', password: 'password1' }],
        ['POST', '/api/users', { username: 'has space', role: 'staff', password: 'password1' }],
        ['POST', '/api/users', { username: 'short', role: 'staff', password: 'x' }],
        ['POST', '/api/users', { username: 'extra', role: 'staff', password: 'password1', admin: true }],
        ['POST', '/api/users', ['not', 'an', 'object']],
        ['PATCH', '/api/users/admin', {}],
        ['PATCH', '/api/users/admin', { disabled: 'yes' }],
        ['POST', '/api/auth/login', { username: 42, password: null }],
      ];
      for (const [method, path, body] of cases) {
        const response = await api(server, method, path, { token: admin, body });
        expect(response).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD', message: expect.any(String) } });
        expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+/);
      }
      const broken = await api(server, 'POST', '/api/auth/login', { rawBody: '{"username": ' });
      expect(broken).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD' } });
      const missing = await api(server, 'PATCH', '/api/users/nobody-here', { token: admin, body: { display_name: 'x' } });
      expect(missing).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    });
  });
});

describe('open mode (PARLEY_AUTH=open)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ PARLEY_AUTH: 'open' });
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('creates staff and client accounts on first use, and keeps their role', async () => {
    const socket = await connect(server);
    expect(await request(socket, 'verify_user', { user_type: 'client', user_name: 'Olga' })).toMatchObject({
      ok: true,
      user: { username: 'olga', display_name: 'Olga', role: 'client' },
    });
    const other = await connect(server);
    expect(await request(other, 'verify_user', { user_type: 'staff', user_name: 'olga' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AUTHORISED' },
    });
  });

  it('still needs a password for admins and for accounts that have one', async () => {
    const admin = await adminToken(server);
    await createUser(server, admin, 'pat', 'staff');
    const socket = await connect(server);
    for (const claim of [
      { user_type: 'admin', user_name: 'admin' },
      { user_type: 'admin', user_name: 'newadmin' },
      { user_type: 'staff', user_name: 'pat' },
    ]) {
      expect(await request(socket, 'verify_user', claim)).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
    }
    const signedIn = await connect(server, { token: admin });
    expect(await request(signedIn, 'verify_user', { user_type: 'admin', user_name: 'admin' })).toMatchObject({ ok: true });
  });
});
