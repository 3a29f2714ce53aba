import { adminToken, type ClientSocket, closeAllClients, connect, sendWithoutAck } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * The prototype's events byte for byte: the socket.io packets a prototype page receives, as
 * strings off the wire, compared with recorded ones. Only what changes from run to run (socket
 * ids, message ids, times) is replaced by placeholders; field order and spelling must match, so
 * a refactor that reorders or renames a field of message_from_user or update_web_app fails here.
 */
describe('the prototype wire format, byte for byte', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ PARLEY_AUTH: 'open' });
  });
  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  /** Every socket.io packet the server sends this page, as the string on the wire. */
  function frames(socket: ClientSocket): string[] {
    const seen: string[] = [];
    socket.io.engine.on('packet', (packet) => {
      if (packet.type === 'message' && typeof packet.data === 'string') seen.push(`4${packet.data}`); // engine.io's message type, stripped by the parser
    });
    return seen;
  }

  const until = (seen: string[], prefix: string, count = 1): Promise<string> =>
    eventually(() => {
      const matching = seen.filter((frame) => frame.startsWith(prefix));
      if (matching.length < count) throw new Error(`no ${count}th frame starting ${prefix}; got ${JSON.stringify(seen)}`);
      return matching[count - 1]!;
    });

  it('sends message_from_user, update_web_app and parley_error exactly as recorded', async () => {
    const sids: string[] = [];
    const normalise = (frame: string) =>
      frame
        .replace(/"[A-Za-z0-9_-]{20}"/g, (quoted) => {
          const sid = quoted.slice(1, -1);
          if (!sids.includes(sid)) sids.push(sid);
          return `"<sid${sids.indexOf(sid) + 1}>"`;
        })
        .replace(/"id":\d+/g, '"id":<id>')
        .replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, '"<iso-time>"')
        .replace(/"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"/g, '"<time>"');

    const admin = await connect(server, { token: await adminToken(server), polling: true });
    const adminFrames = frames(admin);
    sendWithoutAck(admin, 'verify_user', { user_type: 'admin', user_name: 'admin' });
    await until(adminFrames, '42["update_web_app"');

    const sam = await connect(server, { polling: true });
    const samFrames = frames(sam);
    sendWithoutAck(sam, 'verify_user', { user_type: 'staff', user_name: 'sam' });
    const sue = await connect(server, { polling: true });
    const sueFrames = frames(sue);
    sendWithoutAck(sue, 'verify_user', { user_type: 'staff', user_name: 'sue' });
    // The roster that shows sue verified is the last one these steps produce.
    const roster = await waitForRoster(adminFrames, 'sue');

    sendWithoutAck(sam, 'send_message', { message: 'hello staff', recipients: 'staff' });
    const group = await until(sueFrames, '42["message_from_user"');
    sendWithoutAck(sue, 'send_message', { message: 'hi sam', recipients: sam.id! });
    const direct = await until(samFrames, '42["message_from_user"', 2);

    const mallory = await connect(server, { polling: true });
    const malloryFrames = frames(mallory);
    sendWithoutAck(mallory, 'verify_user', { user_type: 'admin', user_name: 'mallory' });
    const refused = await until(malloryFrames, '42["parley_error"');

    // Socket ids are numbered in the order they first appear below.
    normalise(`"${admin.id}" "${sam.id}" "${sue.id}" "${mallory.id}"`);
    expect(normalise(roster)).toBe(RECORDED.roster);
    expect(normalise(group)).toBe(RECORDED.group);
    expect(normalise(direct)).toBe(RECORDED.direct);
    expect(normalise(refused)).toBe(RECORDED.refused);
  });

  const waitForRoster = (seen: string[], verifiedName: string): Promise<string> =>
    eventually(() => {
      const last = seen.filter((frame) => frame.startsWith('42["update_web_app"')).at(-1);
      if (!last?.includes(`"user_name":"${verifiedName}"`) || last.includes('"NOT VERIFIED"')) {
        throw new Error(`no roster with ${verifiedName} verified; got ${JSON.stringify(seen)}`);
      }
      return last;
    });
});

/** Recorded from Parley before the contract refactor (issue 11); the prototype page reads these fields. */
const RECORDED = {
  roster:
    "42[\"update_web_app\",{\"message\":\"USER CONNECTED\",\"users\":{\"<sid1>\":{\"IP\":\"127.0.0.1\",\"Connected_at\":\"<time>\",\"Varification\":\"VERIFIED\",\"user_type\":\"admin\",\"user_name\":\"admin\"},\"<sid2>\":{\"IP\":\"127.0.0.1\",\"Connected_at\":\"<time>\",\"Varification\":\"VERIFIED\",\"user_type\":\"staff\",\"user_name\":\"sam\"},\"<sid3>\":{\"IP\":\"127.0.0.1\",\"Connected_at\":\"<time>\",\"Varification\":\"VERIFIED\",\"user_type\":\"staff\",\"user_name\":\"sue\"}}}]",
  group:
    "42[\"message_from_user\",{\"message\":\"hello staff\",\"sender\":\"<sid2>\",\"sender_name\":\"sam\",\"id\":<id>,\"sent_at\":\"<iso-time>\",\"sender_role\":\"staff\",\"target_kind\":\"group\",\"target\":\"staff\",\"client_id\":null}]",
  direct:
    "42[\"message_from_user\",{\"message\":\"hi sam\",\"sender\":\"<sid3>\",\"sender_name\":\"sue\",\"id\":<id>,\"sent_at\":\"<iso-time>\",\"sender_role\":\"staff\",\"target_kind\":\"user\",\"target\":\"sam\",\"client_id\":null}]",
  refused:
    "42[\"parley_error\",{\"event\":\"verify_user\",\"code\":\"NOT_AUTHORISED\",\"message\":\"Admins must sign in with a password\"}]",
};
