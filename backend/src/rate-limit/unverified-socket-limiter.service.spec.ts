import { AppConfig } from '../config/app-config';
import { UnverifiedSocketLimiter } from './unverified-socket-limiter.service';

describe('UnverifiedSocketLimiter', () => {
  let limiter: UnverifiedSocketLimiter;
  beforeEach(() => {
    jest.useFakeTimers();
    limiter = new UnverifiedSocketLimiter(
      AppConfig.fromEnv({ PARLEY_UNVERIFIED_SOCKETS_PER_IP: '2', PARLEY_VERIFY_TIMEOUT_MS: '1000' }),
    );
  });
  afterEach(() => {
    limiter.onModuleDestroy();
    jest.useRealTimers();
  });

  it('holds at most the maximum per address, and frees a slot on release', () => {
    const never = () => {};
    expect([limiter.admit('a', 'ip1', never), limiter.admit('b', 'ip1', never), limiter.admit('c', 'ip1', never)]).toEqual([true, true, false]);
    expect(limiter.admit('d', 'ip2', never)).toBe(true);
    expect(limiter.release('a')).toBe(true);
    expect(limiter.release('a')).toBe(false);
    expect(limiter.admit('c', 'ip1', never)).toBe(true);
    expect(limiter.heldBy('ip1')).toBe(2);
  });

  it('calls back at the deadline only for a socket still unverified, and frees its slot', () => {
    const late = jest.fn();
    const verified = jest.fn();
    limiter.admit('late', 'ip', late);
    limiter.admit('quick', 'ip', verified);
    limiter.release('quick');
    jest.advanceTimersByTime(1000);
    expect(late).toHaveBeenCalledTimes(1);
    expect(verified).not.toHaveBeenCalled();
    expect(limiter.heldBy('ip')).toBe(0);
  });
});
