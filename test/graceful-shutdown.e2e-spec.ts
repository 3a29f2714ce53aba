import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { WireMessage } from '@parley/contract';
import { ShutdownService } from '../backend/src/lifecycle/shutdown.service';
import { startChildServer, type ChildServer } from './support/child-server';
import { type ClientSocket, closeAllClients, connect, nextEvent, request, requestOk, sendWithoutAck } from './support/clients';
import { startServer, type TestServer } from './support/server';

/** Every message this user may see, oldest first, following `more`. */
async function syncAll(socket: ClientSocket): Promise<WireMessage[]> {
  const all: WireMessage[] = [];
  for (let since = 0; ; ) {
    const page = await requestOk(socket, 'sync', { since, limit: 500 });
    all.push(...page.messages);
    if (!page.more || page.messages.length === 0) return all;
    since = page.messages.at(-1)!.id;
  }
}

describe('shutdown, in process: draining', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer({ PARLEY_AUTH: 'open' });
  });
  afterEach(async () => {
    closeAllClients();
    await server.stop();
  });

  it('announces server_shutdown, refuses new requests with SHUTTING_DOWN, and turns new connections away', async () => {
    const alice = await connect(server);
    expect(await request(alice, 'verify_user', { user_type: 'staff', user_name: 'alice' })).toMatchObject({ ok: true });

    const notice = nextEvent(alice, 'server_shutdown');
    server.app.get(ShutdownService).stopAccepting();
    expect((await notice).message).toMatch(/shutting down/);

    const refused = await request(alice, 'send_message', { message: 'too late', recipients: 'staff', client_id: 'late-1' });
    expect(refused).toEqual({ ok: false, error: { code: 'SHUTTING_DOWN', message: expect.any(String) } });
    // A prototype client passes no ack callback: the refusal arrives as parley_error.
    const error = nextEvent(alice, 'parley_error');
    sendWithoutAck(alice, 'send_message', { message: 'also too late', recipients: 'staff' });
    expect(await error).toMatchObject({ event: 'send_message', code: 'SHUTTING_DOWN' });

    await expect(connect(server)).rejects.toThrow();

    // Refused means not stored: after a restart on the same file, nothing from alice is there.
    closeAllClients();
    await server.restart();
    const again = await connect(server);
    expect(await request(again, 'verify_user', { user_type: 'staff', user_name: 'alice' })).toMatchObject({ ok: true });
    expect(await syncAll(again)).toEqual([]);
  });

  it('closes the transport (not a socket.io disconnect) after the announcement, so clients reconnect', async () => {
    const alice = await connect(server);
    expect(await request(alice, 'verify_user', { user_type: 'staff', user_name: 'alice' })).toMatchObject({ ok: true });
    const seen: string[] = [];
    alice.on('server_shutdown', () => seen.push('server_shutdown'));
    const disconnected = new Promise<string>((resolve) => alice.once('disconnect', (reason) => resolve(reason)));

    await server.app.get(ShutdownService).drain(Date.now() + 5_000);

    expect(await disconnected).toBe('transport close');
    expect(seen).toEqual(['server_shutdown']);
  });

  it('does not hold the shutdown to its deadline for a connection that never sent a request', async () => {
    // What Chromium keeps open ahead of need (and its service worker keeps): Node's close() waits
    // for such a connection, as it never became an idle keep-alive one.
    const port = Number(new URL(server.url).port);
    const spare = tcpConnect(port, '127.0.0.1');
    await new Promise<void>((resolve) => spare.once('connect', () => resolve()));
    const closedByServer = new Promise<void>((resolve) => spare.once('close', () => resolve()));
    try {
      // A deadline past this test's own timeout: reaching it would fail the test.
      await server.app.get(ShutdownService).drain(Date.now() + 120_000);
      await closedByServer;
    } finally {
      spare.destroy();
    }
  });
});

