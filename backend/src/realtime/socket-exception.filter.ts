import { Catch, Injectable, Logger, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { type ErrorBody, ErrorCodes, type ServerEventMap, ServerEvents } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { ParleyMetrics } from '../metrics/parley-metrics.service';

const logger = new Logger('ChatGateway');

/** The one emit replyWithError makes, typed by the contract; any socket.io socket has it. */
interface ErrorReplySocket {
  emit(event: typeof ServerEvents.ParleyError, payload: ServerEventMap[typeof ServerEvents.ParleyError]): unknown;
}

/**
 * Answers a failed request: through its ack callback when the client passed one, otherwise
 * (prototype clients never do) as a `parley_error` event naming the request.
 */
export function replyWithError(socket: ErrorReplySocket, event: string, ack: unknown, error: ErrorBody): void {
  if (typeof ack === 'function') ack({ ok: false, error });
  else socket.emit(ServerEvents.ParleyError, { event, ...error });
}

/** Every socket handler's errors end here: a coded reply to the client, one log line here. */
@Catch()
@Injectable()
export class ChatExceptionFilter implements WsExceptionFilter {
  constructor(private readonly metrics: ParleyMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const args = host.getArgs<unknown[]>();
    const socket = args[0] as Socket;
    const event = String(host.switchToWs().getPattern());
    // Nest passes [socket, data, ack?, pattern]; the ack is the only function among them.
    const ack = args.slice(1, -1).find((arg) => typeof arg === 'function');
    let error: ErrorBody;
    if (exception instanceof ParleyError) {
      error = exception.toBody();
      const line = { msg: `${event} refused: ${error.code} ${error.message}`, socketId: socket.id, event, code: error.code };
      // A flooding client is refused hundreds of times a second: one warning each would flood
      // the log too. The metric counts them; the disconnect that may follow is a warning.
      if (error.code === ErrorCodes.RateLimited) logger.debug(line);
      else logger.warn(line);
    } else {
      error = { code: ErrorCodes.Internal, message: 'Internal error' };
      logger.error({ msg: `${event} failed`, socketId: socket.id, event, code: error.code, err: exception });
    }
    this.metrics.errorReplied('socket', error.code);
    replyWithError(socket, event, ack, error);
  }
}
