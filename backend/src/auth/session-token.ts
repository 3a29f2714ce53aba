import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseCookie } from 'cookie';

export const SESSION_COOKIE = 'parley_session';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The session token of a request or socket handshake: an explicit token (bearer header, or
 * socket.io's `auth.token`) wins over the browser's cookie.
 */
export function tokenFromHeaders(headers: IncomingHttpHeaders, explicit?: unknown): string | null {
  if (typeof explicit === 'string' && explicit.length > 0 && explicit.length <= 256) return explicit;
  const bearer = bearerToken(headers);
  if (bearer) return bearer;
  if (headers.cookie) {
    const token = parseCookie(headers.cookie)[SESSION_COOKIE];
    if (token && token.length <= 256) return token;
  }
  return null;
}

/** The `Authorization: Bearer` token, if the header holds one of a plausible length. */
export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (!authorization?.startsWith('Bearer ')) return null;
  const token = authorization.slice('Bearer '.length).trim();
  return token.length > 0 && token.length <= 256 ? token : null;
}