describe('shutdown, the built server as a child process', () => {
  let dir: string;
  let server: ChildServer | undefined;
  const sockets: ClientSocket[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-shutdown-'));
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (port = 0, timeoutMs = 5_000) => ({
    PARLEY_AUTH: 'open',
    PARLEY_PORT: String(port),
    PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite'),
    PARLEY_SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
  });

  /** socket.io-client with its default reconnection on, retrying quickly. */
  function client(url: string): Promise<ClientSocket> {
    const socket: ClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  it('on SIGTERM answers every message it accepted, stores exactly those, closes reconnect-ably, and exits 0', async () => {
    server = await startChildServer(env());
    const alice = await client(server.url);
    expect(await request(alice, 'verify_user', { user_type: 'staff', user_name: 'alice' })).toMatchObject({ ok: true });
    const events: string[] = [];
    alice.on('server_shutdown', () => events.push('server_shutdown'));
    alice.on('disconnect', (reason) => events.push(`disconnect: ${reason}`));

    // A steady closed-loop load with a window of sends in flight; the signal comes mid-stream.
    const window = 32;
    const sent: string[] = [];
    const acked = new Map<string, number>();
    const notStored = new Set<string>();
    const other: unknown[] = [];
    let refused = 0;
    let unanswered = 0;
    let ackedAfterSignal = 0;
    let signalled = false;
    let firstHundred!: () => void;
    const hundredAcked = new Promise<void>((resolve) => (firstHundred = resolve));
    const sendNext = async (): Promise<void> => {
      while (alice.connected) {
        const client_id = `m-${sent.length}`;
        sent.push(client_id);
        const result = await request(alice, 'send_message', { message: client_id, recipients: 'staff', client_id }).catch(
          () => 'unanswered' as const,
        );
        if (result === 'unanswered') {
          unanswered += 1;
          notStored.add(client_id);
        } else if (result.ok) {
          acked.set(client_id, result.id);
          if (signalled) ackedAfterSignal += 1;
          if (acked.size === 100) firstHundred();
        } else if (result.error.code === 'SHUTTING_DOWN') {
          refused += 1;
          notStored.add(client_id);
        } else {
          other.push(result);
        }
      }
    };
    const senders = Array.from({ length: window }, () => sendNext());
    await hundredAcked;
    signalled = true;
    server.child.kill('SIGTERM');

    // Exit code 0 also means "within the bound": past PARLEY_SHUTDOWN_TIMEOUT_MS it exits 1.
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await Promise.all(senders);
    expect(other).toEqual([]);
    console.log(
      `graceful shutdown: ${sent.length} sent, ${acked.size} acked (${ackedAfterSignal} of them after the signal), ` +
        `${refused} refused (SHUTTING_DOWN), ${unanswered} unanswered (in flight when the connection closed)`,
    );
    expect(events).toEqual(['server_shutdown', 'disconnect: transport close']);

    // Same file, same port: the client reconnects by itself.
    const reconnected = new Promise<void>((resolve) => alice.io.once('reconnect', () => resolve()));
    server = await startChildServer(env(server.port));
    await reconnected;
    expect(await request(alice, 'verify_user', { user_type: 'staff', user_name: 'alice' })).toMatchObject({ ok: true });
    const stored = await syncAll(alice);
    // Exactly the acknowledged messages, each once, with the id its ack gave.
    expect(new Map(stored.map((m) => [m.client_id!, m.id]))).toEqual(acked);
    expect(stored).toHaveLength(acked.size);

    // The rest were never stored: resending them with the same client_id stores them now.
    for (const client_id of notStored) {
      expect(await request(alice, 'send_message', { message: client_id, recipients: 'staff', client_id })).toMatchObject({
        ok: true,
        duplicate: false,
      });
    }
    expect(await syncAll(alice)).toHaveLength(sent.length);

    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).not.toMatch(/Shutdown failed|longer than/);
  }, 60_000);

  it('still exits 0 in time when a peer never answers the close of its websocket', async () => {
    server = await startChildServer(env(0, 1_000));
    // A raw websocket that completes the upgrade and then ignores everything, close frames included.
    const peer = tcpConnect(server.port, '127.0.0.1');
    try {
      const upgraded = new Promise<void>((resolve) => peer.once('data', (chunk) => chunk.toString().startsWith('HTTP/1.1 101') && resolve()));
      peer.write(
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n' +
          'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      await upgraded;
      server.child.kill('SIGTERM');
      // Without dropping it the close would wait for it until the hard timeout, which exits 1.
      expect(await server.exited).toEqual({ code: 0, signal: null });
      // Nothing was in flight on it, so dropping it is routine, not a warning.
      expect(server.output()).not.toMatch(/did not close in time/);
    } finally {
      peer.destroy();
    }
  }, 30_000);
});
