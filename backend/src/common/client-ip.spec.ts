import { forwardedClientIp } from './client-ip';

describe('forwardedClientIp', () => {
  const trustLoopback = (address: string) => address === '127.0.0.1';

  it('is the connection address when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(forwardedClientIp('10.0.0.9', '1.2.3.4', () => false)).toBe('10.0.0.9');
  });

  it('steps back through trusted proxies only', () => {
    expect(forwardedClientIp('127.0.0.1', '10.0.0.5', trustLoopback)).toBe('10.0.0.5');
    // A client cannot choose its address by sending its own X-Forwarded-For through the proxy.
    expect(forwardedClientIp('127.0.0.1', '6.6.6.6, 10.0.0.5', trustLoopback)).toBe('10.0.0.5');
    expect(forwardedClientIp('127.0.0.1', ['6.6.6.6', '10.0.0.5'], trustLoopback)).toBe('10.0.0.5');
    expect(forwardedClientIp('127.0.0.1', undefined, trustLoopback)).toBe('127.0.0.1');
  });
});
