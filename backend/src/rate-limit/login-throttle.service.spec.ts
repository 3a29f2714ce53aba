import { AppConfig } from '../config/app-config';
import { LoginThrottle } from './login-throttle.service';

describe('LoginThrottle', () => {
  // 3 a minute per (name, address); 30 per 15 minutes per account, at most 3 of them (a tenth)
  // per address, as the defaults' 10 and 100; 5 device-cookie sign-ins a minute per address.
  const throttle = () =>
    new LoginThrottle(
      AppConfig.fromEnv({ PARLEY_LOGIN_LIMIT_PER_USER: '3', PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '30', PARLEY_LOGIN_LIMIT_PER_IP: '5' }),
    );
  const fail = (t: LoginThrottle, name: string, ip: string, times: number, now = 0, device: string | null = null) => {
    for (let i = 0; i < times; i++) t.begin(name, ip, device, now);
  };
  /** Three failures from each of `addresses` new addresses (ten use the account's budget up). */
  const fillAccount = (t: LoginThrottle, name: string, now = 0, addresses = 10) => {
    for (let i = 0; i < addresses; i++) fail(t, name, `10.6.6.${i}`, 3, now);
  };
  const limited = expect.objectContaining({ code: 'RATE_LIMITED' });

  it('holds a new address to its share of the account window, the same for every spelling of the name', () => {
    const t = throttle();
    fail(t, 'admin', '10.0.0.9', 1);
    fail(t, 'ADMIN', '10.0.0.9', 1);
    fail(t, 'admin ', '10.0.0.9', 1);
    expect(() => t.begin('Admin', '10.0.0.9', null, 1_000)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 899_000 }),
    );
    // Not merely for a minute: guessing on at the per-minute rate would be free.
    expect(() => t.begin('admin', '10.0.0.9', null, 60_000)).toThrow(limited);
    expect(() => t.begin('admin', '10.0.0.9', null, 900_000)).not.toThrow();
  });

  it('holds an address the user signed in from to the per-minute limit only', () => {
    const t = throttle();
    t.succeeded(t.begin('admin', '10.0.0.1', null, 0), 0);
    fail(t, 'admin', '10.0.0.1', 3);
    expect(() => t.begin('admin', '10.0.0.1', null, 1_000)).toThrow(expect.objectContaining({ retryAfterMs: 59_000 }));
    expect(() => t.begin('admin', '10.0.0.1', null, 60_000)).not.toThrow();
  });

  it('never refuses an address the user signed in from because of failures elsewhere', () => {
    const t = throttle();
    t.succeeded(t.begin('admin', '10.0.0.1', null, 0), 0);
    fillAccount(t, 'admin');
    expect(() => t.begin('admin', '10.0.0.7', null, 0)).toThrow(limited);
    expect(() => t.begin('admin', '10.0.0.1', null, 0)).not.toThrow();
  });

  it('does not count a success against the limits', () => {
    const t = throttle();
    for (let i = 0; i < 10; i++) t.succeeded(t.begin('sam', '10.0.0.1', null, 0), 0);
    for (let i = 0; i < 10; i++) t.succeeded(t.begin('sam', `10.0.1.${i}`, null, 0), 0);
    expect(() => fail(t, 'sam', '10.0.0.99', 3)).not.toThrow();
  });

  it('forgets ended windows', () => {
    const t = throttle();
    fail(t, 'admin', '10.0.0.9', 3);
    expect(() => t.begin('admin', '10.0.0.9', null, 59_999)).toThrow();
    fillAccount(t, 'admin', 60_000, 9); // with 10.0.0.9's three, 30
    expect(() => t.begin('admin', '10.0.0.10', null, 60_000)).toThrow(limited);
    expect(() => t.begin('admin', '10.0.0.10', null, 16 * 60_000)).not.toThrow();
  });

  it('refuses an attempt with a device cookie only when the name’s devices failed too often', () => {
    const t = throttle();
    // A stranger at the user's address used its share; others used the account's budget.
    fail(t, 'admin', '10.0.0.9', 3);
    fillAccount(t, 'admin', 0, 9);
    expect(() => t.begin('admin', '10.0.0.9', null, 0)).toThrow(limited);
    expect(() => t.begin('admin', '10.0.0.7', null, 0)).toThrow(limited);
    // The user's browsers, at that same address and at a new one, are not refused.
    expect(() => t.succeeded(t.begin('admin', '10.0.0.9', 'laptop', 0), 0)).not.toThrow();
    expect(() => t.begin('admin', '10.0.0.7', 'phone', 0)).not.toThrow();
  });

  it('counts device-cookie failures for all of a name’s devices together, so collecting cookies buys nothing', () => {
    const t = throttle();
    fail(t, 'admin', '10.0.0.1', 1, 0, 'stolen');
    fail(t, 'admin', '10.0.0.2', 1, 0, 'another');
    fail(t, 'admin', '10.0.0.3', 1, 0, 'a-third');
    expect(() => t.begin('admin', '10.0.0.4', 'a-fourth', 1_000)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 59_000 }),
    );
    // Its failures touched neither the address and account windows nor another name's devices.
    expect(() => fail(t, 'admin', '10.0.0.1', 3, 1_000)).not.toThrow();
    expect(() => t.begin('sam', '10.0.0.1', 'sams-laptop', 1_000)).not.toThrow();
    expect(() => t.begin('admin', '10.0.0.4', 'stolen', 60_000)).not.toThrow();
  });

  it('caps device-cookie sign-ins per address, right ones included (each costs a password hash)', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.succeeded(t.begin('admin', '10.0.0.1', 'laptop', 0), 0);
    expect(() => t.begin('admin', '10.0.0.1', 'laptop', 0)).toThrow(limited);
    expect(() => t.begin('admin', '10.0.0.2', 'phone', 0)).not.toThrow();
    expect(() => t.begin('admin', '10.0.0.1', 'laptop', 60_000)).not.toThrow();
  });

  it("caps one address's share of the account's budget, so using it up takes ten addresses", () => {
    const t = throttle();
    fail(t, 'admin', '10.6.6.6', 3);
    expect(() => t.begin('admin', '10.6.6.6', null, 2 * 60_000)).toThrow(limited);
    for (let i = 0; i < 8; i++) fail(t, 'admin', `10.0.0.${i}`, 3, 14 * 60_000);
    expect(() => fail(t, 'admin', '10.0.1.1', 2, 14 * 60_000)).not.toThrow();
    // 3 + 24 + 2 = 29; one more from a tenth address uses the budget up.
    t.begin('admin', '10.0.1.2', null, 14 * 60_000);
    expect(() => t.begin('admin', '10.0.1.3', null, 14 * 60_000)).toThrow(limited);
  });
});
