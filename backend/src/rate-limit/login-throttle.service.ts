import { Injectable } from '@nestjs/common';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { ErrorCodes, normalizeUsername } from '@parley/contract';

const MINUTE_MS = 60_000;
const ACCOUNT_WINDOW_MS = 15 * MINUTE_MS;
/** How long a successful sign-in keeps its address exempt from the per-account limit. */
const KNOWN_ADDRESS_MS = 30 * 24 * 60 * MINUTE_MS;
/** Per user; a phone, a laptop and a few networks, with room to spare. */
const KNOWN_ADDRESSES_PER_USER = 16;
/**
 * One address spends at most this fraction of an account's budget for new addresses (a tenth:
 * 10 of the default 100), so shutting the user out of every new address takes ten addresses.
 */
const ADDRESS_SHARE_OF_ACCOUNT = 1 / 10;

interface Window {
  count: number;
  endsAt: number;
}

/** One counted sign-in attempt, to report back once the password was checked. */
export interface LoginAttemptTicket {
  name: string;
  ip: string;
  /** The device cookie's id when the attempt carried a valid one for this name, else null. */
  device: string | null;
  /** Whether it was counted against the account (no device cookie, an address not known for it, within the address's share). */
  countedOnAccount: boolean;
}

/**
 * Sign-in limits that a stranger cannot turn against the user they target (issue 10, finding 4):
 * - with a valid device cookie for the name (see DeviceCookies): only the name's device bucket,
 *   PARLEY_LOGIN_LIMIT_PER_USER failures a minute for all its devices together, so a stolen or
 *   collected cookie cannot brute-force either, and PARLEY_LOGIN_LIMIT_PER_IP cookie sign-ins a
 *   minute per address (each costs a password hash); such an attempt is never refused because
 *   of a stranger's failures;
 * - without one, per (user name, address): PARLEY_LOGIN_LIMIT_PER_USER a minute;
 * - and per user name, PARLEY_LOGIN_LIMIT_PER_ACCOUNT per 15 minutes, counting and refusing only
 *   addresses the user has never signed in from. One address's share of that budget is capped
 *   at a tenth of it, so a single address cannot use it all up; past its share it is refused.
 * Known addresses stay alongside the cookie for clients that keep no cookies (scripts, bearer
 * clients). The per-address limit across names (PARLEY_LOGIN_LIMIT_PER_IP) stays with
 * @nestjs/throttler. Attempts are counted before the password is checked, so parallel guesses
 * cannot race the count; a success takes its attempt back. State is in memory, per node
 * (see docs/security.md).
 */
@Injectable()
export class LoginThrottle {
  private readonly perAddress = new Map<string, Window>();
  /** user name -> failures by holders of a valid device cookie for it, all devices together. */
  private readonly perDevice = new Map<string, Window>();
  /** address -> sign-ins with a device cookie from it, right or wrong (each costs a password hash). */
  private readonly deviceSignInsPerAddress = new Map<string, Window>();
  private readonly perAccount = new Map<string, Window>();
  /** (user name, address) -> attempts that address counted against the account this window. */
  private readonly accountShares = new Map<string, Window>();
  /** user name -> address -> when it last signed in successfully from there. */
  private readonly knownAddresses = new Map<string, Map<string, number>>();
  private nextSweep = 0;

  constructor(private readonly config: AppConfig) {}

  /**
   * Counts an attempt, or throws RATE_LIMITED (429 with Retry-After) without counting it.
   * `device` is the id of a device cookie already verified for this name (DeviceCookies.deviceFor).
   */
  begin(username: string, ip: string, device: string | null = null, now = Date.now()): LoginAttemptTicket {
    this.sweep(now);
    const name = normalizeUsername(username);
    const limits = this.config.values;
    if (device !== null) {
      // One bucket for every device of the name: collecting cookies (or holding an old cookie
      // for a name given to someone new) buys no extra guesses.
      const own = current(this.perDevice, name, now, MINUTE_MS);
      const fromAddress = current(this.deviceSignInsPerAddress, ip, now, MINUTE_MS);
      refuseIfFull(
        [
          own.count >= limits.PARLEY_LOGIN_LIMIT_PER_USER ? own : null,
          fromAddress.count >= limits.PARLEY_LOGIN_LIMIT_PER_IP ? fromAddress : null,
        ],
        now,
      );
      own.count++;
      fromAddress.count++;
      return { name, ip, device, countedOnAccount: false };
    }
    const addressKey = `${name}\n${ip}`;
    const address = current(this.perAddress, addressKey, now, MINUTE_MS);
    const newAddress = !this.isKnown(name, ip, now);
    const account = newAddress ? current(this.perAccount, name, now, ACCOUNT_WINDOW_MS) : null;
    const share = newAddress ? current(this.accountShares, addressKey, now, ACCOUNT_WINDOW_MS) : null;
    const maxShare = Math.max(1, Math.floor(limits.PARLEY_LOGIN_LIMIT_PER_ACCOUNT * ADDRESS_SHARE_OF_ACCOUNT));
    // An address that used its share waits for the share's window: neither spending the budget
    // the user's other new addresses need, nor guessing on at its per-minute rate for free.
    refuseIfFull(
      [
        address.count >= limits.PARLEY_LOGIN_LIMIT_PER_USER ? address : null,
        account && account.count >= limits.PARLEY_LOGIN_LIMIT_PER_ACCOUNT ? account : null,
        share && share.count >= maxShare ? share : null,
      ],
      now,
    );
    address.count++;
    if (!account || !share) return { name, ip, device: null, countedOnAccount: false };
    share.count++;
    account.count++;
    return { name, ip, device: null, countedOnAccount: true };
  }

  /** The password was right: this address is now known for the user and its counts start over. */
  succeeded(ticket: LoginAttemptTicket, now = Date.now()): void {
    const addressKey = `${ticket.name}\n${ticket.ip}`;
    // Takes back this attempt only: other devices' failures on the name still count.
    const deviceFailures = ticket.device !== null ? this.perDevice.get(ticket.name) : undefined;
    if (deviceFailures && deviceFailures.count > 0) deviceFailures.count--;
    this.perAddress.delete(addressKey);
    if (ticket.countedOnAccount) {
      for (const window of [this.perAccount.get(ticket.name), this.accountShares.get(addressKey)]) {
        if (window && window.count > 0) window.count--;
      }
    }
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
    for (const windows of [this.perAddress, this.perDevice, this.deviceSignInsPerAddress, this.perAccount, this.accountShares]) {
      for (const [key, window] of windows) if (window.endsAt <= now) windows.delete(key);
    }
    for (const [name, known] of this.knownAddresses) {
      for (const [ip, at] of known) if (now - at >= KNOWN_ADDRESS_MS) known.delete(ip);
      if (known.size === 0) this.knownAddresses.delete(name);
    }
  }
}

/** Throws RATE_LIMITED with the latest end among the full windows as Retry-After, if any is full. */
function refuseIfFull(windows: Array<Window | null>, now: number): void {
  const full = windows.filter((window): window is Window => window !== null);
  if (full.length === 0) return;
  const retryAfter = Math.max(1, Math.ceil((Math.max(...full.map((w) => w.endsAt)) - now) / 1000));
  throw new ParleyError(ErrorCodes.RateLimited, `Too many sign-in attempts; try again in ${retryAfter} s`, retryAfter * 1000);
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
