import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseCookie } from 'cookie';
import { ErrorCodes } from '@parley/contract';
import { bearerToken, SESSION_COOKIE } from '../auth/session-token';
import { CSRF_COOKIE, CSRF_HEADER, type CsrfTokens } from './csrf-tokens.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfOptions {
  tokens: CsrfTokens;
  /** Whether a bearer token names a live session (AuthService.authenticate). */
  authenticates(token: string): Promise<boolean>;
}

/**
 * Double-submit CSRF protection for cookie-authenticated REST writes. A page on another site
 * can make the browser send Parley's session cookie, but cannot read Parley's XSRF-TOKEN cookie
 * to copy it into the header; and the token is bound to the session (CsrfTokens), so one
 * planted from elsewhere does not fit. Requests without a session cookie carry no ambient
 * credential and are not checked (sign-in itself: security/cross-site.ts covers it). A
 * request carrying a bearer token is exempt only when that token is what authenticates it: a
 * bogus `Authorization` header must not switch the check off while the cookie does the work.
 */
export function csrfProtection(options: CsrfOptions): RequestHandler {
  const { tokens } = options;
  return (request: Request, response: Response, next: NextFunction) => {
    const cookies = request.headers.cookie ? parseCookie(request.headers.cookie) : {};
    const session = cookies[SESSION_COOKIE];
    // Keeps the readable cookie in step with the session, so the web app always has the right token.
    if (session && cookies[CSRF_COOKIE] !== tokens.forSession(session)) tokens.issue(response, session);
    // Every unsafe request, whatever its path: Express matches routes case-insensitively, so a
    // prefix check would let /API/… through.
    if (SAFE_METHODS.has(request.method) || !session) return next();
    const bearer = bearerToken(request.headers);
    // A failed lookup (database down) exempts nothing; the route's own guard then reports it.
    const bearerAuthenticates = bearer ? options.authenticates(bearer).catch(() => false) : Promise.resolve(false);
    void bearerAuthenticates.then((exempt) => {
      const header = request.headers[CSRF_HEADER];
      if (exempt || (typeof header === 'string' && tokens.matches(header, session))) return next();
      response.status(403).json({
        statusCode: 403,
        code: ErrorCodes.CsrfRejected,
        message: `Missing or wrong ${CSRF_HEADER} header: send the ${CSRF_COOKIE} cookie's value with cookie-authenticated writes`,
      });
    });
  };
}
