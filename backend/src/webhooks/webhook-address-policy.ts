import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '@parley/contract';
import { AppConfig } from '../config/app-config';
import { ParleyError } from '../common/parley-error';

/** An address a delivery may connect to: the one checked, so DNS cannot change it afterwards. */
export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Which addresses outgoing webhooks may reach (docs/security.md, "Outgoing webhooks"):
 * PARLEY_WEBHOOK_ALLOWED_HOSTS lists host names (the name is trusted, whatever it resolves
 * to), IP addresses and CIDR ranges (any name resolving only into them). Nothing else: an empty
 * list means no webhook at all, so Parley never becomes a way to reach the LAN's other
 * services, or its own. Checked when a webhook is saved and again before each attempt, on the
 * resolved address that the attempt then connects to (no second lookup to rebind).
 */
@Injectable()
export class WebhookAddressPolicy {
  private readonly names = new Set<string>();
  private readonly ranges = new BlockList();
  private readonly configured: boolean;

  constructor(config: AppConfig) {
    const entries = config.values.PARLEY_WEBHOOK_ALLOWED_HOSTS;
    this.configured = entries.length > 0;
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) this.names.add(entry);
      else if (prefix === undefined) this.ranges.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
      else this.ranges.addSubnet(address, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** A URL an admin saves: refused with WEBHOOK_ADDRESS_NOT_ALLOWED and a sentence saying why. */
  async check(url: string): Promise<void> {
    await this.resolve(new URL(url));
  }

  /** The address an attempt connects to; throws ParleyError (WEBHOOK_ADDRESS_NOT_ALLOWED) when it may not. */
  async resolve(url: URL): Promise<PinnedAddress> {
    if (!this.configured) {
      refuse('Outgoing webhooks are off: PARLEY_WEBHOOK_ALLOWED_HOSTS is empty. List the host names, addresses or ranges webhooks may reach there.');
    }
    if (url.username || url.password) refuse('A webhook URL may not carry a user name or password; the signature tells the receiver it is Parley.');
    // URL keeps an IPv6 literal in brackets.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (isIP(host) !== 0) {
      const literal = unmapped(host, isIP(host));
      if (!this.allows(literal)) refuse(`${host} is not in PARLEY_WEBHOOK_ALLOWED_HOSTS.`);
      return literal;
    }
    const found = await this.lookup(host).catch(() => refuse(`${host} does not resolve to an address.`));
    if (found.length === 0) refuse(`${host} does not resolve to an address.`);
    const addresses = found.map((entry) => unmapped(entry.address, entry.family));
    // Even a listed name: whatever its DNS says, connecting to "this machine" is never a delivery.
    const unspecified = addresses.find(isUnspecified);
    if (unspecified) refuse(`${host} resolves to ${unspecified.address}, which means this machine: never a webhook receiver.`);
    if (!this.names.has(host)) {
      const outside = addresses.find((entry) => !this.allows(entry));
      if (outside) refuse(`${host} resolves to ${outside.address}, which is not in PARLEY_WEBHOOK_ALLOWED_HOSTS (nor is the name).`);
    }
    return addresses[0];
  }

  /** Every address of a name (the system resolver, /etc/hosts included); a seam for tests. */
  protected async lookup(host: string): Promise<PinnedAddress[]> {
    const found = await lookup(host, { all: true, verbatim: true });
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  }

  /** `address` already unmapped (an IPv4-mapped IPv6 address is checked as the IPv4 one it reaches). */
  private allows(address: PinnedAddress): boolean {
    if (isUnspecified(address)) return false;
    return this.ranges.check(address.address, address.family === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * 0.0.0.0/8 and :: mean "this machine" to connect() (0.0.0.0 reaches 127.0.0.1): never a
 * receiver, whatever a range or a listed name says.
 */
function isUnspecified(address: PinnedAddress): boolean {
  if (address.family === 4) return address.address.split('.')[0] === '0';
  return ipv6Groups(address.address)?.every((group) => group === 0) ?? false;
}

/**
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, or as URL writes it `::ffff:x:y`) as the IPv4
 * address a connection to it reaches; any other address as it is. Every check looks at this.
 */
export function unmapped(address: string, family: number): PinnedAddress {
  if (family !== 6) return { address, family: 4 };
  const groups = ipv6Groups(address);
  if (groups && groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return { address: [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.'), family: 4 };
  }
  return { address, family: 6 };
}

/** A valid IPv6 address's eight 16-bit groups (a trailing dotted IPv4 part as two); null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '');
  if (isIP(text) !== 6) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const [left, right] = text.split('::');
  if (right === undefined) return parse(left);
  const [head, tail] = [parse(left), parse(right)];
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function refuse(message: string): never {
  throw new ParleyError(ErrorCodes.WebhookAddressNotAllowed, message);
}
