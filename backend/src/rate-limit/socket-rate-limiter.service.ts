import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { TokenBucket } from './token-bucket';

export type Verdict = 'admit' | 'refuse' | 'disconnect';

/** A user's sockets together may send this many times one socket's rate and burst. */
export const ACCOUNT_FACTOR = 3;
/**
 * Refusals are counted over about this long: a socket refused PARLEY_RATE_LIMIT_DISCONNECT_AFTER
 * times within it is cut off, even if its bucket lets an event through now and then.
 */
export const STRIKE_WINDOW_MS = 10_000;
const SWEEP_MS = 60_000;

/**
 * Per-socket and per-account token buckets for incoming socket events. A socket over its own
 * rate, or whose user is over the account's rate (many tabs, many scripts), is refused; one
 * that keeps flooding through refusals is cut off. Replaceable through DI like every service.
 */
@Injectable()
export class SocketRateLimiter implements OnModuleDestroy {
  private readonly sockets = new Map<string, { bucket: TokenBucket; strikes: TokenBucket }>();
  private readonly accounts = new Map<number, TokenBucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly config: AppConfig) {
    // Account buckets outlive sockets; full ones carry nothing and are dropped.
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_MS).unref();
  }

  /**
   * One incoming event from `socketId`, whose user is `userId` once verified, costing `cost`
   * tokens (READ_EVENT_COST for reads, 1 for everything else).
   */
  admit(socketId: string, userId: number | null, cost = 1, now = Date.now()): Verdict {
    const { PARLEY_RATE_LIMIT_PER_SECOND: rate, PARLEY_RATE_LIMIT_BURST: burst } = this.config.values;
    let entry = this.sockets.get(socketId);
    if (!entry) {
      const strikes = this.config.values.PARLEY_RATE_LIMIT_DISCONNECT_AFTER;
      entry = { bucket: new TokenBucket(rate, burst, now), strikes: new TokenBucket((strikes * 1000) / STRIKE_WINDOW_MS, strikes, now) };
      this.sockets.set(socketId, entry);
    }
    let admitted = entry.bucket.take(now, cost);
    if (admitted && userId !== null) {
      let account = this.accounts.get(userId);
      if (!account) this.accounts.set(userId, (account = new TokenBucket(rate * ACCOUNT_FACTOR, burst * ACCOUNT_FACTOR, now)));
      if (!account.take(now, cost)) {
        entry.bucket.giveBack(cost);
        admitted = false;
      }
    }
    if (admitted) return 'admit';
    // The last strike disconnects: `strikes` refusals in a burst, or a steady flood past the window's rate.
    return entry.strikes.take(now) && !entry.strikes.isEmpty() ? 'refuse' : 'disconnect';
  }

  /**
   * How long a refused event costing `cost` should wait before it is resent: until both the
   * socket's and the account's buckets hold that many tokens (at least 1 ms, so a client told
   * to wait always waits).
   */
  retryAfterMs(socketId: string, userId: number | null, cost = 1, now = Date.now()): number {
    const socketWait = this.sockets.get(socketId)?.bucket.msUntilToken(now, cost) ?? 0;
    const accountWait = userId === null ? 0 : (this.accounts.get(userId)?.msUntilToken(now, cost) ?? 0);
    return Math.max(1, socketWait, accountWait);
  }

  /**
   * Gives back what an admitted event was charged when a later gate refused it anyway (a read
   * with no slot free): a client retrying such a read as told must not drain its bucket.
   */
  refund(socketId: string, userId: number | null, cost: number): void {
    this.sockets.get(socketId)?.bucket.giveBack(cost);
    if (userId !== null) this.accounts.get(userId)?.giveBack(cost);
  }

  forget(socketId: string): void {
    this.sockets.delete(socketId);
  }

  /** Drops account buckets that have refilled (exposed for tests). */
  sweep(now: number): void {
    for (const [userId, bucket] of this.accounts) if (bucket.isFull(now)) this.accounts.delete(userId);
  }

  get trackedAccounts(): number {
    return this.accounts.size;
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
