import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { DatabaseService } from '../backend/src/storage/database.service';
import { adminToken, api, closeAllClients, connectAs, request, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A TCP relay in front of the real PostgreSQL, so a test can take the database away from a
 * running server (close the relay and cut its connections) and bring it back on the same port.
 */
class TcpRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get isOpen(): boolean {
    return this.server !== null;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

describe('health endpoints', () => {
  describe('on SQLite', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(() => server.stop());

    it.each(['/health', '/health/ready'])('%s is ready, with the database up, without signing in', async (path) => {
      const response = await api(server, 'GET', path);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'ok',
        info: { database: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' } },
      });
      expect(response.headers.get('cache-control')).toMatch(/no-store/);
    });

    it('/health/live answers without checking anything', async () => {
      const response = await api(server, 'GET', '/health/live');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    });

    it('says nothing about where the data lives', async () => {
      const text = JSON.stringify((await api(server, 'GET', '/health')).body);
      expect(text).not.toMatch(/sqlite|parley-e2e|\/tmp/i);
    });

    // Last in this block: the server cannot store messages afterwards.
    it('is not ready (503) once the SQLite writer thread has stopped, while reads still work and messages fail clearly', async () => {
      const admin = await connectAs(server, await adminToken(server), 'admin', 'admin');
      await requestOk(admin, 'send_message', { message: 'before', recipients: 'group:admin' });
      // As if the thread had stopped on its own: told to end directly, not through close(), so
      // that its connection is closed cleanly (nothing left open in this test process).
      const { worker } = (server.app.get(DatabaseService) as unknown as { writerThread: { worker: Worker } }).writerThread;
      const exited = once(worker, 'exit');
      worker.postMessage({ close: true });
      await exited;
      await eventually(async () => expect((await api(server, 'GET', '/health/ready')).status).toBe(503));
      expect((await api(server, 'GET', '/health/ready')).body).toEqual({
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      });
      expect((await api(server, 'GET', '/health/live')).status).toBe(200);
      expect(await request(admin, 'send_message', { message: 'after', recipients: 'group:admin' })).toMatchObject({ ok: false, error: { code: 'STORAGE_FAILED' } });
      expect((await requestOk(admin, 'history', { conversation: 'group:admin' })).messages.map((m: { message: string }) => m.message)).toEqual(['before']);
      closeAllClients();
    });
  });

  describe('on PostgreSQL, which goes away and comes back', () => {
    const schema = `parley_health_${randomBytes(6).toString('hex')}`;
    const url = new URL(POSTGRES_URL);
    const relay = new TcpRelay({ host: url.hostname, port: Number(url.port || 5432) });
    let server: TestServer;

    beforeAll(async () => {
      await relay.open();
      const relayed = new URL(POSTGRES_URL);
      relayed.host = `127.0.0.1:${relay.port}`;
      server = await startServer({ PARLEY_DATABASE_URL: relayed.toString(), PARLEY_DATABASE_SCHEMA: schema });
    });
    afterAll(async () => {
      if (!relay.isOpen) await relay.open();
      await server.stop();
      await relay.cut();
      const client = new Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    });

    it('is ready while PostgreSQL answers', async () => {
      const response = await api(server, 'GET', '/health/ready');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    });

    it('is not ready (503) without PostgreSQL, says only "down", and stays alive', async () => {
      await relay.cut();
      const ready = await api(server, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      });
      expect((await api(server, 'GET', '/health')).status).toBe(503);
      expect((await api(server, 'GET', '/health/live')).status).toBe(200);
    });

    it('is ready again once PostgreSQL is back', async () => {
      await relay.open();
      const response = await api(server, 'GET', '/health/ready');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok' });
    });
  });
});
