import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

interface Pending {
  ip: string;
  deadline: NodeJS.Timeout;
}

/**
 * Sockets that have connected but not yet verified, counted per IP address. Such a socket costs
 * memory and a roster entry and proves nothing, so an address may hold only
 * PARLEY_UNVERIFIED_SOCKETS_PER_IP of them, and each must verify within
 * PARLEY_VERIFY_TIMEOUT_MS. Counts are per node: each node protects itself.
 *
 * A socket counts from the handshake until its first successful verify_user, whether or not it
 * carried a session cookie (the cookie is only checked for real at verify_user).
 */
@Injectable()
export class UnverifiedSocketLimiter implements OnModuleDestroy {
  private readonly pending = new Map<string, Pending>();
  private readonly perIp = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  /**
   * Reserves a slot for a socket at its handshake and starts its deadline; false when `ip`
   * already holds the maximum. `onTimeout` runs if the socket is still unverified at the deadline.
   */
  admit(socketId: string, ip: string, onTimeout: () => void): boolean {
    const held = this.perIp.get(ip) ?? 0;
    if (held >= this.config.values.PARLEY_UNVERIFIED_SOCKETS_PER_IP) return false;
    this.perIp.set(ip, held + 1);
    const deadline = setTimeout(() => {
      if (this.release(socketId)) onTimeout();
    }, this.config.values.PARLEY_VERIFY_TIMEOUT_MS);
    // A pending deadline must not keep a stopping process alive.
    deadline.unref();
    this.pending.set(socketId, { ip, deadline });
    return true;
  }

  /** The socket verified, failed its handshake or disconnected: frees its slot. True if it held one. */
  release(socketId: string): boolean {
    const entry = this.pending.get(socketId);
    if (!entry) return false;
    clearTimeout(entry.deadline);
    this.pending.delete(socketId);
    const held = (this.perIp.get(entry.ip) ?? 1) - 1;
    if (held > 0) this.perIp.set(entry.ip, held);
    else this.perIp.delete(entry.ip);
    return true;
  }

  /** Unverified sockets `ip` holds on this node. */
  heldBy(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  onModuleDestroy(): void {
    for (const socketId of [...this.pending.keys()]) this.release(socketId);
  }
}
