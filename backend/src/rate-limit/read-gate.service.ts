import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ClientEvents, ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';

/** Socket events that answer with a page of stored data: gated here and charged more tokens. */
export const READ_EVENTS: ReadonlySet<string> = new Set([
  ClientEvents.Sync,
  ClientEvents.History,
  ClientEvents.Conversations,
  ClientEvents.Directory,
  ClientEvents.Search,
]);

/**
 * Rate-limit tokens a read costs (a small event costs 1). A read may answer with a megabyte
 * that the server must encode and send: with the default burst of 60 and 20/s, a socket may
 * read 6 pages at once and 2 a second (a user's sockets together 18 and 6), plenty for an app
 * catching up, while halving what one account can make the server encode compared with 5
 * (measured by the bench's abuse scenario, docs/performance.md).
 */
export const READ_EVENT_COST = 10;

/**
 * What a read costs with this configuration: READ_EVENT_COST, or the whole burst when an
 * operator set PARLEY_RATE_LIMIT_BURST lower, since a cost above the burst would refuse every
 * read for ever (and the web app would retry for ever).
 */
export function readCost(config: AppConfig): number {
  return Math.min(READ_EVENT_COST, config.values.PARLEY_RATE_LIMIT_BURST);
}

/**
 * What a refused read is told to wait: about the time one full page takes to read, encode and
 * send on a busy server, so a retry usually finds a slot free.
 */
export const READ_RETRY_AFTER_MS = 250;

/**
 * Counts reads (sync, history, conversations, directory, search) in progress per socket and per
 * user. Each holds a page of messages or users in memory until it is sent, so one client
 * firing many at once could hold many pages; past PARLEY_READS_IN_FLIGHT the next is refused.
 */
@Injectable()
export class ReadGate {
  private readonly perSocket = new Map<string, number>();
  private readonly perUser = new Map<number, number>();

  constructor(private readonly config: AppConfig) {}

  /** Rate-limit tokens one read costs here (readCost). */
  get cost(): number {
    return readCost(this.config);
  }

  /** A release function when the read may start (call it once the answer is sent), else null. */
  enter(socketId: string, userId: number | null): (() => void) | null {
    const max = this.config.values.PARLEY_READS_IN_FLIGHT;
    if ((this.perSocket.get(socketId) ?? 0) >= max) return null;
    if (userId !== null && (this.perUser.get(userId) ?? 0) >= max) return null;
    increment(this.perSocket, socketId, 1);
    if (userId !== null) increment(this.perUser, userId, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      increment(this.perSocket, socketId, -1);
      if (userId !== null) increment(this.perUser, userId, -1);
    };
  }

  /**
   * A REST read under the same slots as the caller's socket reads, per user: REST is no way round
   * the limit on reads in progress at once. RATE_LIMITED (429, Retry-After) when none is free.
   */
  async restRead<T>(caller: { sessionId: number | null; user: { id: number } }, read: () => Promise<T>): Promise<T> {
    // Session ids and user ids are both small integers: the kind is in the key so a bot's
    // (no session) and someone's session of the same number never share one slot count.
    const release = this.enter(caller.sessionId !== null ? `rest:session:${caller.sessionId}` : `rest:user:${caller.user.id}`, caller.user.id);
    if (!release) throw new ParleyError(ErrorCodes.RateLimited, 'Too many reads in progress; wait for an answer, then resend', READ_RETRY_AFTER_MS);
    try {
      return await read();
    } finally {
      release();
    }
  }

  /** Reads in progress (exposed for tests). */
  inFlight(socketId: string): number {
    return this.perSocket.get(socketId) ?? 0;
  }
}

/** Adds to a counter, dropping it at zero so idle sockets and users cost no memory. */
function increment<K>(counts: Map<K, number>, key: K, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
