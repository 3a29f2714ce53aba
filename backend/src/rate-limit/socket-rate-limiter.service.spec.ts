import { AppConfig } from '../config/app-config';
import { ACCOUNT_FACTOR, SocketRateLimiter, STRIKE_WINDOW_MS } from './socket-rate-limiter.service';
import { TokenBucket } from './token-bucket';
import { READ_EVENT_COST } from './read-gate.service';

describe('TokenBucket', () => {
  it('gives a burst at once, then refills at the rate', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true);
    expect(bucket.isFull(100)).toBe(false);
    expect(bucket.isFull(10_000)).toBe(true);
  });

  it('says how long until a count of tokens is there, waiting for at most the burst', () => {
    const bucket = new TokenBucket(20, 60, 0);
    expect(bucket.take(0, 60)).toBe(true);
    expect(bucket.msUntilToken(0)).toBe(50);
    expect(bucket.msUntilToken(0, 10)).toBe(500);
    expect(bucket.msUntilToken(0, 1000)).toBe(3000);
    expect(bucket.msUntilToken(500, 10)).toBe(0);
  });

  it('never holds more than the burst, however long it rests', () => {
    const bucket = new TokenBucket(1000, 2, 0);
    expect([bucket.take(60_000), bucket.take(60_000), bucket.take(60_000)]).toEqual([true, true, false]);
  });
});

describe('SocketRateLimiter', () => {
  const limiter = (rate: number, burst: number, disconnectAfter: number) =>
    new SocketRateLimiter(
      AppConfig.fromEnv({
        PARLEY_RATE_LIMIT_PER_SECOND: String(rate),
        PARLEY_RATE_LIMIT_BURST: String(burst),
        PARLEY_RATE_LIMIT_DISCONNECT_AFTER: String(disconnectAfter),
      }),
    );
  let subject: SocketRateLimiter;
  afterEach(() => subject.onModuleDestroy());

  it('refuses a socket past its burst, and disconnects at the last allowed refusal', () => {
    subject = limiter(1, 2, 3);
    const verdicts = Array.from({ length: 5 }, () => subject.admit('s1', null, 1, 0));
    expect(verdicts).toEqual(['admit', 'admit', 'refuse', 'refuse', 'disconnect']);
  });

  it('disconnects a steady flood that its bucket lets through now and then', () => {
    subject = limiter(20, 1, 100);
    // 1,000 events a second for 10 s: one in fifty admitted, the rest refused.
    const verdicts: string[] = [];
    for (let t = 0; t < 10_000 && !verdicts.includes('disconnect'); t++) verdicts.push(subject.admit('s1', null, 1, t));
    expect(verdicts).toContain('admit');
    expect(verdicts.at(-1)).toBe('disconnect');
    expect(verdicts.length).toBeLessThan(200);
  });

  it(`forgives refusals spread thinner than the disconnect threshold per ${STRIKE_WINDOW_MS / 1000} s`, () => {
    subject = limiter(1, 1, 3);
    const verdicts: string[] = [];
    // One refusal every 5 s: twelve in a minute, but never three within one window.
    for (let t = 0; t < 60_000; t += 5_000) verdicts.push(subject.admit('s1', null, 1, t), subject.admit('s1', null, 1, t));
    expect(verdicts).not.toContain('disconnect');
    expect(verdicts.filter((v) => v === 'refuse').length).toBe(12);
  });

  it('keeps each socket in its own bucket', () => {
    subject = limiter(1, 1, 10);
    expect(subject.admit('a', null, 1, 0)).toBe('admit');
    expect(subject.admit('a', null, 1, 0)).toBe('refuse');
    expect(subject.admit('b', null, 1, 0)).toBe('admit');
  });

  it(`limits a user's sockets together at ${ACCOUNT_FACTOR}× one socket's burst`, () => {
    subject = limiter(1, 2, 100);
    const sockets = ['a', 'b', 'c', 'd'];
    const admitted = sockets.flatMap((id) => [subject.admit(id, 7, 1, 0), subject.admit(id, 7, 1, 0)]).filter((v) => v === 'admit');
    expect(admitted).toHaveLength(2 * ACCOUNT_FACTOR);
    // Another user is not affected by user 7's flood.
    expect(subject.admit('e', 8, 1, 0)).toBe('admit');
  });

  it('does not charge a socket for an event its account refused', () => {
    subject = limiter(1, 1, 100);
    for (const id of ['a', 'b', 'c']) expect(subject.admit(id, 7, 1, 0)).toBe('admit');
    expect(subject.admit('d', 7, 1, 0)).toBe('refuse');
    // 'd' kept its own token: unverified traffic (no account) still gets through.
    expect(subject.admit('d', null, 1, 0)).toBe('admit');
  });

  it(`charges a read ${READ_EVENT_COST} tokens, so a burst holds fewer reads than small events`, () => {
    subject = limiter(1, 12, 100);
    const reads = Array.from({ length: 4 }, () => subject.admit('s1', 7, READ_EVENT_COST, 0));
    expect(reads.filter((v) => v === 'admit')).toHaveLength(Math.floor(12 / READ_EVENT_COST));
    // What is left of the burst still admits small events.
    expect(subject.admit('s1', 7, 1, 0)).toBe('admit');
  });

  it('forgets refilled account buckets on a sweep', () => {
    subject = limiter(10, 2, 100);
    subject.admit('a', 1, 1, 0);
    subject.admit('b', 2, 1, 0);
    subject.sweep(0);
    expect(subject.trackedAccounts).toBe(2);
    subject.sweep(60_000);
    expect(subject.trackedAccounts).toBe(0);
  });
});

describe('SocketRateLimiter refunds and retry hints', () => {
  const limiter = () =>
    new SocketRateLimiter(AppConfig.fromEnv({ PARLEY_RATE_LIMIT_PER_SECOND: '20', PARLEY_RATE_LIMIT_BURST: '60' }));

  it('gives a refunded read back to both the socket and the account', () => {
    const rl = limiter();
    // A socket's burst is 6 reads: refunding each leaves it able to read again at once.
    for (let i = 0; i < 20; i++) {
      expect(rl.admit('s1', 7, READ_EVENT_COST, 0)).toBe('admit');
      rl.refund('s1', 7, READ_EVENT_COST);
    }
    rl.onModuleDestroy();
  });

  it('tells a refused read how long until a read\'s worth of tokens is back', () => {
    const rl = limiter();
    for (let i = 0; i < 6; i++) expect(rl.admit('s1', 7, READ_EVENT_COST, 0)).toBe('admit');
    expect(rl.admit('s1', 7, READ_EVENT_COST, 0)).toBe('refuse');
    expect(rl.retryAfterMs('s1', 7, READ_EVENT_COST, 0)).toBe(500);
    expect(rl.retryAfterMs('unknown', null, 1, 0)).toBe(1);
    rl.onModuleDestroy();
  });
});
