import { AuditActions, ErrorCodes } from '@parley/contract';
import { adminToken, api, closeAllClients, connect, connectAs, login, nextEvent, request, type Json } from './support/clients';
import { eventually } from './support/eventually';
import { directoryPassword, ldapEnv, startLdap, type LdapTestServer } from './support/ldap-server';
import { DirectorySync } from '../backend/src/directory/directory-sync.service';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';

/**
 * Issue 17: sign-in with the company directory, against a real OpenLDAP (slapd) started in a
 * temporary folder. People in the admin, staff and client groups sign in with their directory
 * password and get that role; someone in no group cannot; a person removed from the directory or
 * its groups loses access within one sync interval (sessions and sockets closed, told why,
 * audited); a role changed in the directory applies; the local admin signs in while the
 * directory is down. Runs on SQLite and PostgreSQL (jest.config.js).
 */
describe('company directory (LDAP)', () => {
  let directory: LdapTestServer;
  let server: TestServer;
  let admin: string;

  const signIn = (username: string, password = directoryPassword(username)) =>
    api(server, 'POST', '/api/auth/login', { body: { username, password } });
  /** One whole sync pass that starts after this call (one already under way is waited for first). */
  const syncPass = async () => {
    await server.app.get(DirectorySync).runOnce();
    await server.app.get(DirectorySync).runOnce();
  };
  const audit = async (action: string) =>
    ((await api(server, 'GET', `/api/admin/audit?action=${action}`, { token: admin })).body.entries as Json[]) ?? [];

  beforeAll(async () => {
    directory = await startLdap();
    // One second between syncs: "loses access within one sync interval" is then quick to see.
    server = await startServer(ldapEnv(directory, '1'));
    admin = await adminToken(server);
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await server?.stop();
    await directory?.dispose();
  });

  it('signs directory people in with the role of their group, and says where the account comes from', async () => {
    for (const [name, role, displayName] of [['ann', 'admin', 'Ann Admin'], ['sam', 'staff', 'Sam Staff'], ['cleo', 'client', 'Cleo Client']] as const) {
      const answer = await signIn(name);
      expect(answer).toMatchObject({ status: 200, body: { user: { username: name, role, display_name: displayName } } });
      const me = await api(server, 'GET', '/api/me', { token: answer.body.token as string });
      expect(me.body).toEqual({ user: { username: name, role, display_name: displayName }, source: 'ldap' });
    }
    // Typed in another case, it is the same person and the same account.
    expect((await signIn('Sam', directoryPassword('sam'))).body).toMatchObject({ user: { username: 'sam' } });
    const users = (await api(server, 'GET', '/api/users', { token: admin })).body.users as Json[];
    expect(users.find((user) => user.username === 'ann')).toMatchObject({ source: 'ldap', role: 'admin', has_password: false });
    expect(users.find((user) => user.username === 'admin')).toMatchObject({ source: 'local' });
    expect((await audit(AuditActions.DirectoryAccountCreated)).map((entry) => entry.target).sort()).toEqual(['ann', 'cleo', 'sam']);
    expect((await api(server, 'GET', '/api/auth/methods')).body).toEqual({ password: true, directory: true, sso: null });
  });

  it('refuses a wrong password, a person in no group and a name the directory does not know, with one answer', async () => {
    for (const [name, password] of [['ann', 'not-her-password'], ['nora', directoryPassword('nora')], ['nobody', 'whatever-it-is'], ['ann', ' ']]) {
      expect(await signIn(name, password)).toMatchObject({ status: 401, body: { code: ErrorCodes.InvalidCredentials, message: 'Wrong user name or password' } });
    }
    // Filter syntax in a name finds nobody (escaped), rather than everybody.
    expect((await signIn('*', 'x')).status).toBe(401);
    expect((await signIn('ann)(uid=*', directoryPassword('ann'))).status).toBe(401);
    const users = (await api(server, 'GET', '/api/users?q=nora', { token: admin })).body.users as Json[];
    expect(users).toEqual([]);
  });

  it('takes access away within one sync interval when someone leaves the group: sockets told and closed, sign-in refused, audited; back in the group, they sign in again', async () => {
    await directory.addPerson('dave', 'Dave Staff', ['parley-staff']);
    const token = (await signIn('dave')).body.token as string;
    const socket = await connectAs(server, token, 'staff', 'dave');
    const told = nextEvent(socket, 'session_ended', () => true, 10_000);

    await directory.removeFromGroup('dave', 'parley-staff');
    expect(await told).toEqual({ reason: 'directory_disabled' });
    await eventually(() => !socket.connected);
    expect((await api(server, 'GET', '/api/me', { token })).status).toBe(401);
    expect((await signIn('dave')).status).toBe(401);
    expect(await audit(AuditActions.DirectoryAccountDisabled)).toContainEqual(expect.objectContaining({ actor: 'parley', target: 'dave', details: { source: 'ldap', reason: 'in_no_group' } }));
    expect(((await api(server, 'GET', '/api/users?q=dave', { token: admin })).body.users as Json[])[0]).toMatchObject({ disabled: true });

    await directory.addToGroup('dave', 'parley-staff');
    expect(await signIn('dave')).toMatchObject({ status: 200, body: { user: { role: 'staff' } } });
    expect(await audit(AuditActions.DirectoryAccountEnabled)).toContainEqual(expect.objectContaining({ target: 'dave' }));
  });

  it('disables someone removed from the directory', async () => {
    await directory.addPerson('rita', 'Rita Gone', ['parley-clients']);
    const token = (await signIn('rita')).body.token as string;
    await directory.deletePerson('rita');
    await eventually(async () => (await api(server, 'GET', '/api/me', { token })).status === 401, { timeoutMs: 10_000 });
    expect(await audit(AuditActions.DirectoryAccountDisabled)).toContainEqual(expect.objectContaining({ target: 'rita', details: { source: 'ldap', reason: 'not_in_directory' } }));
  });

  it('changes the role when the directory moves someone to another group, and ends their sessions', async () => {
    await directory.addPerson('carl', 'Carl Client', ['parley-clients']);
    const token = (await signIn('carl')).body.token as string;
    const socket = await connectAs(server, token, 'client', 'carl');
    const told = nextEvent(socket, 'session_ended', () => true, 10_000);
    await directory.addToGroup('carl', 'parley-staff');
    await directory.removeFromGroup('carl', 'parley-clients');
    expect(await told).toEqual({ reason: 'directory_role_changed' });
    expect(await signIn('carl')).toMatchObject({ status: 200, body: { user: { role: 'staff' } } });
    expect(await audit(AuditActions.DirectoryRoleChanged)).toContainEqual(expect.objectContaining({ target: 'carl', details: { source: 'ldap', from: 'client', to: 'staff' } }));
  });

  it('keeps the password, name and role of a directory account in the directory', async () => {
    const token = (await signIn('cleo')).body.token as string;
    expect(await api(server, 'POST', '/api/me/password', { token, body: { current_password: directoryPassword('cleo'), new_password: 'violet-harbour-lantern-42' } })).toMatchObject({
      status: 409,
      body: { code: ErrorCodes.DirectoryAccount, message: "cleo's password lives in the company directory: change it there" },
    });
    expect(await api(server, 'PATCH', '/api/me', { token, body: { display_name: 'Someone Else' } })).toMatchObject({ status: 409, body: { code: ErrorCodes.DirectoryAccount } });
    expect(await api(server, 'POST', '/api/users/cleo/password', { token: admin, body: { password: 'violet-harbour-lantern-42' } })).toMatchObject({ status: 409, body: { code: ErrorCodes.DirectoryAccount } });
    expect(await api(server, 'PATCH', '/api/users/cleo', { token: admin, body: { role: 'admin' } })).toMatchObject({
      status: 409,
      body: { code: ErrorCodes.DirectoryAccount, message: "cleo's role comes from their groups in the company directory: change the groups there" },
    });
    expect(await api(server, 'PATCH', '/api/users/cleo', { token: admin, body: { display_name: 'Renamed By Admin' } })).toMatchObject({ status: 409, body: { code: ErrorCodes.DirectoryAccount } });
    // The directory password still works, nothing changed.
    expect((await signIn('cleo')).body).toMatchObject({ user: { role: 'client', display_name: 'Cleo Client' } });
  });

  it("keeps an admin's disabling of a directory account, whatever the directory says", async () => {
    await directory.addPerson('ivan', 'Ivan Staff', ['parley-staff']);
    expect((await signIn('ivan')).status).toBe(200);
    expect((await api(server, 'PATCH', '/api/users/ivan', { token: admin, body: { disabled: true } })).status).toBe(200);
    expect((await signIn('ivan')).status).toBe(401);
    // A whole sync pass begun after the change, still disabled (the sync only re-enables what it disabled).
    await syncPass();
    expect((await signIn('ivan')).status).toBe(401);
  });

  it('never hands a local account to the directory person with the same name', async () => {
    await directory.addPerson('lena', 'Lena Directory', ['parley-admins']);
    expect((await api(server, 'POST', '/api/users', { token: admin, body: { username: 'lena', role: 'client', password: 'lena-local-passphrase-9' } })).status).toBe(201);
    expect((await signIn('lena')).status).toBe(401);
    expect(await signIn('lena', 'lena-local-passphrase-9')).toMatchObject({ status: 200, body: { user: { role: 'client' } } });
  });

  it('lets the local admin in while the directory is down (break-glass); directory people get a clear answer, and nobody is disabled', async () => {
    const samToken = (await signIn('sam')).body.token as string;
    await directory.stop();
    try {
      expect(await signIn('sam')).toMatchObject({
        status: 503,
        body: { code: ErrorCodes.DirectoryUnavailable, message: 'The company directory cannot be reached; try again in a moment (local accounts still sign in)' },
      });
      expect((await signIn('admin', ADMIN_PASSWORD)).status).toBe(200);
      // A sync pass fails while it is down and changes nobody.
      await syncPass();
      expect((await api(server, 'GET', '/api/me', { token: samToken })).status).toBe(200);
    } finally {
      await directory.start();
    }
    expect((await signIn('sam')).status).toBe(200);
  });

  it('a directory admin is an admin: sees the roster and the user list', async () => {
    const ann = (await signIn('ann')).body.token as string;
    expect((await api(server, 'GET', '/api/users', { token: ann })).status).toBe(200);
    expect(await login(server, 'ann', directoryPassword('ann'))).toEqual(expect.any(String));
  });
});

