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
    const literal = isIP(host);
    if (literal !== 0) {
      if (!this.allows(host, literal)) refuse(`${host} is not in PARLEY_WEBHOOK_ALLOWED_HOSTS.`);
      return { address: host, family: literal as 4 | 6 };
    }
    const addresses = await this.lookup(host).catch(() => refuse(`${host} does not resolve to an address.`));
    if (addresses.length === 0) refuse(`${host} does not resolve to an address.`);
    if (!this.names.has(host)) {
      const outside = addresses.find((entry) => !this.allows(entry.address, entry.family));
      if (outside) refuse(`${host} resolves to ${outside.address}, which is not in PARLEY_WEBHOOK_ALLOWED_HOSTS (nor is the name).`);
    }
    return addresses[0];
  }

  /** Every address of a name (the system resolver, /etc/hosts included); a seam for tests. */
  protected async lookup(host: string): Promise<PinnedAddress[]> {
    const found = await lookup(host, { all: true, verbatim: true });
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  }

  private allows(address: string, family: number): boolean {
    // 0.0.0.0 and :: mean "this machine" to connect(): never a receiver, whatever a range says.
    if (address === '0.0.0.0' || address === '::') return false;
    return this.ranges.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

function refuse(message: string): never {
  throw new ParleyError(ErrorCodes.WebhookAddressNotAllowed, message);
}
