import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** What this limiter needs of an engine.io connection: to hear when it closes (its id is private). */
export interface EngineConnection {
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Engine.io connections that have not yet joined the chat namespace, counted per IP address.
 * UnverifiedSocketLimiter runs in socket.io middleware, which only sees a client once it joins
 * the namespace: a bare engine.io handshake (`GET /socket.io/?EIO=4&transport=polling`) never
 * reaches it, and 4,000 of them from one address were accepted. So an address may also hold
 * only PARLEY_UNVERIFIED_SOCKETS_PER_IP bare connections; one stops counting here when the
 * namespace middleware admits it (it then counts as an unverified socket) or when it closes.
 * A bare connection the middleware refused keeps its slot until socket.io closes it for not
 * joining (connectTimeout). Counts are per node, like the unverified ones.
 */
@Injectable()
export class BareConnectionLimiter {
  private readonly pending = new Map<EngineConnection, string>();
  private readonly perIp = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  /** Whether `ip` may open one more engine.io connection (asked at the handshake request). */
  admits(ip: string): boolean {
    return (this.perIp.get(ip) ?? 0) < this.config.values.PARLEY_UNVERIFIED_SOCKETS_PER_IP;
  }

  /** Counts a new engine.io connection from `ip` until it joins the namespace or closes. */
  track(connection: EngineConnection, ip: string): void {
    this.pending.set(connection, ip);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    connection.once('close', () => this.joined(connection));
  }

  /** The connection joined the namespace (or closed): it no longer counts as bare. */
  joined(connection: EngineConnection): void {
    const ip = this.pending.get(connection);
    if (ip === undefined) return;
    this.pending.delete(connection);
    const held = (this.perIp.get(ip) ?? 1) - 1;
    if (held > 0) this.perIp.set(ip, held);
    else this.perIp.delete(ip);
  }

  /** Bare connections `ip` holds on this node. */
  heldBy(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }
}
