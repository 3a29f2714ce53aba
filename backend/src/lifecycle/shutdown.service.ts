import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket as TcpSocket } from 'node:net';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MessageWriter } from '../chat/message-writer.service';
import { ServerEvents, type ServerShutdownPayload } from '@parley/contract';
import { Broadcaster } from '../realtime/broadcaster.service';

/** What the socket adapter asks before and while it runs a handler. */
export interface RequestGate {
  /** True once a shutdown began: new requests are refused with SHUTTING_DOWN. */
  readonly draining: boolean;
  /** Counts one request as in flight; call the returned function once it has been answered. */
  begin(): () => void;
}

const SHUTDOWN_NOTICE: ServerShutdownPayload = {
  message: 'The server is shutting down; reconnecting, then send again anything not acknowledged',
};

/**
 * How long, once every request is answered, open connections get to close by themselves (a
 * websocket's close handshake takes a round trip) before they are dropped.
 */
const CLOSE_GRACE_MS = 1_000;

/** Resolves true when `work` settles before `deadline` (epoch ms), false when the deadline comes first. */
async function within(deadline: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Graceful shutdown, before Nest's own close: stop taking connections and requests, answer
 * every request already accepted (so every message already received is stored and acked),
 * then close the connections in a way clients reconnect from. See docs/architecture.md.
 */
@Injectable()
export class ShutdownService implements RequestGate, OnApplicationBootstrap {
  private readonly logger = new Logger(ShutdownService.name);
  private stopping = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private httpClosed: Promise<void> = Promise.resolve();
  /**
   * Every TCP connection, websockets included, so a peer that never completes a close cannot
   * hold the exit past the deadline.
   */
  private readonly connections = new Set<TcpSocket>();
  /** HTTP requests in progress per connection (an upload, an export): those are not cut early. */
  private readonly busy = new Map<TcpSocket, number>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly broadcaster: Broadcaster,
    private readonly writer: MessageWriter,
  ) {}

  onApplicationBootstrap(): void {
    const http = this.httpServer();
    http?.on('connection', (socket: TcpSocket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    http?.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (this.busy.get(socket) ?? 1) - 1;
        if (left > 0) this.busy.set(socket, left);
        else this.busy.delete(socket);
      });
    });
  }

  get draining(): boolean {
    return this.stopping;
  }

  begin(): () => void {
    this.inFlight += 1;
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
  }

  /** First step, also on its own for tests: refuse new connections and requests, tell every client. */
  stopAccepting(): void {
    if (this.stopping) return;
    this.stopping = true;
    const http = this.httpServer();
    // close() refuses new connections and closes idle keep-alive ones; requests in progress
    // finish. Its callback comes once every connection (websockets too) has ended.
    if (http?.listening) this.httpClosed = new Promise((resolve) => http.close(() => resolve()));
    this.broadcaster.emitToAll(ServerEvents.ServerShutdown, SHUTDOWN_NOTICE);
  }

  /**
   * The whole drain, bounded by `deadline` (epoch ms). Whatever is still unanswered at the
   * deadline is cut off; its client gets no ack and resends it (same client_id) after
   * reconnecting, which is safe whether or not it was stored.
   */
  async drain(deadline: number): Promise<void> {
    this.stopAccepting();
    const answered = await within(deadline, this.idle().then(() => this.writer.flush()));
    if (!answered) this.logger.warn(`${this.inFlight} request(s) still unanswered at the shutdown deadline`);
    this.broadcaster.closeTransports();
    // With every request answered, what stays open carries nothing: a browser's spare connection
    // (Chromium opens them ahead of need and its service worker keeps one; Node's close() waits
    // for them as they never sent a request) or a websocket whose close is still on its way.
    // The close handshakes get a moment; then the rest is dropped rather than held to the deadline.
    if (answered && !(await within(Math.min(deadline, Date.now() + CLOSE_GRACE_MS), this.httpClosed))) {
      // An HTTP request still in progress (an upload, an export) keeps its connection until the deadline.
      const idle = [...this.connections].filter((socket) => !this.busy.has(socket));
      if (idle.length > 0) this.logger.log(`${idle.length} connection(s) with nothing in flight still open; dropping them`);
      for (const socket of idle) socket.destroy();
    }
    if (await within(deadline, this.httpClosed)) return;
    this.logger.warn(`${this.connections.size} connection(s) did not close in time; dropping them`);
    for (const socket of this.connections) socket.destroy();
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private httpServer(): HttpServer | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as HttpServer | undefined;
  }
}
