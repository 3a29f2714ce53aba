import type { IncomingMessage } from 'node:http';

/**
 * Whether a socket.io request may proceed. Browsers send Origin; a page from another site must
 * not ride on a user's session cookie, so only Parley's own origin and the configured ones pass.
 * Requests without Origin come from non-browser clients, which carry their token explicitly.
 */
export function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
