import { normalizeUsername } from '@parley/contract';
import { randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Response } from 'express';
import { parse as parseCookie } from 'cookie';
import { AppConfig } from '../config/app-config';
import { ServerSecretRepository } from '../storage/server-secret.repository';
import { KeyedMac } from './keyed-mac';

export const DEVICE_COOKIE = 'parley_device';
/** A year: the cookie stands for "this browser signed in as this user before", which does not expire with a session. */
const DEVICE_COOKIE_MS = 365 * 24 * 3_600_000;
/** user name (32) + nonce (22) + MAC (43) + dots, with room to spare; longer values are not parsed at all. */
const MAX_COOKIE_LENGTH = 200;

/**
 * Device cookies (OWASP "Slow down online guessing attacks with device cookies", issue 10,
 * finding 4): `<user name>.<nonce>.<HMAC(key, user name + nonce)>`, set at each successful
 * sign-in. A sign-in carrying a valid one for the name it tries is counted in that device's own
 * bucket instead of the per-address and per-account ones, so a stranger sharing the user's
 * address (NAT, guest Wi-Fi, an untrusted proxy) cannot lock them out. The key is its own
 * server secret, not the CSRF key, and lives in the database so every node accepts every
 * node's cookies. Nothing is stored per cookie.
 */
@Injectable()
export class DeviceCookies implements OnApplicationBootstrap {
  private readonly mac = new KeyedMac('device-cookie-key');

  constructor(
    private readonly secrets: ServerSecretRepository,
    private readonly config: AppConfig,
  ) {}

  /** After the migrations (onModuleInit), before the server listens. */
  async onApplicationBootstrap(): Promise<void> {
    await this.mac.load(this.secrets);
  }

  /** A new cookie value for `username`. */
  create(username: string): string {
    const name = normalizeUsername(username);
    const nonce = randomBytes(16).toString('base64url');
    return `${name}.${nonce}.${this.mac.sign(deviceInput(name, nonce))}`;
  }

  /**
   * The device id (its nonce) if the request carries a device cookie this server issued for
   * `username`, else null: a forged cookie, or another user's, earns no exemption.
   */
  deviceFor(headers: IncomingHttpHeaders, username: string): string | null {
    const value = headers.cookie ? parseCookie(headers.cookie)[DEVICE_COOKIE] : undefined;
    if (!value || value.length > MAX_COOKIE_LENGTH) return null;
    // User names may contain dots; the nonce and the MAC (base64url) cannot.
    const macAt = value.lastIndexOf('.');
    const nonceAt = value.lastIndexOf('.', macAt - 1);
    if (nonceAt <= 0) return null;
    const name = value.slice(0, nonceAt);
    const nonce = value.slice(nonceAt + 1, macAt);
    if (name !== normalizeUsername(username) || nonce.length === 0) return null;
    return this.mac.verify(deviceInput(name, nonce), value.slice(macAt + 1)) ? nonce : null;
  }

  /** Sets the cookie: httpOnly (no script needs it), Strict, Secure when cookies are. */
  issue(response: Response, value: string): void {
    response.cookie(DEVICE_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/api/auth',
      expires: new Date(Date.now() + DEVICE_COOKIE_MS),
    });
  }
}

// The length prefix keeps ("ab", "c") and ("a", "bc") apart.
const deviceInput = (name: string, nonce: string) => `device:${name.length}:${name}${nonce}`;
