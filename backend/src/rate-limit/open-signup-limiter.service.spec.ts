import { AppConfig } from '../config/app-config';
import { OpenSignupLimiter } from './open-signup-limiter.service';

describe('OpenSignupLimiter', () => {
  let limiter: OpenSignupLimiter;
  beforeEach(() => {
    limiter = new OpenSignupLimiter(AppConfig.fromEnv({ PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE: '3' }));
  });
  afterEach(() => limiter.onModuleDestroy());

  it('admits the per-minute allowance at once, then refuses with RATE_LIMITED and when to retry', () => {
    for (let i = 0; i < 3; i++) limiter.admitNewAccount('10.0.0.1', 0);
    expect(() => limiter.admitNewAccount('10.0.0.1', 0)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', message: expect.stringContaining('try again in 20 s'), retryAfterMs: 20_000 }),
    );
  });

  it('counts each address on its own and refills over the minute', () => {
    for (let i = 0; i < 3; i++) limiter.admitNewAccount('10.0.0.1', 0);
    expect(() => limiter.admitNewAccount('10.0.0.2', 0)).not.toThrow();
    // 3 per minute: one more every 20 s.
    expect(() => limiter.admitNewAccount('10.0.0.1', 19_000)).toThrow();
    expect(() => limiter.admitNewAccount('10.0.0.1', 20_000)).not.toThrow();
  });
});
