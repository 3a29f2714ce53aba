import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { AppConfig } from '../config/app-config';
import { SecurityModule } from '../security/security.module';
import { BareConnectionLimiter } from './bare-connection-limiter.service';
import { HttpThrottlerGuard, throttlerOptions } from './http-throttling';
import { LoginThrottle } from './login-throttle.service';
import { OpenSignupLimiter } from './open-signup-limiter.service';
import { ReadGate } from './read-gate.service';
import { SocketRateLimiter } from './socket-rate-limiter.service';
import { UnverifiedSocketLimiter } from './unverified-socket-limiter.service';

/**
 * Rate limits: token buckets for socket events, a cap on reads in progress, @nestjs/throttler
 * for REST, LoginThrottle for sign-in, and the open-mode, unverified-socket and bare-connection limits.
 * The REST guard spares a sign-in with a valid device cookie, hence SecurityModule. ReadGateInterceptor
 * is no provider here: Nest builds it in the module of the gateway that uses it.
 */
@Module({})
export class RateLimitModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    const limiters = [SocketRateLimiter, ReadGate, LoginThrottle, OpenSignupLimiter, UnverifiedSocketLimiter, BareConnectionLimiter];
    return overridableModule(RateLimitModule, overrides, () => ({
      imports: [
        SecurityModule.forRoot(overrides),
        ThrottlerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => throttlerOptions(config.values),
        }),
      ],
      providers: limiters,
      fixedProviders: [{ provide: APP_GUARD, useClass: HttpThrottlerGuard }],
      // LoginThrottle for AuthService, the rest for the socket edge (ChatModule).
      exports: limiters,
    }));
  }
}
