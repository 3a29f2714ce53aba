import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { SocketBackpressure } from '../realtime/socket-backpressure.service';
import { ReadGateInterceptor } from './read-gate.interceptor';
import { READ_EVENT_COST, ReadGate } from './read-gate.service';
import { SocketRateLimiter } from './socket-rate-limiter.service';

describe('ReadGateInterceptor', () => {
  it('gives a refused read back all but one token: retries stay affordable, a flood of them does not', () => {
    const config = AppConfig.fromEnv({ PARLEY_RATE_LIMIT_BURST: '60', PARLEY_RATE_LIMIT_PER_SECOND: '1', PARLEY_READS_IN_FLIGHT: '2' });
    const gate = new ReadGate(config);
    const limiter = new SocketRateLimiter(config);
    // An unverified socket (no connection in its state): no account bucket, only the socket's own.
    const interceptor = new ReadGateInterceptor(gate, new SocketBackpressure(config), config, limiter);
    const context = { switchToWs: () => ({ getClient: () => ({ id: 's1' }) }) } as unknown as ExecutionContext;
    const handler: CallHandler = { handle: () => of({ ok: true }) };
    // Two reads in progress hold the gate.
    gate.enter('s1', null);
    gate.enter('s1', null);

    let refused = 0;
    // As the gateway does: charge the read, then the interceptor refuses it.
    while (refused < 1000 && limiter.admit('s1', null, READ_EVENT_COST) === 'admit') {
      expect(() => interceptor.intercept(context, handler)).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
      refused++;
    }
    // 60 tokens at one a refusal: about fifty refused reads, then the bucket itself says no.
    expect(refused).toBeGreaterThan(40);
    expect(refused).toBeLessThanOrEqual(60);
  });
});
