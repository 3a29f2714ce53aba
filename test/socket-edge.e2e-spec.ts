import { UserRegistryService } from '../backend/src/registry/user-registry.service';
import { adminToken, type ClientSocket, closeAllClients, connectAs, createUser, request } from './support/clients';
import { startServer, type TestServer } from './support/server';

describe('socket edge', () => {
  let server: TestServer;
  let sam: ClientSocket;

  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    await createUser(server, admin, 'bea', 'staff');
    sam = await connectAs(server, await createUser(server, admin, 'sam', 'staff'), 'staff', 'sam');
  });

  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  it('asks the registry who a socket is once per event: the per-event middleware, whose answer the handlers reuse', async () => {
    const lookups = jest.spyOn(server.app.get(UserRegistryService), 'getVerified');
    try {
      // The web app's forms: a group or a user by conversation id, neither needing a socket lookup.
      for (const recipients of ['group:staff', 'user:bea']) {
        lookups.mockClear();
        expect(await request(sam, 'send_message', { message: 'once', recipients })).toMatchObject({ ok: true });
        expect(lookups).toHaveBeenCalledTimes(1);
      }
      // A read goes through the read gate too, which reads the same answer.
      lookups.mockClear();
      expect(await request(sam, 'sync', { since: 0 })).toMatchObject({ ok: true });
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });
});
