import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, type Json, request, requestOk } from './support/clients';
import { startServer, type TestServer } from './support/server';

/**
 * Issue 10, finding 6: where a role may not reach another role's users, refusing a name must
 * read exactly like not knowing it, so probing names tells a client nothing.
 */
describe('user enumeration (finding 6)', () => {
  let server: TestServer;
  let admin: string;
  let cleo: ClientSocket;
  let sam: ClientSocket;
  let carlSocketId: string;

  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
    const tokens: Record<string, string> = {};
    for (const [name, role] of [['cleo', 'client'], ['carl', 'client'], ['sam', 'staff'], ['dora', 'staff'], ['dan', 'staff'], ['olaf', 'staff']] as const) {
      tokens[name] = await createUser(server, admin, name, role);
    }
    cleo = await connectAs(server, tokens.cleo, 'client', 'cleo');
    sam = await connectAs(server, tokens.sam, 'staff', 'sam');
    carlSocketId = (await connectAs(server, tokens.carl, 'client', 'carl')).id!;
    // Sam once talked with Olaf, who is disabled now; Dora is disabled and Dan deleted, never talked to.
    const olaf = await connectAs(server, tokens.olaf, 'staff', 'olaf');
    expect(await request(olaf, 'send_message', { message: 'hi sam', recipients: 'user:sam' })).toMatchObject({ ok: true });
    for (const name of ['dora', 'olaf']) {
      expect((await api(server, 'PATCH', `/api/users/${name}`, { token: admin, body: { disabled: true } })).status).toBe(200);
    }
    expect((await api(server, 'DELETE', '/api/users/dan', { token: admin })).status).toBe(204);
  });
  afterAll(() => {
    closeAllClients();
    return server.stop();
  });

  /** Every event that names a user, with `name` in the place of the user. */
  const probes = (socket: ClientSocket, name: string) => [
    () => request(socket, 'send_message', { message: 'probe', recipients: `user:${name}` }),
    () => request(socket, 'send_message', { message: 'probe', recipients: name }),
    () => request(socket, 'typing', { conversation: `user:${name}` }),
    () => request(socket, 'history', { conversation: `user:${name}` }),
    () => request(socket, 'mark_read', { conversation: `user:${name}`, up_to: 1 }),
  ];
  async function answers(socket: ClientSocket, name: string): Promise<Json[]> {
    const acks: unknown[] = [];
    for (const probe of probes(socket, name)) acks.push(await probe());
    // The only thing that differs is the name the asker typed, echoed back.
    return acks.map((ack) => JSON.parse(JSON.stringify(ack).replaceAll(name, '<name>')) as Json);
  }

  it('answers a client asking about another client exactly as about a name that does not exist', async () => {
    const unknown = await answers(cleo, 'nobody-at-all');
    expect(unknown.every((ack) => (ack.error as Json | undefined)?.code === 'UNKNOWN_RECIPIENT')).toBe(true);
    expect(await answers(cleo, 'carl')).toEqual(unknown);
    // The prototype's reply-to-socket form too.
    const bySocket = await request(cleo, 'send_message', { message: 'probe', recipients: carlSocketId });
    const byUnknownSocket = await request(cleo, 'send_message', { message: 'probe', recipients: 'AAAAAAAAAAAAAAAAAAAA' });
    expect(JSON.stringify(bySocket).replace(carlSocketId, '<id>')).toBe(JSON.stringify(byUnknownSocket).replace('AAAAAAAAAAAAAAAAAAAA', '<id>'));
  });

  it('answers every event about a disabled or deleted user as about an unknown name', async () => {
    const unknown = await answers(sam, 'nobody-at-all');
    expect(await answers(sam, 'dora')).toEqual(unknown);
    expect(await answers(sam, 'dan')).toEqual(unknown);
    expect(await answers(cleo, 'dora')).toEqual(await answers(cleo, 'nobody-at-all'));
  });

  it('still lets someone read a DM they already had with a user who was disabled since', async () => {
    const history = await request(sam, 'history', { conversation: 'user:olaf' });
    expect(history).toMatchObject({ ok: true, messages: [expect.objectContaining({ message: 'hi sam' })] });
    // Writing to them is refused as for anyone unknown.
    expect(await request(sam, 'send_message', { message: 'x', recipients: 'user:olaf' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_RECIPIENT' },
    });
  });

  it('keeps the directory to reachable, enabled users', async () => {
    const names = (await requestOk(cleo, 'directory')).users.map((u) => u.username);
    expect(names).toEqual(expect.arrayContaining(['admin', 'sam']));
    for (const hidden of ['carl', 'dora', 'dan', 'olaf', 'cleo']) expect(names).not.toContain(hidden);
    expect(names.some((name) => String(name).startsWith('deleted#'))).toBe(false);
  });

  it('still says FORBIDDEN for a group a role may not post to: the groups are no secret', async () => {
    expect(await request(cleo, 'send_message', { message: 'x', recipients: 'group:client' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'A client may not message the client group' },
    });
  });
});
