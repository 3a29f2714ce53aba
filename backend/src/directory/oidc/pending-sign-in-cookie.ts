import { Injectable } from '@nestjs/common';
import { parse as parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import { OIDC_PATH } from '@parley/contract';
import { AppConfig } from '../../config/app-config';
import type { PendingSignIn } from './oidc-client.service';

/** The two routes of single sign-on; the pending sign-in's cookie is sent to nothing else. */
export const OIDC_ROUTES = OIDC_PATH;
const COOKIE = 'parley_oidc';
/** Long enough to type a password and a one-time code at the provider; a sign-in older than this starts again. */
const PENDING_MS = 10 * 60_000;
/** randomState(), randomNonce() and randomPKCECodeVerifier() are 43 base64url characters. */
const PART = /^[\w-]{16,128}$/;

/**
 * Carries state, nonce and the PKCE verifier from /start to /callback in this browser, so any
 * node of a cluster can finish a sign-in another began and nothing is stored server-side.
 * httpOnly, and SameSite=Lax: the provider's redirect back is a top-level navigation from
 * another site, which Strict would strip. Unsigned on purpose: its values are random and only
 * compared with what the provider returns (and PKCE proves the code was asked for with this
 * verifier); a cookie planted from elsewhere would have to be one this server issued anyway.
 * A new /start replaces it, so of two sign-ins in two tabs only the later one completes.
 */
@Injectable()
export class PendingSignInCookie {
  constructor(private readonly config: AppConfig) {}

  set(response: Response, pending: PendingSignIn): void {
    response.cookie(COOKIE, [pending.state, pending.nonce, pending.verifier].join('.'), { ...this.options(), maxAge: PENDING_MS });
  }

  /** The pending sign-in this browser carries, if any; the cookie is cleared either way (one use). */
  take(request: Request, response: Response): PendingSignIn | null {
    response.clearCookie(COOKIE, this.options());
    const raw = request.headers.cookie ? parseCookie(request.headers.cookie)[COOKIE] : undefined;
    const parts = raw?.split('.') ?? [];
    if (parts.length !== 3 || !parts.every((part) => PART.test(part))) return null;
    const [state, nonce, verifier] = parts;
    return { state, nonce, verifier };
  }

  private options() {
    return { httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, path: OIDC_ROUTES } as const;
  }
}
