import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { LoginAttempt } from '../rate-limit/http-throttling';
import { toPublicUser } from '../users/user.mapper';
import { AuthService, type AuthContext } from './auth.service';
import { loginSchema, type LoginDto } from './dto/login.dto';
import { Authenticated, CurrentAuth } from './session.guard';
import { SESSION_COOKIE, tokenFromHeaders } from './session-token';

@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  /** Sets the httpOnly cookie for browsers and returns the token for other clients. */
  @Post('auth/login')
  @HttpCode(200)
  @LoginAttempt()
  async login(
    @Body(new ZodValidationPipe(loginSchema)) body: LoginDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { user, token, expiresAt } = await this.auth.login(body.username, body.password);
    response.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      expires: new Date(expiresAt),
    });
    return { user: toPublicUser(user), token, expires_at: new Date(expiresAt).toISOString() };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @Authenticated()
  async logout(@CurrentAuth() auth: AuthContext, @Res({ passthrough: true }) response: Response) {
    if (auth.sessionId !== null) await this.auth.logout(auth.sessionId);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** Who is signed in, or `{user: null}`: for a page deciding where to go, not an error. */
  @Get('session')
  async session(@Req() request: Request) {
    const token = tokenFromHeaders(request.headers);
    const auth = token ? await this.auth.authenticate(token) : null;
    return { user: auth ? toPublicUser(auth.user) : null };
  }

  @Get('me')
  @Authenticated()
  me(@CurrentAuth() auth: AuthContext) {
    return { user: toPublicUser(auth.user) };
  }
}
