/**
 * A token bucket: `burst` tokens at most, refilled at `perSecond`. Time is passed in so the
 * bucket is a pure value and costs no timer.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes `count` tokens if there are that many (an event that costs more takes more). */
  take(now: number, count = 1): boolean {
    this.refill(now);
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /**
   * How long until take(count) would succeed: 0 if the tokens are there now. A count above the
   * burst is waited for as the burst (the most the bucket can ever hold).
   */
  msUntilToken(now: number, count = 1): number {
    this.refill(now);
    const needed = Math.min(count, this.burst);
    return this.tokens >= needed ? 0 : Math.ceil(((needed - this.tokens) / this.perSecond) * 1000);
  }

  /** Puts back tokens taken by mistake (another bucket refused the same event). */
  giveBack(count = 1): void {
    this.tokens = Math.min(this.burst, this.tokens + count);
  }

  /** No whole token left (without refilling: call after take()). */
  isEmpty(): boolean {
    return this.tokens < 1;
  }

  /** A full bucket holds no state worth keeping: dropping it and starting afresh is the same. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    this.updatedAt = now;
  }
}
