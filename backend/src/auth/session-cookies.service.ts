import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { CsrfTokens } from '../security/csrf-tokens.service';
import { DeviceCookies } from '../security/device-cookies.service';
import type { LoginResult } from './auth.service';
import { SESSION_COOKIE } from './session-token';

/** What a browser gets when it signs in, by password or by single sign-on. */
@Injectable()
export class SessionCookies {
  constructor(
    private readonly config: AppConfig,
    private readonly csrf: CsrfTokens,
    private readonly devices: DeviceCookies,
  ) {}

  /**
   * The httpOnly session cookie; the CSRF token the web app's next write must carry (the new
   * session's, not the old one's); and the device cookie that keeps this browser's sign-ins out
   * of the limits a stranger at the same address runs into (issue 10, finding 4).
   */
  issue(response: Response, { user, token, expiresAt }: LoginResult): void {
    response.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      expires: new Date(expiresAt),
    });
    this.csrf.issue(response, token, new Date(expiresAt));
    this.devices.issue(response, this.devices.create(user.username));
  }

  clear(response: Response): void {
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    this.csrf.clear(response);
  }
}
