import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { TokenBucket } from '../rate-limit/token-bucket';

/** 10 posts a second, 20 at once: plenty for CI and monitoring, too few to flood a conversation. */
export const HOOK_POSTS_PER_SECOND = 10;
export const HOOK_POST_BURST = 20;
const SWEEP_MS = 60_000;

/**
 * Posts per incoming webhook (a token bucket per hook id), on top of the per-IP REST limit: a
 * script in a loop behind one address, or a leaked URL used from many, floods one conversation
 * no faster than this.
 */
@Injectable()
export class IncomingWebhookLimiter implements OnModuleDestroy {
  private readonly buckets = new Map<number, TokenBucket>();
  private readonly sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_MS).unref();

  /** Takes one post from the hook's allowance, or throws RATE_LIMITED with when to retry. */
  admit(hookId: number, now = Date.now()): void {
    let bucket = this.buckets.get(hookId);
    if (!bucket) this.buckets.set(hookId, (bucket = new TokenBucket(HOOK_POSTS_PER_SECOND, HOOK_POST_BURST, now)));
    if (bucket.take(now)) return;
    const waitMs = Math.max(1, bucket.msUntilToken(now));
    throw new ParleyError(ErrorCodes.RateLimited, `Too many posts through this webhook; try again in ${Math.ceil(waitMs / 1000)} s`, waitMs);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Full buckets carry nothing; dropping them keeps one entry per recently busy hook. */
  private sweep(now: number): void {
    for (const [id, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(id);
  }
}
