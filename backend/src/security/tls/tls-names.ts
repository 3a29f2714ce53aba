import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Env } from '../../config/env.schema';
import type { TlsNames } from './local-ca';

/**
 * Every name and address people may type to reach this machine: its host name (and
 * `<name>.local`, which mDNS answers on most LANs), localhost, each interface's addresses
 * (IPv6 link-local ones need a zone, which certificates cannot name, so those are left out),
 * PARLEY_PUBLIC_URL's host and PARLEY_ALLOWED_HOSTS. The host name comes first: it is the
 * certificate's common name.
 */
export function tlsNames(
  config: Pick<Env, 'PARLEY_PUBLIC_URL' | 'PARLEY_ALLOWED_HOSTS'>,
  machine = hostname(),
  interfaces = networkInterfaces(),
): TlsNames {
  const name = machine.toLowerCase();
  const short = name.split('.')[0];
  const extra = [...config.PARLEY_ALLOWED_HOSTS.filter((host) => host !== '*'), ...(config.PARLEY_PUBLIC_URL ? [new URL(config.PARLEY_PUBLIC_URL).hostname.replace(/^\[|\]$/g, '')] : [])];
  const ips = ['127.0.0.1', '::1'];
  for (const addresses of Object.values(interfaces)) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv6' && address.address.toLowerCase().startsWith('fe80:')) continue;
      ips.push(address.address);
    }
  }
  const dns = [name, short, `${short}.local`, 'localhost'];
  for (const host of extra) (isIP(host) ? ips : dns).push(host);
  return { dns: [...new Set(dns.filter(Boolean))], ips: [...new Set(ips)] };
}
