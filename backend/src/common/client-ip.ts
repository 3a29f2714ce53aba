/** An address as people read it: IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d. */
export function clientIp(address: string | undefined): string | null {
  return address ? address.replace(/^::ffff:/, '') : null;
}

/** Express's compiled `trust proxy` setting (`app.get('trust proxy fn')`): is this hop a trusted proxy? */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The client's address behind any trusted proxies, as Express computes `req.ip` (proxy-addr):
 * from the connection's own address, step back through X-Forwarded-For while the current hop
 * is trusted. Sockets use it so that per-address limits see each client, not nginx, exactly as
 * the REST rate limits do under PARLEY_TRUST_PROXY.
 */
export function forwardedClientIp(remote: string, forwardedFor: string | string[] | undefined, trust: TrustProxy): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = [remote, ...header.split(',').map((hop) => hop.trim()).filter((hop) => hop.length > 0).reverse()];
  let hop = 0;
  while (hop < hops.length - 1 && trust(hops[hop], hop)) hop += 1;
  return hops[hop];
}

/** The `trust proxy` predicate Express compiled from PARLEY_TRUST_PROXY; trusts no one without an Express app. */
export function trustProxyOf(expressApp: unknown): TrustProxy {
  const trust = (expressApp as { get?(setting: string): unknown } | undefined)?.get?.('trust proxy fn');
  return typeof trust === 'function' ? (trust as TrustProxy) : () => false;
}

/** A socket.io handshake's client address, behind trusted proxies as for REST. */
export function handshakeClientIp(
  handshake: { address: string; headers: Record<string, string | string[] | undefined> },
  trust: TrustProxy,
): string {
  const remote = clientIp(handshake.address) ?? '';
  return clientIp(forwardedClientIp(remote, handshake.headers['x-forwarded-for'], trust)) ?? '';
}
