import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { LOG_OPTIONS, ParleyLogger, type LogOptions } from './parley-logger.service';

/** The JSON logger (ParleyLogger); createParleyApp makes it Nest's logger and adds the request log. */
@Module({})
export class LoggingModule {
  static forRoot(options: LogOptions = {}, overrides: Provider[] = []): DynamicModule {
    return overridableModule(LoggingModule, [ParleyLogger, { provide: LOG_OPTIONS, useValue: options }], overrides);
  }
}
