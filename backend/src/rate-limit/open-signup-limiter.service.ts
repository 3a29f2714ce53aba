import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { TokenBucket } from './token-bucket';

const MINUTE_MS = 60_000;

/**
 * PARLEY_AUTH=open creates an account for any new name; this caps how many one IP address may
 * create per minute (a token bucket: the whole allowance at once, then refilled over the
 * minute), so one script cannot fill the user table and the directory.
 */
@Injectable()
export class OpenSignupLimiter implements OnModuleDestroy {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly config: AppConfig) {
    // Full buckets carry nothing; dropping them keeps one entry per recently active address.
    this.sweeper = setInterval(() => this.sweep(Date.now()), MINUTE_MS).unref();
  }

  /** Takes one new account from `ip`'s allowance, or throws RATE_LIMITED with when to retry. */
  admitNewAccount(ip: string, now = Date.now()): void {
    const perMinute = this.config.values.PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE;
    let bucket = this.buckets.get(ip);
    if (!bucket) this.buckets.set(ip, (bucket = new TokenBucket(perMinute / 60, perMinute, now)));
    if (bucket.take(now)) return;
    const waitMs = Math.max(1, bucket.msUntilToken(now));
    throw new ParleyError(
      ErrorCodes.RateLimited,
      `Too many new accounts from this address; try again in ${Math.ceil(waitMs / 1000)} s (names already used still work)`,
      waitMs,
    );
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now: number): void {
    for (const [ip, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(ip);
  }
}
