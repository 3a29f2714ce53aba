import { Injectable } from '@nestjs/common';
import { io } from 'socket.io-client';
import { createParleyApp } from '../backend/src/app.factory';
import { PermissionPolicy, type PolicyUser } from '../backend/src/permissions/permission-policy';
import type { NewMessageRow } from '../backend/src/storage/database.types';
import { MessageRepository } from '../backend/src/storage/message.repository';
import type { Role } from '@parley/contract';
import { adminToken, closeAllClients, connectAs, createUser, request } from './support/clients';
import { startServer, type TestServer } from './support/server';

describe('configuration', () => {
  afterEach(closeAllClients);

  it('refuses to start on a bad variable and names it', async () => {
    await expect(createParleyApp({ env: { PARLEY_PORT: 'eighty' }, logger: false })).rejects.toThrow(
      /Invalid configuration:\n\s+PARLEY_PORT:/,
    );
  });

  it('takes a permission table from PARLEY_PERMISSIONS', async () => {
    const server = await startServer({
      PARLEY_PERMISSIONS: JSON.stringify({
        admin: { groups: ['admin', 'staff', 'client'], users: ['admin', 'staff', 'client'] },
        staff: { groups: ['staff'], users: ['admin', 'staff'] },
        client: { groups: ['client'], users: ['admin', 'staff', 'client'] },
      }),
    });
    try {
      const admin = await adminToken(server);
      const client = await connectAs(server, await createUser(server, admin, 'cy', 'client'), 'client', 'cy');
      const staff = await connectAs(server, await createUser(server, admin, 'st', 'staff'), 'staff', 'st');
      expect(await request(client, 'send_message', { message: 'hi all', recipients: 'client' })).toMatchObject({ ok: true });
      expect(await request(staff, 'send_message', { message: 'hi', recipients: 'client' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    } finally {
      closeAllClients();
      await server.stop();
    }
  });

  describe('socket origins', () => {
    const tryOrigin = (server: TestServer, origin: string) =>
      new Promise<'connected' | 'refused'>((resolve) => {
        const socket = io(server.url, { transports: ['websocket'], extraHeaders: { origin }, reconnection: false, forceNew: true });
        socket.on('connect', () => {
          socket.disconnect();
          resolve('connected');
        });
        socket.on('connect_error', () => resolve('refused'));
      });

    it('lets pages of its own origin in and refuses other sites unless configured', async () => {
      const server = await startServer({ PARLEY_CORS_ORIGINS: 'http://intranet.example, null' });
      try {
        expect(await tryOrigin(server, server.url)).toBe('connected');
        expect(await tryOrigin(server, 'http://evil.example')).toBe('refused');
        expect(await tryOrigin(server, 'http://intranet.example')).toBe('connected');
        expect(await tryOrigin(server, 'null')).toBe('connected');
      } finally {
        await server.stop();
      }
    });
  });

  describe('an integrator\'s PermissionPolicy bound through Nest DI', () => {
    /** Example policy: nobody may write to the admin group, everything else is allowed. */
    @Injectable()
    class NoAdminGroupPolicy extends PermissionPolicy {
      canSendToGroup(_sender: PolicyUser, group: Role): boolean {
        return group !== 'admin';
      }
      canSendToUser(): boolean {
        return true;
      }
    }

    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({}, [{ provide: PermissionPolicy, useClass: NoAdminGroupPolicy }]);
    });
    afterAll(() => server.stop());

    it('replaces the default table everywhere messages are routed', async () => {
      const admin = await adminToken(server);
      const adminSocket = await connectAs(server, admin, 'admin', 'admin');
      const client = await connectAs(server, await createUser(server, admin, 'cx', 'client'), 'client', 'cx');
      expect(await request(adminSocket, 'send_message', { message: 'x', recipients: 'admin' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      // The default table forbids this; the custom policy allows it.
      expect(await request(client, 'send_message', { message: 'x', recipients: 'client' })).toMatchObject({ ok: true });
    });
  });

  describe('an integrator\'s MessageRepository, injected by another module', () => {
    /** Example: counts what it stores; built in StorageModule, used by ChatModule's MessageWriter. */
    @Injectable()
    class CountingMessageRepository extends MessageRepository {
      stored = 0;
      override async insertBatch(messages: readonly NewMessageRow[]) {
        this.stored += messages.length;
        return super.insertBatch(messages);
      }
    }

    it('is the one instance the send path writes with', async () => {
      const server = await startServer({}, [{ provide: MessageRepository, useClass: CountingMessageRepository }]);
      try {
        const admin = await adminToken(server);
        const socket = await connectAs(server, admin, 'admin', 'admin');
        expect(await request(socket, 'send_message', { message: 'hi', recipients: 'staff' })).toMatchObject({ ok: true });
        // One repository in the whole app: the replacement ChatModule got is the one StorageModule built.
        const repository = server.app.get(MessageRepository);
        expect(repository).toBeInstanceOf(CountingMessageRepository);
        expect((repository as CountingMessageRepository).stored).toBe(1);
      } finally {
        closeAllClients();
        await server.stop();
      }
    });
  });
});
