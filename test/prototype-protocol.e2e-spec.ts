import {
  adminToken,
  api,
  type ClientSocket,
  closeAllClients,
  connect,
  nextEvent,
  record,
  request,
  roundTrip,
  sendWithoutAck,
} from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * A prototype page, unchanged: default transports (polling, then upgrade), no ack callbacks,
 * the exact payloads of ../shared/seed/README-prototype.md. Open mode, as the prototype had.
 */
describe('prototype clients against Parley (PARLEY_AUTH=open)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ PARLEY_AUTH: 'open' });
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  async function prototypePage(userType: string, userName: string): Promise<ClientSocket> {
    const socket = await connect(server, { polling: true });
    // The prototype emits without an ack, and success has no answer: it landed once the
    // socket's requests are no longer refused as NOT_VERIFIED. A read costs 10 of the
    // socket's 60 tokens, so the probe is gentle.
    sendWithoutAck(socket, 'verify_user', { user_type: userType, user_name: userName });
    const probe = async () => expect(await request(socket, 'sync', { since: Number.MAX_SAFE_INTEGER })).toMatchObject({ ok: true });
    await eventually(probe, { intervalMs: 50 });
    return socket;
  }

  it('delivers group messages with exactly {message, sender, sender_name} (plus additions)', async () => {
    const staff1 = await prototypePage('staff', 'sam');
    const staff2 = await prototypePage('staff', 'sue');
    const client = await prototypePage('client', 'cat');
    const clientInbox = record(client, 'message_from_user');

    const received = nextEvent(staff2, 'message_from_user');
    const echoed = nextEvent(staff1, 'message_from_user');
    sendWithoutAck(staff1, 'send_message', { message: 'hello staff', recipients: 'staff' });
    const payload = await received;
    expect(payload).toMatchObject({ message: 'hello staff', sender: staff1.id, sender_name: 'sam' });
    expect(typeof payload.id).toBe('number');
    // The prototype echoes a group message to a sender who is in that group.
    expect((await echoed).message).toBe('hello staff');
    // staff2's copy came from the same emit as any copy to the client.
    await roundTrip(client);
    expect(clientInbox).toEqual([]);
  });

  it('replies to the sender socket id from message_from_user (the prototype DM form)', async () => {
    const staff = await prototypePage('staff', 'sid');
    const client = await prototypePage('client', 'cid');
    const toStaff = nextEvent(staff, 'message_from_user');
    sendWithoutAck(client, 'send_message', { message: 'question', recipients: 'staff' });
    const question = await toStaff;

    const toClient = nextEvent(client, 'message_from_user');
    sendWithoutAck(staff, 'send_message', { message: 'answer', recipients: question.sender });
    expect(await toClient).toMatchObject({ message: 'answer', sender: staff.id, sender_name: 'sid' });
  });

  it('sends no role to a claim open mode cannot grant, and tells the page why', async () => {
    const socket = await connect(server, { polling: true });
    const error = nextEvent(socket, 'parley_error');
    sendWithoutAck(socket, 'verify_user', { user_type: 'admin', user_name: 'mallory' });
    expect(await error).toMatchObject({ event: 'verify_user', code: 'NOT_AUTHORISED' });
    const ack = await request(socket, 'send_message', { message: 'x', recipients: 'admin' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_VERIFIED' } });
  });

  it('accepts any name a prototype page claims, mapped to a valid user name', async () => {
    const john = await connect(server);
    const ack = await request(john, 'verify_user', { user_type: 'staff', user_name: 'John Smith' });
    expect(ack).toMatchObject({ ok: true, user: { username: 'john-smith', display_name: 'John Smith', role: 'staff' } });
    const jose = await connect(server);
    expect(await request(jose, 'verify_user', { user_type: 'client', user_name: 'José' })).toMatchObject({
      ok: true,
      user: { username: 'jose' },
    });
    const cyrillic = await connect(server);
    expect(await request(cyrillic, 'verify_user', { user_type: 'client', user_name: 'Иван' })).toMatchObject({
      ok: true,
      user: { username: expect.stringMatching(/^user-[0-9a-f]{10}$/) },
    });
  });

  it('delivers a reply to a sender socket id that has since disconnected to that user', async () => {
    const client = await prototypePage('client', 'ria');
    const staff = await prototypePage('staff', 'stan');
    const toStaff = nextEvent(staff, 'message_from_user');
    sendWithoutAck(client, 'send_message', { message: 'anyone?', recipients: 'staff' });
    const question = await toStaff;
    client.disconnect();
    const back = await prototypePage('client', 'ria');
    const answer = nextEvent(back, 'message_from_user');
    const ack = await request(staff, 'send_message', { message: 'yes', recipients: question.sender });
    expect(ack).toMatchObject({ ok: true });
    expect(await answer).toMatchObject({ message: 'yes', target: 'ria' });
  });

  it('locks out an open-mode account once an admin disables it', async () => {
    await prototypePage('client', 'dora');
    const admin = await adminToken(server);
    await api(server, 'PATCH', '/api/users/dora', { token: admin, body: { disabled: true } });
    const again = await connect(server);
    expect(await request(again, 'verify_user', { user_type: 'client', user_name: 'dora' })).toMatchObject({
      ok: false,
      error: { code: 'ACCOUNT_DISABLED' },
    });
  });

  it('refuses an unknown user_type as NOT AUTHORISED, as the prototype marks it', async () => {
    const socket = await connect(server);
    const ack = await request(socket, 'verify_user', { user_type: 'guest', user_name: 'gus' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_AUTHORISED' } });
  });
});
