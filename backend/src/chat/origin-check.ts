import type { IncomingMessage } from 'node:http';
import type { AllowedHosts } from '../security/allowed-hosts';

/**
 * Whether a socket.io request may proceed. Its Host must be one of Parley's names (a rebound
 * DNS name would otherwise make a foreign page "same-origin"). Browsers send Origin; a page
 * from another site must not ride on a user's session cookie, so only Parley's own origin and
 * the configured ones pass. Requests without Origin come from non-browser clients, which
 * carry their token explicitly.
 */
export function originAllowed(request: IncomingMessage, allowed: readonly string[], hosts: AllowedHosts): boolean {
  if (!hosts.allows(request.headers.host)) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return allowed.includes(origin) || hosts.isOwnOrigin(origin, request.headers.host);
}
