import {
  adminToken,
  type ClientSocket,
  closeAllClients,
  connect,
  connectAs,
  createUser,
  nextEvent,
  request,
  requestOk,
  sendRaw,
  sendRawWithoutAck,
  sendWithoutAck,
} from './support/clients';
import { startServer, type TestServer } from './support/server';

const huge = 'x'.repeat(200_000);
const deep = JSON.parse('['.repeat(500) + ']'.repeat(500)) as unknown;

/** [event, payload, expected code]: sent by a verified staff socket. */
const CASES: Array<[string, unknown, string]> = [
  ['verify_user', undefined, 'INVALID_PAYLOAD'],
  ['verify_user', null, 'INVALID_PAYLOAD'],
  ['verify_user', 'staff', 'INVALID_PAYLOAD'],
  ['verify_user', ['staff', 'sam'], 'INVALID_PAYLOAD'],
  ['verify_user', { user_type: 'staff' }, 'INVALID_PAYLOAD'],
  ['verify_user', { user_type: 1, user_name: 2 }, 'INVALID_PAYLOAD'],
  ['verify_user', { user_type: huge, user_name: 'sam' }, 'INVALID_PAYLOAD'],
  ['send_message', undefined, 'INVALID_PAYLOAD'],
  ['send_message', 42, 'INVALID_PAYLOAD'],
  ['send_message', { message: 'hi' }, 'INVALID_PAYLOAD'],
  ['send_message', { recipients: 'staff' }, 'INVALID_PAYLOAD'],
  ['send_message', { message: '', recipients: 'staff' }, 'INVALID_PAYLOAD'],
  ['send_message', { message: ['a'], recipients: 'staff' }, 'INVALID_PAYLOAD'],
  ['send_message', { message: { toString: 'x' }, recipients: 'staff' }, 'INVALID_PAYLOAD'],
  ['send_message', { message: 'hi', recipients: ['staff'] }, 'INVALID_PAYLOAD'],
  ['send_message', { message: 'hi', recipients: 'staff', client_id: 7 }, 'INVALID_PAYLOAD'],
  ['send_message', { message: 'hi', recipients: 'nobody-by-that-name' }, 'UNKNOWN_RECIPIENT'],
  ['send_message', { message: 'hi', recipients: 'group:managers' }, 'UNKNOWN_RECIPIENT'],
  ['send_message', { message: 'hi', recipients: 'user:' }, 'UNKNOWN_RECIPIENT'],
  ['send_message', { message: 'hi', recipients: huge }, 'INVALID_PAYLOAD'],
  ['send_message', { message: 'x'.repeat(16 * 1024 + 1), recipients: 'staff' }, 'MESSAGE_TOO_LONG'],
  ['send_message', { message: 'é'.repeat(9000), recipients: 'staff' }, 'MESSAGE_TOO_LONG'],
  ['send_message', { message: huge, recipients: 'staff' }, 'MESSAGE_TOO_LONG'],
  ['send_message', JSON.parse('{"__proto__": {"admin": true}, "message": 1, "recipients": "staff"}'), 'INVALID_PAYLOAD'],
  ['send_message', deep, 'INVALID_PAYLOAD'],
  ['send_message', Buffer.from('binary bytes'), 'INVALID_PAYLOAD'],
  ['send_message', { message: 'nul \u0000 inside', recipients: 'staff' }, 'INVALID_PAYLOAD'],
  ['send_message', { message: 'hi', recipients: 'staff', client_id: 'a\u0000' }, 'INVALID_PAYLOAD'],
  ['send_message', { message: Buffer.from('hi'), recipients: 'staff' }, 'INVALID_PAYLOAD'],
  ['sync', {}, 'INVALID_PAYLOAD'],
  ['sync', { since: -1 }, 'INVALID_PAYLOAD'],
  ['sync', { since: '0' }, 'INVALID_PAYLOAD'],
  ['sync', { since: 1.5 }, 'INVALID_PAYLOAD'],
  ['sync', { since: 0, limit: 0 }, 'INVALID_PAYLOAD'],
  ['history', { conversation: 'staff', limit: 2.5 }, 'INVALID_PAYLOAD'],
  ['history', { conversation: 'staff', before: 'yesterday' }, 'INVALID_PAYLOAD'],
  ['history', { conversation: 'no-such-user' }, 'UNKNOWN_RECIPIENT'],
  ['history', null, 'INVALID_PAYLOAD'],
  ['search', null, 'INVALID_PAYLOAD'],
  ['search', { q: 7 }, 'INVALID_PAYLOAD'],
  ['search', { q: 'x'.repeat(257) }, 'INVALID_PAYLOAD'],
  ['search', { q: 'x', limit: 0 }, 'INVALID_PAYLOAD'],
  ['search', { q: 'x', tz: 841 }, 'INVALID_PAYLOAD'],
  ['search', { q: 'x', order: 'oldest' }, 'INVALID_PAYLOAD'],
  ['search', { q: 'x', in: '' }, 'INVALID_PAYLOAD'],
  ['search', { q: 'nul \u0000 inside' }, 'INVALID_PAYLOAD'],
  ['search', { q: '' }, 'INVALID_QUERY'],
  ['search', { q: '"' }, 'INVALID_QUERY'],
  ['search', { q: 'a b c d e f g h i' }, 'INVALID_QUERY'],
  ['search', { q: 'x from:sam from:bea' }, 'INVALID_QUERY'],
  ['search', { q: 'x on:2026-02-30' }, 'INVALID_QUERY'],
  ['search', { q: 'x before:yesterday' }, 'INVALID_QUERY'],
  ['search', { q: 'x', cursor: 'bogus' }, 'INVALID_QUERY'],
  ['search', { q: 'x', cursor: 'r20' }, 'INVALID_QUERY'],
  ['search', { q: 'x in:nobody-by-that-name' }, 'UNKNOWN_RECIPIENT'],
  ['roster', {}, 'FORBIDDEN'],
  ['make_me_admin', { please: true }, 'UNKNOWN_EVENT'],
  ['constructor', {}, 'UNKNOWN_EVENT'],
  ['__proto__', {}, 'UNKNOWN_EVENT'],
];

