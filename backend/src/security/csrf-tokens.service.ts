import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Response } from 'express';
import { hashSessionToken } from '../auth/session-token';
import { AppConfig } from '../config/app-config';
import { ServerSecretRepository } from '../storage/server-secret.repository';
import { KeyedMac } from './keyed-mac';

/** Angular's HttpClient reads this cookie and echoes it in the header below on every write. */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';

/**
 * The double-submit token bound to a session: HMAC(server key, session token hash). A token
 * planted in a victim's browser (a sibling subdomain can set cookies) is worthless for any
 * other session, and no session state needs storing: any node recomputes it from the cookie.
 * The key lives in the database (see docs/architecture.md) so that every node agrees.
 */
@Injectable()
export class CsrfTokens implements OnApplicationBootstrap {
  private readonly mac = new KeyedMac('csrf-key');

  constructor(
    private readonly secrets: ServerSecretRepository,
    private readonly config: AppConfig,
  ) {}

  /** After the migrations (onModuleInit), before the server listens. */
  async onApplicationBootstrap(): Promise<void> {
    await this.mac.load(this.secrets);
  }

  /** The token for the session whose cookie holds `sessionToken`. */
  forSession(sessionToken: string): string {
    return this.mac.sign(csrfInput(sessionToken));
  }

  /** Whether `header` is the token of the session `sessionToken` (constant time). */
  matches(header: string | undefined, sessionToken: string): boolean {
    return header !== undefined && this.mac.verify(csrfInput(sessionToken), header);
  }

  /** Sets the readable XSRF-TOKEN cookie for a session (at sign-in, or when it does not match). */
  issue(response: Response, sessionToken: string, expires?: Date): void {
    response.cookie(CSRF_COOKIE, this.forSession(sessionToken), {
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      httpOnly: false,
      ...(expires ? { expires } : {}),
    });
  }

  clear(response: Response): void {
    response.clearCookie(CSRF_COOKIE, { path: '/' });
  }
}

const csrfInput = (sessionToken: string) => `csrf:${hashSessionToken(sessionToken)}`;
