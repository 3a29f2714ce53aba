import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { ParleyLogger } from './parley-logger.service';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id (a proxy's, say) is kept only if it is short and plain; anything else is replaced. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Probes poll every few seconds; their successes would bury everything else at the default level. */
const PROBE_PATH = /^\/(health(\/|$)|metrics$)/;

/** An incoming webhook's path carries its token (the credential itself): logged without it. Any case, as Express routes. */
const HOOK_TOKEN_PATH = /^(\/api\/hooks\/)[^/]+/i;

const pathOf = (url: string | undefined) => (url ?? '').split('?')[0].replace(HOOK_TOKEN_PATH, '$1…');

/**
 * One JSON line per HTTP request (method, path, status, time taken, request id), and the request
 * id on every other line logged while the request runs. Only the path is logged: no query, no
 * headers, no body, so no token, cookie or password can reach the log this way; and an incoming
 * webhook's path, whose last segment is its token, as `/api/hooks/…`.
 */
export function httpLogger(logger: ParleyLogger): (req: Request, res: Response, next: NextFunction) => void {
  const middleware = pinoHttp({
    logger: logger.pino,
    quietReqLogger: true,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const offered = req.headers[REQUEST_ID_HEADER];
      const id = typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({
        method: req.method,
        path: pathOf(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req, res, error) => {
      // A failing probe is worth a warning (the health check logs why); not one per poll as an error.
      if (PROBE_PATH.test(pathOf(req.url))) return res.statusCode >= 400 ? 'warn' : 'debug';
      if (error || res.statusCode >= 500) return 'error';
      return res.statusCode >= 400 ? 'warn' : 'info';
    },
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${res.statusCode}`,
    // For a 5xx pino-http invents an Error whose stack points into itself; the real one, if
    // any, is logged by HttpExceptionFilter on the same request id.
    customErrorObject: (_req, _res, _error, fields: Record<string, unknown>) => ({ ...fields, err: undefined }),
  });
  return (req, res, next) => {
    middleware(req, res);
    logger.runInRequest(String(req.id), next);
  };
}
