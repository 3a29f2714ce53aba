import { Body, Controller, Get, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ErrorCodes, OIDC_PATH, type SignInMethods } from '@parley/contract';
import { AppConfig } from '../config/app-config';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { LoginAttempt } from '../rate-limit/http-throttling';
import { DeviceCookies } from '../security/device-cookies.service';
import { toPublicUser } from '../users/user.mapper';
import { AuthService, type AuthContext } from './auth.service';
import { type LoginDto, loginResponseSchema, loginSchema, meResponseSchema, sessionResponseSchema, signInMethodsSchema } from '@parley/contract/schemas';
import { Authenticated, CurrentAuth } from './session.guard';
import { tokenFromHeaders } from './session-token';
import { SessionCookies } from './session-cookies.service';

@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly cookies: SessionCookies,
    private readonly devices: DeviceCookies,
  ) {}

  /**
   * Sets the httpOnly session cookie for browsers and returns the token for other clients; a
   * success also sets the device cookie that keeps this browser's sign-ins out of the limits a
   * stranger at the same address runs into (issue 10, finding 4).
   */
  @Post('auth/login')
  @HttpCode(200)
  @LoginAttempt()
  @ApiOperation({ summary: 'Sign in', description: 'Public. Returns a session token and sets the httpOnly `parley_session` cookie and the `parley_device` cookie; a valid `parley_device` cookie for the name counts the attempt only against that device.' })
  @ApiJsonBody(loginSchema)
  @ApiJsonResponse(200, 'Signed in', loginResponseSchema)
  @ApiError(401, [ErrorCodes.InvalidCredentials], 'Wrong user name or password, a disabled account, or a directory person in no mapped group (one answer for all)')
  @ApiError(503, [ErrorCodes.DirectoryUnavailable], 'The company directory (LDAP) cannot be reached; local accounts still sign in')
  @ApiError(429, [ErrorCodes.RateLimited], 'Too many sign-in attempts with this device cookie, or (without one) for this user name from this address, from addresses new to it, or from this address; see Retry-After')
  async login(
    @Body(new ZodValidationPipe(loginSchema)) body: LoginDto,
    @Res({ passthrough: true }) response: Response,
    @Ip() ip: string,
    @Req() request: Request,
  ) {
    const device = this.devices.deviceFor(request.headers, body.username);
    const signedIn = await this.auth.login(body.username, body.password, clientIp(ip) ?? 'unknown', device);
    this.cookies.issue(response, signedIn);
    return { user: toPublicUser(signedIn.user), token: signedIn.token, expires_at: new Date(signedIn.expiresAt).toISOString() };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Sign out', description: 'Revokes this session; its open sockets are closed.' })
  @ApiJsonResponse(204, 'Signed out')
  async logout(@CurrentAuth() auth: AuthContext, @Res({ passthrough: true }) response: Response) {
    if (auth.sessionId !== null) await this.auth.logout(auth.sessionId);
    this.cookies.clear(response);
  }

  /** What the sign-in page offers: always passwords; directory passwords; single sign-on. */
  @Get('auth/methods')
  @ApiOperation({ summary: 'How one may sign in', description: 'Public. `sso` is set when single sign-on (OpenID Connect) is configured: send the browser to `start_url`.' })
  @ApiJsonResponse(200, 'The sign-in methods', signInMethodsSchema)
  methods(): SignInMethods {
    const values = this.config.values;
    return {
      password: true,
      directory: values.PARLEY_LDAP_URL !== undefined,
      sso: values.PARLEY_OIDC_ISSUER !== undefined ? { name: values.PARLEY_OIDC_NAME, start_url: `${OIDC_PATH}/start` } : null,
    };
  }

  /** Who is signed in, or `{user: null}`: for a page deciding where to go, not an error. */
  @Get('session')
  @ApiOperation({ summary: 'Who is signed in', description: 'Public; always 200, with `user: null` when not signed in.' })
  @ApiJsonResponse(200, 'The signed-in user, or null', sessionResponseSchema)
  async session(@Req() request: Request) {
    const token = tokenFromHeaders(request.headers);
    const auth = token ? await this.auth.authenticate(token) : null;
    return { user: auth ? toPublicUser(auth.user) : null, expires_at: auth?.expiresAt ? new Date(auth.expiresAt).toISOString() : null };
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiJsonResponse(200, 'The signed-in user', meResponseSchema)
  me(@CurrentAuth() auth: AuthContext) {
    return { user: toPublicUser(auth.user), source: auth.user.source };
  }
}
