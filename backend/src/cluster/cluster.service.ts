import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';
import { AppConfig } from '../config/app-config';

/**
 * Joins this process to the other Parley nodes through Redis when PARLEY_REDIS_URL is set:
 * socket.io's Redis adapter relays every broadcast to a room, so Broadcaster's emits and
 * disconnects reach sockets wherever they are connected. Storage is shared separately
 * (PostgreSQL). Without the variable, Parley is one process and this does nothing.
 */
@Injectable()
export class ClusterService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterService.name);
  private closers: Array<() => Promise<unknown>> = [];
  private adapter: ServerOptions['adapter'] | undefined;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.values.PARLEY_REDIS_URL !== undefined;
  }

  /** Connects before the socket.io server exists (its adapter subscribes as it is created). */
  async connect(): Promise<ServerOptions['adapter'] | undefined> {
    const url = this.config.values.PARLEY_REDIS_URL;
    if (url === undefined) return undefined;
    if (this.adapter) return this.adapter;
    const pub = createClient({ url });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) {
      // Without a listener an 'error' event would end the process; the client reconnects itself.
      client.on('error', (error: unknown) => this.logger.warn(`Redis: ${String(error)}`));
    }
    try {
      await Promise.all([pub.connect(), sub.connect()]);
    } catch (error) {
      await Promise.allSettled([pub.destroy(), sub.destroy()]);
      throw new Error(`PARLEY_REDIS_URL: cannot connect to Redis (${error instanceof Error ? error.message : String(error)})`);
    }
    this.closers = [() => pub.quit(), () => sub.quit()];
    this.adapter = createAdapter(pub, sub, { key: this.config.values.PARLEY_REDIS_PREFIX });
    this.logger.log(`Cluster: Redis adapter on ${new URL(url).host}, channel prefix ${this.config.values.PARLEY_REDIS_PREFIX}`);
    return this.adapter;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.closers.map((close) => close()));
    this.closers = [];
  }
}
