import { ErrorCodes } from '@parley/contract';
import { adminToken, api, closeAllClients, connectAs, createUser, login, nextEvent } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * Issue 17, self-service: everyone changes their own display name and password. A password
 * change needs the current password, ends every other session of the account (their sockets are
 * told why) and keeps the one asking; wrong guesses are limited.
 */
describe('your own account', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    for (const name of ['sam', 'sue', 'ann']) await createUser(server, admin, name, 'staff');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('changes the display name, and refuses one that is not acceptable', async () => {
    const sam = await login(server, 'sam', 'sam-passphrase-9');
    expect(await api(server, 'PATCH', '/api/me', { token: sam, body: { display_name: 'Sam Brown' } })).toMatchObject({ status: 200, body: { user: { username: 'sam', display_name: 'Sam Brown', role: 'staff' } } });
    expect((await api(server, 'GET', '/api/me', { token: sam })).body).toMatchObject({ user: { display_name: 'Sam Brown' } });
    for (const body of [{ display_name: '' }, { display_name: 'x'.repeat(500) }, { display_name: 'Sam', role: 'admin' }, {}]) {
      expect(await api(server, 'PATCH', '/api/me', { token: sam, body })).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidPayload } });
    }
    // Not the role: that stays an administrator's.
    expect((await api(server, 'GET', '/api/me', { token: sam })).body).toMatchObject({ user: { role: 'staff' } });
  });

  it('changes the password with the current one; other sessions end and are told why, this one stays', async () => {
    const here = await login(server, 'sue', 'sue-passphrase-9');
    const elsewhere = await login(server, 'sue', 'sue-passphrase-9');
    const otherDevice = await connectAs(server, elsewhere, 'staff', 'sue');
    const thisDevice = await connectAs(server, here, 'staff', 'sue');
    const told = nextEvent(otherDevice, 'session_ended');
    const change = (current_password: string, new_password: string) => api(server, 'POST', '/api/me/password', { token: here, body: { current_password, new_password } });

    expect(await change('not-my-password', 'violet-harbour-lantern-42')).toMatchObject({ status: 400, body: { code: ErrorCodes.WrongPassword, message: 'The current password is not right' } });
    expect(await change('sue-passphrase-9', 'password1')).toMatchObject({ status: 400, body: { code: ErrorCodes.WeakPassword } });
    expect(await change('sue-passphrase-9', 'short')).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidPayload } });
    // Nothing changed so far: the other device is still in.
    expect((await api(server, 'GET', '/api/me', { token: elsewhere })).status).toBe(200);

    expect((await change('sue-passphrase-9', 'violet-harbour-lantern-42')).status).toBe(204);
    expect(await told).toEqual({ reason: 'password_changed' });
    await eventually(() => !otherDevice.connected);
    expect((await api(server, 'GET', '/api/me', { token: elsewhere })).status).toBe(401);
    expect((await api(server, 'GET', '/api/me', { token: here })).status).toBe(200);
    expect(thisDevice.connected).toBe(true);
    expect((await api(server, 'POST', '/api/auth/login', { body: { username: 'sue', password: 'sue-passphrase-9' } })).status).toBe(401);
    expect(await login(server, 'sue', 'violet-harbour-lantern-42')).toEqual(expect.any(String));
  });

  it('stops guessing the current password after five wrong ones', async () => {
    const ann = await login(server, 'ann', 'ann-passphrase-9');
    const guess = (current_password: string) => api(server, 'POST', '/api/me/password', { token: ann, body: { current_password, new_password: 'violet-harbour-lantern-42' } });
    for (let i = 0; i < 5; i += 1) expect((await guess(`guess-${i}`)).body).toMatchObject({ code: ErrorCodes.WrongPassword });
    const refused = await guess('ann-passphrase-9');
    expect(refused).toMatchObject({ status: 429, body: { code: ErrorCodes.RateLimited } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('needs a session', async () => {
    expect((await api(server, 'PATCH', '/api/me', { body: { display_name: 'x' } })).status).toBe(401);
    expect((await api(server, 'POST', '/api/me/password', { body: { current_password: 'a', new_password: 'violet-harbour-lantern-42' } })).status).toBe(401);
  });
});
