import type { IncomingMessage } from 'node:http';
import type { AllowedHosts } from '../security/allowed-hosts';

/**
 * Why a socket.io request may not proceed, or null if it may. Its Host must be one of Parley's
 * names (a rebound DNS name would otherwise make a foreign page "same-origin"). Browsers send
 * Origin; a page from another site must not ride on a user's session cookie, so only Parley's
 * own origin and the configured ones pass. Requests without Origin come from non-browser
 * clients, which carry their token explicitly. The reason is the refusal's body (engine.io
 * answers 403 with it to a polling client), so it names the setting that would admit it.
 */
export function handshakeRefusal(request: IncomingMessage, allowed: readonly string[], hosts: AllowedHosts): string | null {
  if (!hosts.allows(request.headers.host)) {
    return 'This server does not answer to that host name; if it should, add it to PARLEY_ALLOWED_HOSTS (or set PARLEY_PUBLIC_URL)';
  }
  const origin = request.headers.origin;
  if (origin === undefined || allowed.includes(origin) || hosts.isOwnOrigin(origin, request.headers.host)) return null;
  return 'Pages from this origin may not connect; if they should, add it to PARLEY_CORS_ORIGINS';
}
