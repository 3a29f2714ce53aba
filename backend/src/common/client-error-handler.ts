import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCodes } from '@parley/contract';

/** Node's own answers for requests its HTTP parser rejects; anything else is a 400. */
const STATUS_FOR: Record<string, [status: number, reason: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request line or headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request took too long to arrive'],
};

/**
 * Requests Node's HTTP parser rejects (a URL or headers over its limit, malformed HTTP) never
 * reach Express, so Nest's exception filter cannot answer them; Node's default reply has no
 * body. This answers them like every other error, `{statusCode, code, message}` in JSON.
 */
export function answerUnparsableRequestsWithJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, message] = STATUS_FOR[error.code ?? ''] ?? [400, 'Bad Request', 'The request is not valid HTTP'];
    const body = JSON.stringify({ statusCode: status, code: ErrorCodes.InvalidPayload, message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
