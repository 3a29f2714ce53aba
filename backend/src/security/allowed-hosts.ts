import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@parley/contract';
import type { Env } from '../config/env.schema';

/**
 * The names Parley answers to, against DNS rebinding: a page on evil.example whose name is
 * re-pointed at Parley's address reaches Parley from the browser's own network with
 * `Host: evil.example`, and is same-origin with itself, so origin checks alone cannot tell.
 *
 * Allowed: `localhost` and `*.localhost` (browsers resolve these to loopback themselves), every
 * IP literal (an attacker cannot re-point an address, and this keeps NAT and container port
 * mappings working without configuration), this machine's host name (also as `<name>.local`,
 * mDNS), PARLEY_PUBLIC_URL's host and PARLEY_ALLOWED_HOSTS. `*` there turns the check off.
 */
export class AllowedHosts {
  private readonly names: ReadonlySet<string>;

  constructor(
    names: Iterable<string>,
    /** PARLEY_ALLOWED_HOSTS=*: no Host check. */
    readonly any = false,
    /** PARLEY_PUBLIC_URL's origin: a proxy may pass a Host without the public port. */
    private readonly publicOrigin: string | null = null,
  ) {
    this.names = new Set([...names].map(normalizeName));
  }

  static fromConfig(config: Pick<Env, 'PARLEY_ALLOWED_HOSTS' | 'PARLEY_PUBLIC_URL'>, machineName = hostname()): AllowedHosts {
    const machine = normalizeName(machineName);
    const short = machine.split('.')[0];
    const names = ['localhost', machine, short, `${short}.local`, ...config.PARLEY_ALLOWED_HOSTS];
    if (config.PARLEY_PUBLIC_URL) names.push(new URL(config.PARLEY_PUBLIC_URL).hostname);
    const publicOrigin = config.PARLEY_PUBLIC_URL ? new URL(config.PARLEY_PUBLIC_URL).origin : null;
    return new AllowedHosts(names.filter(Boolean), config.PARLEY_ALLOWED_HOSTS.includes('*'), publicOrigin);
  }

  /**
   * Whether a Host header (name or address, with or without port) is one of Parley's. A request
   * without Host (HTTP/1.0) passes: browsers always send one, so it cannot be a rebound page.
   */
  allows(host: string | undefined): boolean {
    if (host === undefined || this.any) return true;
    const name = hostnameOf(host);
    if (name === null) return false;
    if (isIP(name) !== 0) return true;
    return this.names.has(name) || name.endsWith('.localhost');
  }

  /**
   * Whether a browser's Origin is Parley's own page: the origin of the host the request was
   * sent to (when that host is Parley's), or PARLEY_PUBLIC_URL's.
   */
  isOwnOrigin(origin: string, host: string | undefined): boolean {
    if (origin === this.publicOrigin) return true;
    if (host === undefined || !this.allows(host)) return false;
    try {
      return new URL(origin).host === host.toLowerCase();
    } catch {
      return false;
    }
  }
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** `Name:8080` → `name`, `[::1]:8080` → `::1`; null if it is not a host at all. */
export function hostnameOf(host: string): string | null {
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(host);
  if (bracketed) return bracketed[1].toLowerCase();
  const plain = /^([^:\s/@[\]]+)(?::\d{1,5})?$/.exec(host);
  return plain ? normalizeName(plain[1]) : null;
}

/** The 421 answer for a request naming a host Parley is not, in Parley's JSON error shape. */
export function refuseHost(request: IncomingMessage, response: ServerResponse): void {
  const shown = JSON.stringify((request.headers.host ?? '').slice(0, 100));
  const body = JSON.stringify({
    statusCode: 421,
    code: ErrorCodes.HostNotAllowed,
    message: `This server does not answer to the host name ${shown}; if it should, add the name to PARLEY_ALLOWED_HOSTS (or set PARLEY_PUBLIC_URL)`,
  });
  response.writeHead(421, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(body);
}

/** Express/Node middleware refusing requests whose Host is not one of Parley's. */
export function hostCheck(allowed: AllowedHosts) {
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (allowed.allows(request.headers.host)) return next();
    refuseHost(request, response);
  };
}