describe('bad input of any shape', () => {
  let server: TestServer;
  let staffToken: string;
  let bystander: ClientSocket;
  let listener: ClientSocket;

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    staffToken = await createUser(server, admin, 'sam', 'staff');
    bystander = await connectAs(server, await createUser(server, admin, 'bea', 'staff'), 'staff', 'bea');
    listener = await connectAs(server, staffToken, 'staff', 'sam');
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  /** The bystander keeps chatting; every message must still arrive. */
  async function bystanderStillChats(label: string): Promise<void> {
    const arrived = nextEvent(listener, 'message_from_user', (m) => m.message === label);
    await requestOk(bystander, 'send_message', { message: label, recipients: 'staff' });
    await arrived;
  }

  it.each(CASES.map(([event, payload, code], i) => [i, event, code, payload] as const))(
    'case %i: %s answered with %s',
    async (i, event, code, payload) => {
      const attacker = await connectAs(server, staffToken, 'staff', 'sam');
      // No payload at all is its own case: not even `undefined` on the wire.
      const ack = (payload === undefined ? await sendRaw(attacker, event) : await sendRaw(attacker, event, payload)) as {
        error: { message: string };
      };
      expect(ack).toEqual({ ok: false, error: { code, message: expect.any(String) } });
      expect(ack.error.message).not.toMatch(/\n\s+at /);
      expect(ack.error.message.length).toBeLessThan(400);
      expect(attacker.connected).toBe(true);
      await bystanderStillChats(`still here after case ${i}`);
      attacker.disconnect();
    },
  );

  it('answers events sent before verify_user with NOT_VERIFIED', async () => {
    const socket = await connect(server, { token: staffToken });
    for (const [event, payload] of [
      ['send_message', { message: 'hi', recipients: 'staff' }],
      ['sync', { since: 0 }],
      ['history', { conversation: 'staff' }],
      ['search', { q: 'hi' }],
      ['roster', {}],
    ] as const) {
      expect(await request(socket, event, payload)).toMatchObject({ ok: false, error: { code: 'NOT_VERIFIED' } });
    }
  });

  it('tells a client without an ack callback through parley_error', async () => {
    const socket = await connectAs(server, staffToken, 'staff', 'sam');
    const error = nextEvent(socket, 'parley_error');
    sendWithoutAck(socket, 'send_message', { message: 'hi', recipients: 'nowhere-at-all' });
    expect(await error).toEqual({ event: 'send_message', code: 'UNKNOWN_RECIPIENT', message: expect.any(String) });
    const unknown = nextEvent(socket, 'parley_error');
    sendRawWithoutAck(socket, 'no_such_event');
    expect(await unknown).toMatchObject({ event: 'no_such_event', code: 'UNKNOWN_EVENT' });
  });

  it('survives a frame beyond the transport limit: that socket is closed, others go on', async () => {
    const socket = await connectAs(server, staffToken, 'staff', 'sam');
    const closed = new Promise((resolve) => socket.on('disconnect', resolve));
    sendWithoutAck(socket, 'send_message', { message: 'y'.repeat(2 * 1024 * 1024), recipients: 'staff' });
    await closed;
    await bystanderStillChats('after the giant frame');
  });
});
