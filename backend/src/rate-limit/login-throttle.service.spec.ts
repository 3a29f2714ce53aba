import { AppConfig } from '../config/app-config';
import { LoginThrottle } from './login-throttle.service';

describe('LoginThrottle', () => {
  // 3 a minute per (name, address); 10 per 15 minutes per account, at most 1 of them per address.
  const throttle = () =>
    new LoginThrottle(AppConfig.fromEnv({ PARLEY_LOGIN_LIMIT_PER_USER: '3', PARLEY_LOGIN_LIMIT_PER_ACCOUNT: '10' }));
  const fail = (t: LoginThrottle, name: string, ip: string, times: number, now = 0) => {
    for (let i = 0; i < times; i++) t.begin(name, ip, null, now);
  };
  /** One failure from each of `addresses` new addresses (ten use the account's budget up). */
  const fillAccount = (t: LoginThrottle, name: string, now = 0, addresses = 10) => {
    for (let i = 0; i < addresses; i++) fail(t, name, `10.6.6.${i}`, 1, now);
  };
  const limited = expect.objectContaining({ code: 'RATE_LIMITED' });

  it('limits one name from one address, the same for every spelling of the name', () => {
    const t = throttle();
    fail(t, 'admin', '10.0.0.9', 1);
    fail(t, 'ADMIN', '10.0.0.9', 1);
    fail(t, 'admin ', '10.0.0.9', 1);
    expect(() => t.begin('Admin', '10.0.0.9', null, 1_000)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 59_000 }),
    );
    expect(() => t.begin('admin', '10.0.0.9', null, 60_000)).not.toThrow();
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
    fillAccount(t, 'admin', 60_000, 9); // with 10.0.0.9's one, 10
    expect(() => t.begin('admin', '10.0.0.10', null, 60_000)).toThrow(limited); // 10 per account in 15 minutes
    expect(() => t.begin('admin', '10.0.0.10', null, 16 * 60_000)).not.toThrow();
  });

  it('counts an attempt with a device cookie only against that device', () => {
    const t = throttle();
    // A stranger at the user's address fills the (name, address) window; others fill the account's.
    fail(t, 'admin', '10.0.0.9', 3);
    fillAccount(t, 'admin', 0, 9);
    expect(() => t.begin('admin', '10.0.0.9', null, 0)).toThrow(limited);
    expect(() => t.begin('admin', '10.0.0.7', null, 0)).toThrow(limited);
    // The user's browsers, at that same address and at a new one, are not refused.
    expect(() => t.succeeded(t.begin('admin', '10.0.0.9', 'laptop', 0), 0)).not.toThrow();
    expect(() => t.begin('admin', '10.0.0.7', 'phone', 0)).not.toThrow();
  });

  it("limits a device cookie's own failures, per device", () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) t.begin('admin', `10.0.0.${i}`, 'stolen', 0);
    expect(() => t.begin('admin', '10.0.0.50', 'stolen', 1_000)).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 59_000 }),
    );
    // Its failures touched neither the address and account windows nor another device's.
    expect(() => t.begin('admin', '10.0.0.1', 'laptop', 1_000)).not.toThrow();
    expect(() => fail(t, 'admin', '10.0.0.1', 3, 1_000)).not.toThrow();
    expect(() => t.begin('admin', '10.0.0.50', 'stolen', 60_000)).not.toThrow();
  });

  it("caps one address's share of the account's budget", () => {
    const t = throttle();
    // 3 a minute from one address for fifteen minutes: 45 failures, 1 of them on the account.
    for (let minute = 0; minute < 15; minute++) fail(t, 'admin', '10.6.6.6', 3, minute * 60_000);
    for (let i = 0; i < 8; i++) fail(t, 'admin', `10.0.0.${i}`, 1, 14 * 60_000);
    expect(() => t.begin('admin', '10.0.1.1', null, 14 * 60_000)).not.toThrow();
    // 1 + 8 + 1 = 10: now the budget is used up, by ten addresses.
    expect(() => t.begin('admin', '10.0.1.2', null, 14 * 60_000)).toThrow(limited);
  });
});
