import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { MessageHooks } from '../backend/src/extensions';
import { startChildServer, type ChildServer } from './support/child-server';
import { adminToken, api, closeAllClients, connectAs, createUser, nextEvent, record, request, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { ADMIN_PASSWORD, startServer, type TestServer } from './support/server';

/**
 * Extensions as a user loads them (issue 20): the built server with PARLEY_EXTENSIONS naming the
 * documented examples, as written, and a test extension whose hooks fail in every way.
 */
const WORD_FILTER = 'docs/examples/extensions/word-filter.mjs';
const AUTO_RESPONDER = 'docs/examples/extensions/auto-responder.mjs';
const FAILING_HOOKS = 'test/fixtures/extensions/failing-hooks.mjs';
const VAULT_POLICY = 'test/fixtures/extensions/vault-policy.mjs';

describe('extensions (PARLEY_EXTENSIONS)', () => {
  let dir: string;
  let hookLog: string;
  let server: ChildServer;
  let admin: string;
  const tokens: Record<string, string> = {};

  const hookLines = () => readFileSync(hookLog, 'utf8').trim().split('\n');
  const failures = async (hook: string) => {
    const scraped = await api(server, 'GET', '/metrics', { token: admin });
    const line = new RegExp(`^parley_extension_hook_failures_total\\{hook="${hook}",extension="failing-hooks"\\} (\\d+)$`, 'm').exec(String(scraped.body.text));
    return Number(line?.[1] ?? 0);
  };
  const login = async (username: string, password: string) => {
    const response = await api(server, 'POST', '/api/auth/login', { body: { username, password } });
    expect(response.status).toBe(200);
    return response.body.token as string;
  };
  const connectStaff = (name: string) => connectAs(server, tokens[name], 'staff', name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-extensions-'));
    hookLog = join(dir, 'hooks.log');
    server = await startChildServer(
      {
        PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite'),
        PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
        PARLEY_EXTENSIONS: [WORD_FILTER, AUTO_RESPONDER, FAILING_HOOKS, VAULT_POLICY].join(','),
        WORD_FILTER_REFUSE: 'confidential',
        WORD_FILTER_MASK: 'darn',
        AUTO_RESPONDER_ACCOUNT: 'helpdesk',
        AUTO_RESPONDER_TEXT: 'Out of office until Monday.',
        HOOK_LOG: hookLog,
        PARLEY_HOOK_TIMEOUT_MS: '500',
      },
      60_000,
    );
    admin = await login('admin', ADMIN_PASSWORD);
    for (const name of ['alice', 'bob', 'helpdesk', 'vault']) {
      const created = await api(server, 'POST', '/api/users', { token: admin, body: { username: name, role: 'staff', password: `${name}-passphrase-9` } });
      expect(created.status).toBe(201);
      tokens[name] = await login(name, `${name}-passphrase-9`);
    }
  }, 90_000);

  afterEach(closeAllClients);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a message with a refused word (MESSAGE_REFUSED, not delivered) and stores a masked word as ***', async () => {
    const alice = await connectStaff('alice');
    const bob = await connectStaff('bob');
    const bobGot = record(bob, 'message_from_user');
    expect(await request(alice, 'send_message', { message: 'The CONFIDENTIAL plan', recipients: 'user:bob' })).toEqual({
      ok: false,
      error: { code: 'MESSAGE_REFUSED', message: 'Messages with "CONFIDENTIAL" are not allowed here' },
    });
    const masked = await requestOk(alice, 'send_message', { message: 'darn, the build broke', recipients: 'user:bob' });
    expect(masked.message).toBe('***, the build broke');
    // The refused one was sent first: had it been delivered, bob would have it before this one.
    await eventually(() => expect(bobGot.map((m) => [m.id, m.message])).toEqual([[masked.id, '***, the build broke']]));
    const history = await requestOk(bob, 'history', { conversation: 'user:alice' });
    expect(history.messages.map((m) => m.message)).toEqual(['***, the build broke']);
  });

  it('answers a DM to the auto-responder account as that account, and its reply runs no after-delivery hooks', async () => {
    const alice = await connectStaff('alice');
    const reply = nextEvent(alice, 'message_from_user', (m) => m.sender_name === 'helpdesk');
    await requestOk(alice, 'send_message', { message: 'Is the printer fixed?', recipients: 'user:helpdesk' });
    expect(await reply).toMatchObject({ message: 'Out of office until Monday.', target_kind: 'user', target: 'alice' });
    // After-delivery hooks run in delivery order: the reply's would be logged before bob's message.
    const bob = await connectStaff('bob');
    await requestOk(bob, 'send_message', { message: 'after the reply', recipients: 'user:alice' });
    await eventually(() => expect(hookLines()).toContain('delivered bob: after the reply'));
    const delivered = hookLines().filter((line) => line.startsWith('delivered '));
    expect(delivered.slice(-2)).toEqual(['delivered alice: Is the printer fixed?', 'delivered bob: after the reply']);
  });

  it('delivers past after-delivery hooks that throw, reject or never finish, counting each failure', async () => {
    const alice = await connectStaff('alice');
    const bob = await connectStaff('bob');
    const before = await failures('message.after_delivery');
    const got = nextEvent(bob, 'message_from_user', (m) => m.message === 'hooks may fail');
    await requestOk(alice, 'send_message', { message: 'hooks may fail', recipients: 'user:bob' });
    await got;
    // The hook after the never-finishing one ran too.
    await eventually(() => expect(hookLines()).toContain('delivered alice: hooks may fail'));
    await eventually(async () => expect(await failures('message.after_delivery')).toBe(before + 2));
  });

  it('fails a message whose before-store hook throws with INTERNAL, counted, and goes on serving', async () => {
    const alice = await connectStaff('alice');
    const before = await failures('message.before_store');
    expect(await request(alice, 'send_message', { message: 'please crash the hook', recipients: 'user:bob' })).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'An extension on this server failed on this message; it was not sent' },
    });
    expect(await failures('message.before_store')).toBe(before + 1);
    await requestOk(alice, 'send_message', { message: 'still here', recipients: 'user:bob' });
  });

  it('fails a message whose before-store hook never answers with INTERNAL after PARLEY_HOOK_TIMEOUT_MS, counted, and the sender goes on', async () => {
    const alice = await connectStaff('alice');
    const bob = await connectStaff('bob');
    const before = await failures('message.before_store');
    const hung = request(alice, 'send_message', { message: 'please hang the hook', recipients: 'user:bob' });
    // Sent right behind it on the same socket: its lane waits for the hung one, then goes on.
    const got = nextEvent(bob, 'message_from_user', (m) => m.message === 'after the hang');
    const next = request(alice, 'send_message', { message: 'after the hang', recipients: 'user:bob' });
    expect(await hung).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'An extension on this server failed on this message; it was not sent' } });
    expect(await next).toMatchObject({ ok: true });
    await got;
    expect(await failures('message.before_store')).toBe(before + 1);
  });

  it('runs account hooks when an account is created, signs in and is disabled', async () => {
    const created = await api(server, 'POST', '/api/users', { token: admin, body: { username: 'dora', role: 'client', password: 'dora-passphrase-9' } });
    expect(created.status).toBe(201);
    await login('dora', 'dora-passphrase-9');
    expect((await api(server, 'PATCH', '/api/users/dora', { token: admin, body: { disabled: true } })).status).toBe(200);
    await eventually(() => expect(hookLines().filter((line) => line.endsWith(' dora'))).toEqual(['created dora', 'signed_in dora', 'disabled dora']));
    // The first-start admin is an account created too.
    expect(hookLines()[0]).toBe('created admin');
  });

  it("replaces a Parley provider with an extension's overrides export", async () => {
    const alice = await connectStaff('alice');
    // Staff may message staff by the default table; the extension's policy says not "vault".
    expect(await request(alice, 'send_message', { message: 'hello', recipients: 'user:vault' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
    await requestOk(alice, 'send_message', { message: 'hello', recipients: 'user:bob' });
  });

  it('stops the start with a message naming a broken extension file', async () => {
    const start = (file: string) => startChildServer({ PARLEY_SQLITE_PATH: join(dir, 'broken.sqlite'), PARLEY_EXTENSIONS: `${WORD_FILTER},${file}` });
    await Promise.all([
      expect(start('test/fixtures/extensions/throws-on-import.mjs')).rejects.toThrow(
        /exited \(1\) before starting:\nParley could not start\.\nPARLEY_EXTENSIONS: test\/fixtures\/extensions\/throws-on-import\.mjs: could not be loaded: this extension is broken\n$/,
      ),
      expect(start('test/fixtures/extensions/not-a-module.mjs')).rejects.toThrow(
        /PARLEY_EXTENSIONS: test\/fixtures\/extensions\/not-a-module\.mjs: its default export is not a Nest module/,
      ),
      expect(start('test/fixtures/extensions/overrides-throw.mjs')).rejects.toThrow(
        /PARLEY_EXTENSIONS: test\/fixtures\/extensions\/overrides-throw\.mjs: its overrides export threw: no overrides today\n$/,
      ),
    ]);
  }, 30_000);
});

describe('extensions given in code (createParleyApp)', () => {
  @Module({})
  class SignatureModule {
    constructor(hooks: MessageHooks) {
      hooks.beforeStore(({ text }) => ({ text: `${text} (sent from Parley)` }));
    }
  }
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({}, [], { extensions: [{ file: 'in code', name: 'signature', module: SignatureModule, overrides: [] }] });
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  it('imports them as it would the files: their hooks run', async () => {
    const admin = await adminToken(server);
    const ada = await connectAs(server, await createUser(server, admin, 'ada', 'staff'), 'staff', 'ada');
    const sent = await requestOk(ada, 'send_message', { message: 'hello', recipients: 'group:staff' });
    const history = await requestOk(ada, 'history', { conversation: 'group:staff' });
    expect(history.messages.find((m) => m.id === sent.id)?.message).toBe('hello (sent from Parley)');
  });
});
