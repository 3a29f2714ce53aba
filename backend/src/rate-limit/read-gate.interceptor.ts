import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { EMPTY, finalize, type Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { ErrorCodes } from '@parley/contract';
import { SocketBackpressure } from '../realtime/socket-backpressure.service';
import { socketState } from '../realtime/socket-state';
import { READ_RETRY_AFTER_MS, ReadGate } from './read-gate.service';
import { SocketRateLimiter } from './socket-rate-limiter.service';

/**
 * Put on the socket handlers that read pages (sync, history, conversations, directory, search): each
 * takes a slot from ReadGate for as long as it runs, or is refused with RATE_LIMITED (and all
 * but one of its rate-limit tokens given back); and a
 * socket whose unsent output leaves no room for one more page is disconnected instead.
 */
@Injectable()
export class ReadGateInterceptor implements NestInterceptor {
  constructor(
    private readonly gate: ReadGate,
    private readonly backpressure: SocketBackpressure,
    private readonly config: AppConfig,
    private readonly rateLimiter: SocketRateLimiter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const socket = context.switchToWs().getClient<Socket>();
    // As the per-event middleware found it; the registry is asked once per event, there.
    const userId = socketState(socket).connection?.user.id ?? null;
    const release = this.gate.enter(socket.id, userId);
    if (!release) {
      // The rate limiter charged this read before the gate saw it. A refused read costs what a
      // small event costs: not the full read, or a client retrying as told would drain its
      // bucket and end up cut off (several tabs of one user syncing at once do exactly that);
      // not nothing, or refused reads would be a free way to keep the server busy.
      this.rateLimiter.refund(socket.id, userId, this.gate.cost - 1);
      throw new ParleyError(ErrorCodes.RateLimited, 'Too many reads in progress; wait for an answer, then resend', READ_RETRY_AFTER_MS);
    }
    // A client that has not read its earlier answers gets no new page built for it: it is cut off.
    if (!this.backpressure.ensureRoom(socket, this.config.values.PARLEY_READ_PAGE_BYTES)) {
      release();
      return EMPTY;
    }
    return next.handle().pipe(finalize(release));
  }
}
