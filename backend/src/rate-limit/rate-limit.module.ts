import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { overridableModule } from '../common/provider-overrides';
import { AppConfig } from '../config/app-config';
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
 */
@Module({})
export class RateLimitModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    const module = overridableModule(
      RateLimitModule,
      [SocketRateLimiter, ReadGate, LoginThrottle, OpenSignupLimiter, UnverifiedSocketLimiter, BareConnectionLimiter],
      overrides,
      {
        imports: [
          ThrottlerModule.forRootAsync({
            inject: [AppConfig],
            useFactory: (config: AppConfig) => throttlerOptions(config.values),
          }),
        ],
      },
    );
    return { ...module, providers: [...(module.providers ?? []), { provide: APP_GUARD, useClass: HttpThrottlerGuard }] };
  }
}