describe('company directory with open mode', () => {
  let directory: LdapTestServer;
  let server: TestServer;

  beforeAll(async () => {
    directory = await startLdap();
    server = await startServer({ ...ldapEnv(directory), PARLEY_AUTH: 'open' });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await server?.stop();
    await directory?.dispose();
  });

  it("never lets a prototype page claim a directory person's name without their password", async () => {
    expect((await api(server, 'POST', '/api/auth/login', { body: { username: 'sam', password: directoryPassword('sam') } })).status).toBe(200);
    const socket = await connect(server);
    const ack = await request(socket, 'verify_user', { user_type: 'staff', user_name: 'sam' });
    expect(ack).toMatchObject({ ok: false, error: { code: ErrorCodes.NotAuthorised } });
    // A name nobody has is still an open account, as before.
    expect(await request(socket, 'verify_user', { user_type: 'staff', user_name: 'walk-in' })).toMatchObject({ ok: true });
  });
});

describe('company directory without memberOf', () => {
  let directory: LdapTestServer;
  let server: TestServer;

  beforeAll(async () => {
    directory = await startLdap({ memberOf: false });
    server = await startServer(ldapEnv(directory));
  });
  afterAll(async () => {
    await server?.stop();
    await directory?.dispose();
  });

  it("reads roles from the groups' member lists", async () => {
    const signIn = (username: string) => api(server, 'POST', '/api/auth/login', { body: { username, password: directoryPassword(username) } });
    expect((await signIn('ann')).body).toMatchObject({ user: { role: 'admin' } });
    expect((await signIn('cleo')).body).toMatchObject({ user: { role: 'client' } });
    expect((await signIn('nora')).status).toBe(401);
    await directory.removeFromGroup('sam', 'parley-staff');
    expect((await signIn('sam')).status).toBe(401);
  });
});

