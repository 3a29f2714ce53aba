import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type ErrorCode, ROLES } from '@parley/contract';
import { UserRegistryService } from '../registry/user-registry.service';

export type MessageKind = 'group' | 'direct';
export type ErrorTransport = 'socket' | 'http';

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC), in one registry per process:
 * they describe the process, not an app, and prom-client's collectors start an event-loop
 * monitor and a GC observer that are never stopped, so one set per app would leak in a test
 * run that starts many apps.
 */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Parley's Prometheus metrics, in a registry of this app's own (not prom-client's global one),
 * so several servers in one process never share or clash. The send path only increments a
 * counter and observes a histogram; connection counts are read from the registry at scrape.
 */
@Injectable()
export class ParleyMetrics {
  readonly registry = new Registry();
  private readonly messages: Counter<'kind'>;
  private readonly delivery: Histogram;
  private readonly errors: Counter<'transport' | 'code'>;
  private readonly hookFailures: Counter<'hook' | 'extension'>;
  // Label sets built once, so counting a message allocates none.
  private readonly kindLabels: Record<MessageKind, { kind: MessageKind }> = {
    group: { kind: 'group' },
    direct: { kind: 'direct' },
  };

  constructor(connections: UserRegistryService) {
    const registers = [this.registry];
    new Gauge({
      name: 'parley_connections',
      help: 'Open socket.io connections on this node, by verified role (unverified: not verified yet, or refused)',
      labelNames: ['role'],
      registers,
      collect() {
        const counts: Record<string, number> = { unverified: 0 };
        for (const role of ROLES) counts[role] = 0;
        for (const connection of connections.all()) counts[connection.user?.role ?? 'unverified'] += 1;
        for (const [role, count] of Object.entries(counts)) this.set({ role }, count);
      },
    });
    this.messages = new Counter({
      name: 'parley_messages_total',
      help: 'Messages stored and delivered, by kind (group or direct); duplicates of a client_id are not counted',
      labelNames: ['kind'],
      registers,
    });
    this.delivery = new Histogram({
      name: 'parley_message_delivery_seconds',
      help: 'From a validated send_message reaching the routing service to the message being emitted to its recipients, durable commit included',
      // Group commit with an fsync takes about a millisecond on an SSD; the top buckets catch
      // a slow disk or a busy PostgreSQL.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.errors = new Counter({
      name: 'parley_errors_total',
      help: 'Error replies by transport (socket: error acks and parley_error events; http: REST error responses) and code',
      labelNames: ['transport', 'code'],
      registers,
    });
    this.hookFailures = new Counter({
      name: 'parley_extension_hook_failures_total',
      help: 'Extension hooks that threw, rejected or returned something invalid, by hook (e.g. message.after_delivery) and extension',
      labelNames: ['hook', 'extension'],
      registers,
    });
  }

  /** A start time for messageDelivered, on the monotonic clock. */
  now(): number {
    return performance.now();
  }

  messageDelivered(kind: MessageKind, startedAt: number): void {
    this.messages.inc(this.kindLabels[kind]);
    this.delivery.observe((performance.now() - startedAt) / 1000);
  }

  errorReplied(transport: ErrorTransport, code: ErrorCode): void {
    this.errors.inc({ transport, code });
  }

  extensionHookFailed(hook: string, extension: string): void {
    this.hookFailures.inc({ hook, extension });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition: Parley's metrics, then the process's. */
  async render(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetrics().metrics());
  }
}
