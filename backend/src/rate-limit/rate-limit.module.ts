import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { overridableModule } from '../common/provider-overrides';
import { AppConfig } from '../config/app-config';
import { HttpThrottlerGuard, throttlerOptions } from './http-throttling';
import { LoginThrottle } from './login-throttle.service';
import { SocketRateLimiter } from './socket-rate-limiter.service';

/** Rate limits: token buckets for socket events, @nestjs/throttler for REST, LoginThrottle for sign-in. */
@Module({})
export class RateLimitModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    const module = overridableModule(RateLimitModule, [SocketRateLimiter, LoginThrottle], overrides, {
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => throttlerOptions(config.values),
        }),
      ],
    });
    return { ...module, providers: [...(module.providers ?? []), { provide: APP_GUARD, useClass: HttpThrottlerGuard }] };
  }
}