describe('company directory over TLS', () => {
  let directory: LdapTestServer;
  const servers: TestServer[] = [];
  const annSignsIn = async (env: Record<string, string>) => {
    const server = await startServer({ ...ldapEnv(directory), ...env });
    servers.push(server);
    return api(server, 'POST', '/api/auth/login', { body: { username: 'ann', password: directoryPassword('ann') } });
  };

  beforeAll(async () => {
    directory = await startLdap({ tls: true });
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await directory?.dispose();
  });

  it('speaks ldaps:// and StartTLS, trusting the CA in PARLEY_LDAP_CA_FILE, and refuses a certificate it cannot trust', async () => {
    expect((await annSignsIn({ PARLEY_LDAP_URL: directory.ldapsUrl!, PARLEY_LDAP_CA_FILE: directory.caFile! })).body).toMatchObject({ user: { role: 'admin' } });
    expect((await annSignsIn({ PARLEY_LDAP_STARTTLS: 'true', PARLEY_LDAP_CA_FILE: directory.caFile! })).body).toMatchObject({ user: { role: 'admin' } });
    // Without the CA, the directory's certificate is not trusted: no password is sent to it.
    expect(await annSignsIn({ PARLEY_LDAP_URL: directory.ldapsUrl! })).toMatchObject({ status: 503, body: { code: ErrorCodes.DirectoryUnavailable } });
  });
});
