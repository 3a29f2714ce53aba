import { Injectable } from '@nestjs/common';
import { normalizeUsername } from '../auth/username';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { ErrorCodes } from '../contract/protocol';

const MINUTE_MS = 60_000;
const ACCOUNT_WINDOW_MS = 15 * MINUTE_MS;
/** How long a successful sign-in keeps its address exempt from the per-account limit. */
const KNOWN_ADDRESS_MS = 30 * 24 * 60 * MINUTE_MS;
/** Per user; a phone, a laptop and a few networks, with room to spare. */
const KNOWN_ADDRESSES_PER_USER = 16;

interface Window {
  count: number;
  endsAt: number;
}

/** One counted sign-in attempt, to report back once the password was checked. */
export interface LoginAttemptTicket {
  name: string;
  ip: string;
  /** Whether it was counted against the account (it came from an address not known for it). */
  countedOnAccount: boolean;
}

/**
 * Sign-in limits that a stranger cannot turn against the user they target (issue 10, finding 4):
 * - per (user name, address): the strict limit, PARLEY_LOGIN_LIMIT_PER_USER a minute;
 * - per user name, PARLEY_LOGIN_LIMIT_PER_ACCOUNT per 15 minutes, counting and refusing only
 *   addresses the user has never signed in from: guessing spread over many addresses slows
 *   down, while the user's own devices are never refused by it.
 * The per-address limit across names (PARLEY_LOGIN_LIMIT_PER_IP) stays with @nestjs/throttler.
 * Attempts are counted before the password is checked, so parallel guesses cannot race the
 * count; a success takes its attempt back. State is in memory, per node (see docs/security.md).
 */
@Injectable()
export class LoginThrottle {
  private readonly perAddress = new Map<string, Window>();
  private readonly perAccount = new Map<string, Window>();
  /** user name -> address -> when it last signed in successfully from there. */
  private readonly knownAddresses = new Map<string, Map<string, number>>();
  private nextSweep = 0;

  constructor(private readonly config: AppConfig) {}

  /** Counts an attempt, or throws RATE_LIMITED (429 with Retry-After) without counting it. */
  begin(username: string, ip: string, now = Date.now()): LoginAttemptTicket {
    this.sweep(now);
    const name = normalizeUsername(username);
    const limits = this.config.values;
    const addressKey = `${name}\n${ip}`;
    const countedOnAccount = !this.isKnown(name, ip, now);
    const address = current(this.perAddress, addressKey, now, MINUTE_MS);
    const account = countedOnAccount ? current(this.perAccount, name, now, ACCOUNT_WINDOW_MS) : null;
    const full = [
      address.count >= limits.PARLEY_LOGIN_LIMIT_PER_USER ? address : null,
      account && account.count >= limits.PARLEY_LOGIN_LIMIT_PER_ACCOUNT ? account : null,
    ].filter((window): window is Window => window !== null);
    if (full.length > 0) {
      const retryAfter = Math.max(1, Math.ceil((Math.max(...full.map((w) => w.endsAt)) - now) / 1000));
      throw new ParleyError(ErrorCodes.RateLimited, `Too many sign-in attempts; try again in ${retryAfter} s`, retryAfter * 1000);
    }
    address.count++;
    if (account) account.count++;
    return { name, ip, countedOnAccount };
  }

  /** The password was right: this address is now known for the user and its count starts over. */
  succeeded(ticket: LoginAttemptTicket, now = Date.now()): void {
    this.perAddress.delete(`${ticket.name}\n${ticket.ip}`);
    const account = this.perAccount.get(ticket.name);
    if (ticket.countedOnAccount && account && account.count > 0) account.count--;
    const known = this.knownAddresses.get(ticket.name) ?? new Map<string, number>();
    known.delete(ticket.ip);
    known.set(ticket.ip, now);
    // Maps keep insertion order: the first entry is the least recently used address.
    if (known.size > KNOWN_ADDRESSES_PER_USER) known.delete(known.keys().next().value!);
    this.knownAddresses.set(ticket.name, known);
  }

  private isKnown(name: string, ip: string, now: number): boolean {
    const at = this.knownAddresses.get(name)?.get(ip);
    return at !== undefined && now - at < KNOWN_ADDRESS_MS;
  }

  /** Drops ended windows once a minute, so names tried once do not accumulate. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + MINUTE_MS;
    for (const windows of [this.perAddress, this.perAccount]) {
      for (const [key, window] of windows) if (window.endsAt <= now) windows.delete(key);
    }
    for (const [name, known] of this.knownAddresses) {
      for (const [ip, at] of known) if (now - at >= KNOWN_ADDRESS_MS) known.delete(ip);
      if (known.size === 0) this.knownAddresses.delete(name);
    }
  }
}

/** The key's window, started afresh if there was none or it ended. */
function current(windows: Map<string, Window>, key: string, now: number, length: number): Window {
  let window = windows.get(key);
  if (!window || window.endsAt <= now) {
    window = { count: 0, endsAt: now + length };
    windows.set(key, window);
  }
  return window;
}
