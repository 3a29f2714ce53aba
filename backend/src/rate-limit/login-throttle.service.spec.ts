import { AppConfig } from '../config/app-config';
import { LoginThrottle } from './login-throttle.service';

describe('LoginThrottle', () => {
  const throttle = () =>
    new LoginThrottle(AppConfig.fromEnv({ PARLEY_LOGIN_LIMIT_PER_USER: '3', PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '5' }));
  const fail = (t: LoginThrottle, name: string, ip: string, times: number, now = 0) => {
    for (let i = 0; i < times; i++) t.begin(name, ip, now);
  };

  it('limits one name from one address, the same for every spelling of the name', () => {
    const t = throttle();
    fail(t, 'admin', '10.0.0.9', 1);
    fail(t, 'ADMIN', '10.0.0.9', 1);
    fail(t, 'admin ', '10.0.0.9', 1);
    expect(() => t.begin('Admin', '10.0.0.9', 1_000)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 59_000 }),
    );
    expect(() => t.begin('admin', '10.0.0.9', 60_000)).not.toThrow();
  });

  it('never refuses an address the user signed in from because of failures elsewhere', () => {
    const t = throttle();
    t.succeeded(t.begin('admin', '10.0.0.1', 0), 0);
    fail(t, 'admin', '10.0.0.9', 3);
    fail(t, 'admin', '10.0.0.8', 2);
    // Five failures from new addresses: the account's limit for new addresses is reached.
    expect(() => t.begin('admin', '10.0.0.7', 0)).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect(() => t.begin('admin', '10.0.0.1', 0)).not.toThrow();
  });

  it('does not count a success against the limits', () => {
    const t = throttle();
    for (let i = 0; i < 10; i++) t.succeeded(t.begin('sam', '10.0.0.1', 0), 0);
    for (let i = 0; i < 10; i++) t.succeeded(t.begin('sam', `10.0.1.${i}`, 0), 0);
    expect(() => fail(t, 'sam', '10.0.0.99', 3)).not.toThrow();
  });

  it('forgets ended windows', () => {
    const t = throttle();
    fail(t, 'admin', '10.0.0.9', 3);
    expect(() => t.begin('admin', '10.0.0.9', 59_999)).toThrow();
    fail(t, 'admin', '10.0.0.9', 2, 60_000);
    expect(() => t.begin('admin', '10.0.0.10', 60_000)).toThrow(); // 5 per account in 15 minutes
    expect(() => t.begin('admin', '10.0.0.10', 15 * 60_000)).not.toThrow();
  });
});
