import { Body, Controller, Get, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ErrorCodes } from '@parley/contract';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { LoginAttempt } from '../rate-limit/http-throttling';
import { CsrfTokens } from '../security/csrf-tokens.service';
import { DeviceCookies } from '../security/device-cookies.service';
import { toPublicUser } from '../users/user.mapper';
import { AuthService, type AuthContext } from './auth.service';
import { type LoginDto, loginResponseSchema, loginSchema, meResponseSchema, sessionResponseSchema } from '@parley/contract/schemas';
import { Authenticated, CurrentAuth } from './session.guard';
import { SESSION_COOKIE, tokenFromHeaders } from './session-token';

@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly csrf: CsrfTokens,
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
  @ApiError(401, [ErrorCodes.InvalidCredentials], 'Wrong user name or password, or a disabled account (one answer for all)')
  @ApiError(429, [ErrorCodes.RateLimited], 'Too many sign-in attempts with this device cookie, or (without one) for this user name from this address, from addresses new to it, or from this address; see Retry-After')
  async login(
    @Body(new ZodValidationPipe(loginSchema)) body: LoginDto,
    @Res({ passthrough: true }) response: Response,
    @Ip() ip: string,
    @Req() request: Request,
  ) {
    const device = this.devices.deviceFor(request.headers, body.username);
    const { user, token, expiresAt } = await this.auth.login(body.username, body.password, clientIp(ip) ?? 'unknown', device);
    response.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      expires: new Date(expiresAt),
    });
    // The web app's next write must carry the new session's token, not the old one's.
    this.csrf.issue(response, token, new Date(expiresAt));
    this.devices.issue(response, this.devices.create(user.username));
    return { user: toPublicUser(user), token, expires_at: new Date(expiresAt).toISOString() };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Sign out', description: 'Revokes this session; its open sockets are closed.' })
  @ApiJsonResponse(204, 'Signed out')
  async logout(@CurrentAuth() auth: AuthContext, @Res({ passthrough: true }) response: Response) {
    if (auth.sessionId !== null) await this.auth.logout(auth.sessionId);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    this.csrf.clear(response);
  }

  /** Who is signed in, or `{user: null}`: for a page deciding where to go, not an error. */
  @Get('session')
  @ApiOperation({ summary: 'Who is signed in', description: 'Public; always 200, with `user: null` when not signed in.' })
  @ApiJsonResponse(200, 'The signed-in user, or null', sessionResponseSchema)
  async session(@Req() request: Request) {
    const token = tokenFromHeaders(request.headers);
    const auth = token ? await this.auth.authenticate(token) : null;
    return { user: auth ? toPublicUser(auth.user) : null };
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiJsonResponse(200, 'The signed-in user', meResponseSchema)
  me(@CurrentAuth() auth: AuthContext) {
    return { user: toPublicUser(auth.user) };
  }
}
