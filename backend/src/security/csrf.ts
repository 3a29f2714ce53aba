import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseCookie } from 'cookie';
import { ErrorCodes } from '../contract/protocol';
import { SESSION_COOKIE } from '../auth/session-token';

/** Angular's HttpClient reads this cookie and echoes it in the header below on every write. */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Double-submit CSRF protection for cookie-authenticated REST writes. A page on another site
 * can make the browser send Parley's session cookie, but cannot read Parley's XSRF-TOKEN cookie
 * to copy it into the header. Requests authenticated by a bearer token (scripts, other
 * clients) carry no ambient credential and are not checked; neither are requests without a
 * session cookie (sign-in itself).
 */
export function csrfProtection(options: { secureCookie: boolean }): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const cookies = request.headers.cookie ? parseCookie(request.headers.cookie) : {};
    let token = cookies[CSRF_COOKIE];
    if (!token) {
      token = randomBytes(24).toString('base64url');
      response.cookie(CSRF_COOKIE, token, { sameSite: 'strict', secure: options.secureCookie, path: '/', httpOnly: false });
    }
    // Every unsafe request, whatever its path: Express matches routes case-insensitively, so a
    // prefix check would let /API/… through. socket.io's own path (exact, as engine.io serves
    // it) has the origin check instead.
    if (SAFE_METHODS.has(request.method) || request.path.startsWith('/socket.io/')) return next();
    const usesCookie = cookies[SESSION_COOKIE] !== undefined && !request.headers.authorization?.startsWith('Bearer ');
    if (!usesCookie) return next();
    const header = request.headers[CSRF_HEADER];
    if (typeof header === 'string' && cookies[CSRF_COOKIE] !== undefined && sameToken(header, cookies[CSRF_COOKIE])) return next();
    response.status(403).json({
      statusCode: 403,
      code: ErrorCodes.CsrfRejected,
      message: `Missing or wrong ${CSRF_HEADER} header: send the ${CSRF_COOKIE} cookie's value with cookie-authenticated writes`,
    });
  };
}
