import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, withOverrides } from '../common/provider-overrides';
import { LOG_OPTIONS, ParleyLogger, type LogOptions } from './parley-logger.service';

/**
 * The JSON logger (ParleyLogger); createParleyApp makes it Nest's logger and adds the request log.
 * Not global: no provider injects it, every class logs through Nest's static `Logger`, which
 * app.useLogger points here. Imported by AppModule alone, so it is not shared (and its options
 * differ from app to app).
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LogOptions = {}, overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return { module: LoggingModule, providers: withOverrides([ParleyLogger, { provide: LOG_OPTIONS, useValue: options }], overrides) };
  }
}
