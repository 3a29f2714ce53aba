import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { publicOrigin } from '../../common/public-origin';
import type { Request, Response } from 'express';
import { ErrorCodes, SsoErrors } from '@parley/contract';
import { SessionCookies } from '../../auth/session-cookies.service';
import { ParleyError } from '../../common/parley-error';
import { AppConfig } from '../../config/app-config';
import { ApiError } from '../../openapi/api-docs';
import { OidcClient } from './oidc-client.service';
import { OidcSignIn } from './oidc-sign-in.service';
import { OIDC_ROUTES, PendingSignInCookie } from './pending-sign-in-cookie';
import { SsoFailure } from './sso-failure';

const SSO_ERROR_VALUES = Object.values(SsoErrors).join(', ');

/**
 * "Sign in with …" (docs/protocol.md, "Single sign-on"): two browser navigations, not API calls.
 * /start sends the browser to the provider; the provider sends it back to /callback, which
 * signs it in and sends it to its home page, or to /login?sso_error=<code> (the details go to
 * the server log, never to the browser).
 */
@Controller(OIDC_ROUTES)
export class OidcController {
  private readonly logger = new Logger('SingleSignOn');

  constructor(
    private readonly client: OidcClient,
    private readonly signIn: OidcSignIn,
    private readonly pending: PendingSignInCookie,
    private readonly cookies: SessionCookies,
    private readonly config: AppConfig,
  ) {}

  @Get('start')
  @ApiOperation({
    summary: 'Start single sign-on (OpenID Connect)',
    description: `Public; a browser navigation. Sets the short-lived \`parley_oidc\` cookie (state, nonce, PKCE verifier) and redirects to the provider's authorization endpoint with redirect_uri \`<origin>${OIDC_ROUTES}/callback\` (origin: PARLEY_PUBLIC_URL's, else this request's).`,
  })
  @ApiResponse({ status: 302, description: `To the provider; or to /login?sso_error=unavailable when the provider cannot be reached` })
  @ApiError(404, [ErrorCodes.NotFound], 'Single sign-on is not configured (PARLEY_OIDC_ISSUER unset)')
  async start(@Req() request: Request, @Res() response: Response): Promise<void> {
    this.requireEnabled();
    try {
      const { url, pending } = await this.client.authorizationUrl(`${this.origin(request)}${OIDC_ROUTES}/callback`);
      this.pending.set(response, pending);
      response.redirect(302, url.href);
    } catch (error) {
      this.refuse(response, error);
    }
  }

  @Get('callback')
  @ApiOperation({
    summary: 'Finish single sign-on (the redirect URI)',
    description: `Public; the provider sends the browser here with \`code\` and \`state\` (or \`error\`). Checks them against the \`parley_oidc\` cookie (always cleared), trades the code for tokens (PKCE), and on success sets the session cookies as POST /api/auth/login does.`,
  })
  @ApiResponse({ status: 302, description: `Signed in: to /<role>/<username>. Refused: to /login?sso_error=<code>, one of ${SSO_ERROR_VALUES}` })
  @ApiError(404, [ErrorCodes.NotFound], 'Single sign-on is not configured (PARLEY_OIDC_ISSUER unset)')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    this.requireEnabled();
    const pending = this.pending.take(request, response);
    try {
      const callbackUrl = new URL(`${this.origin(request)}${OIDC_ROUTES}/callback${new URL(request.originalUrl, 'http://parley').search}`);
      const signedIn = await this.signIn.finish(callbackUrl, pending);
      this.cookies.issue(response, signedIn);
      response.redirect(302, `/${signedIn.user.role}/${encodeURIComponent(signedIn.user.username)}`);
    } catch (error) {
      this.refuse(response, error);
    }
  }

  private requireEnabled(): void {
    if (!this.client.enabled) throw new ParleyError(ErrorCodes.NotFound, 'Single sign-on is not configured on this server');
  }

  /** The provider only accepts redirect URIs registered with it, so a forged Host gets nowhere. */
  private origin(request: Request): string {
    return publicOrigin(this.config.values.PARLEY_PUBLIC_URL, request);
  }

  /** Back to the sign-in page with the reason's code; the reason itself goes to the log. */
  private refuse(response: Response, error: unknown): void {
    let code: string = SsoErrors.Unavailable;
    if (error instanceof SsoFailure) {
      code = error.code;
      this.logger.warn(`Single sign-on refused (${error.code}): ${error.reason}`);
    } else {
      this.logger.error(`Single sign-on failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    response.redirect(302, `/login?sso_error=${code}`);
  }
}
