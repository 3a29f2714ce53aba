import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Env } from '../config/env.schema';
import { normalizeUsername } from '../auth/username';

const LOGIN_ATTEMPT = 'parley:login-attempt';
const MINUTE_MS = 60_000;

/** Marks a route whose requests are sign-in attempts, limited per user name and per IP. */
export const LoginAttempt = () => SetMetadata(LOGIN_ATTEMPT, true);

function isLoginAttempt(context: ExecutionContext): boolean {
  return Reflect.getMetadata(LOGIN_ATTEMPT, context.getHandler()) === true;
}

/**
 * Three fixed-window limits: every REST request per IP, and sign-in attempts per IP and per
 * claimed user name (so one address cannot guess one password fast, nor many addresses one
 * account). Refusals are 429 with Retry-After; HttpExceptionFilter gives them RATE_LIMITED.
 */
export function throttlerOptions(env: Env): ThrottlerModuleOptions {
  return {
    errorMessage: (context, detail) =>
      `${isLoginAttempt(context) ? 'Too many sign-in attempts' : 'Too many requests'}; try again in ${Math.max(1, detail.timeToBlockExpire)} s`,
    throttlers: [
      { name: 'http', ttl: MINUTE_MS, limit: env.PARLEY_HTTP_RATE_LIMIT_PER_MINUTE },
      {
        name: 'login-ip',
        ttl: MINUTE_MS,
        limit: env.PARLEY_LOGIN_LIMIT_PER_IP,
        skipIf: (context) => !isLoginAttempt(context),
      },
      {
        name: 'login-user',
        ttl: MINUTE_MS,
        limit: env.PARLEY_LOGIN_LIMIT_PER_USER,
        skipIf: (context) => !isLoginAttempt(context),
        // The body is parsed before guards run; a request without a usable name counts against
        // its IP instead (validation refuses it anyway).
        getTracker: (request: { body?: { username?: unknown }; ip?: string }) => {
          const name = request.body?.username;
          return typeof name === 'string' && name.length <= 256 ? `user:${normalizeUsername(name)}` : `ip:${request.ip}`;
        },
      },
    ],
  };
}

/** ThrottlerGuard for REST only: socket events have their own token buckets (SocketRateLimiter). */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  /** The library names its header per throttler (Retry-After-login-user); clients read the standard one. */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'Retry-After', Math.max(1, detail.timeToBlockExpire));
    return super.throwThrottlingException(context, detail);
  }
}
