import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import type { Server } from 'socket.io';
import { AppConfig } from '../config/app-config';
import { Broadcaster } from '../realtime/broadcaster.service';
import { ClusterService } from './cluster.service';

type Handler = (payload: unknown, reply?: (answer: unknown) => void) => void;

/**
 * Messages between the nodes of a cluster (not to sockets): socket.io's serverSideEmit over the
 * Redis adapter. On a single node there is no one to talk to and every call is a no-op, so
 * callers need not ask whether they are in a cluster.
 */
@Injectable()
export class NodeBus {
  private readonly logger = new Logger(NodeBus.name);
  private server: Server | null = null;
  private readonly handlers = new Map<string, Handler>();
  readonly nodeName: string;

  constructor(
    config: AppConfig,
    private readonly cluster: ClusterService,
    broadcaster: Broadcaster,
  ) {
    this.nodeName = config.values.PARLEY_NODE_NAME ?? `${hostname()}-${process.pid}`;
    broadcaster.whenAttached((server) => this.attach(server));
  }

  get clustered(): boolean {
    return this.cluster.enabled;
  }

  private attach(server: Server): void {
    this.server = server;
    for (const [event, handler] of this.handlers) this.listen(event, handler);
  }

  /** `handler` runs for every `event` another node publishes (never for this node's own). */
  subscribe(event: string, handler: Handler): void {
    this.handlers.set(event, handler);
    if (this.server) this.listen(event, handler);
  }

  publish(event: string, payload: unknown): void {
    if (!this.clustered || !this.server) return;
    this.server.serverSideEmit(event, payload);
  }

  /**
   * Asks every other node; resolves with the answers that came within the adapter's timeout
   * (a node that did not answer in time is left out, and its heartbeats make up for it).
   */
  request(event: string, payload: unknown): Promise<unknown[]> {
    const server = this.server;
    if (!this.clustered || !server) return Promise.resolve([]);
    return new Promise((resolve) => {
      server.serverSideEmit(event, payload, (error: Error | null, answers: unknown[] | undefined) => {
        if (error) this.logger.warn(`Not every node answered ${event}: ${error.message}`);
        resolve(answers ?? []);
      });
    });
  }

  private listen(event: string, handler: Handler): void {
    if (!this.clustered) return;
    this.server!.on(event, (payload: unknown, reply?: (answer: unknown) => void) => {
      try {
        handler(payload, reply);
      } catch (error) {
        this.logger.error(`Handling ${event} from another node failed: ${String(error)}`);
      }
    });
  }
}
