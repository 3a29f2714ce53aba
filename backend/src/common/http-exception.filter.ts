import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { type ErrorCode, ErrorCodes } from '@parley/contract';
import type { ParleyMetrics } from '../metrics/parley-metrics.service';
import { ParleyError } from './parley-error';

const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  [HttpStatus.BAD_REQUEST]: ErrorCodes.InvalidPayload,
  [HttpStatus.UNAUTHORIZED]: ErrorCodes.Unauthenticated,
  [HttpStatus.FORBIDDEN]: ErrorCodes.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCodes.NotFound,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCodes.InvalidPayload,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCodes.RateLimited,
};

/** Every REST error leaves as `{statusCode, code, message}`; stacks stay in the server log. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  /** Counts each error reply by code, when metrics are collected. */
  constructor(private readonly metrics?: ParleyMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    let status: number;
    let code: ErrorCode;
    let message: string;
    if (exception instanceof ParleyError) {
      status = exception.httpStatus;
      code = exception.code;
      message = exception.message;
      if (exception.retryAfterMs !== undefined && !response.headersSent) {
        response.setHeader('Retry-After', String(Math.ceil(exception.retryAfterMs / 1000)));
      }
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = CODE_FOR_STATUS[status] ?? (status >= 500 ? ErrorCodes.Internal : ErrorCodes.InvalidPayload);
      message = status >= 500 ? 'Internal error' : exception.message;
    } else {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
      code = ErrorCodes.Internal;
      message = 'Internal error';
      this.logger.error({ msg: 'Request failed', err: exception });
    }
    if (response.headersSent) return;
    this.metrics?.errorReplied('http', code);
    response.status(status).json({ statusCode: status, code, message });
  }
}
