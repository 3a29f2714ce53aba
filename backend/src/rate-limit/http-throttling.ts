import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import type { Env } from '../config/env.schema';
import { DeviceCookies } from '../security/device-cookies.service';

const LOGIN_ATTEMPT = 'parley:login-attempt';
const LOGIN_PER_IP = 'login-ip';
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
        name: LOGIN_PER_IP,
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
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly devices: DeviceCookies,
  ) {
    super(options, storage, reflector);
  }

  /**
   * A sign-in with a valid device cookie for the name it tries is neither counted nor refused by
   * the per-IP sign-in limit: otherwise a stranger at the user's address (NAT, guest Wi-Fi) could
   * still lock them out with 30 attempts a minute under any names (issue 10, finding 4).
   * LoginThrottle holds such attempts to the device's own limit. The per-IP limit on every REST
   * request still applies.
   */
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    if (request.throttler.name === LOGIN_PER_IP) {
      const req = request.context.switchToHttp().getRequest<Request>();
      const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
      if (typeof username === 'string' && username.length <= 64 && this.devices.deviceFor(req.headers, username)) return true;
    }
    return super.handleRequest(request);
  }
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
