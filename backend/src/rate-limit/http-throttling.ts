import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Env } from '../config/env.schema';

const LOGIN_ATTEMPT = 'parley:login-attempt';
const MINUTE_MS = 60_000;

/** Marks a route whose requests are sign-in attempts, limited per IP here (per name: LoginThrottle). */
export const LoginAttempt = () => SetMetadata(LOGIN_ATTEMPT, true);

function isLoginAttempt(context: ExecutionContext): boolean {
  return Reflect.getMetadata(LOGIN_ATTEMPT, context.getHandler()) === true;
}

/**
 * Two fixed-window limits: every REST request per IP, and sign-in attempts per IP across user
 * names. The limits per user name live in LoginThrottle, which knows whether the password was
 * right. Refusals are 429 with Retry-After; HttpExceptionFilter gives them RATE_LIMITED.
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
    ],
  };
}

/** ThrottlerGuard for REST only: socket events have their own token buckets (SocketRateLimiter). */
@Injectable()
export class HttpThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  /** The library names its header per throttler (Retry-After-login-ip); clients read the standard one. */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const { res } = this.getRequestResponse(context);
    this.setResponseHeader(res, 'Retry-After', Math.max(1, detail.timeToBlockExpire));
    return super.throwThrottlingException(context, detail);
  }
}
