import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnv } from './env.schema';

/**
 * The one global module: AppConfig (the validated settings) is read by nearly every provider,
 * from the repositories to the gateway, and depends on nothing of Parley's, so importing it into
 * each module would say nothing. Every other module declares what it imports.
 */
@Global()
@Module({})
export class ParleyConfigModule {
  /**
   * `overrides` win over the environment and `.env`; tests use them to start isolated servers.
   * The validated values are kept under one object key so that ConfigModule does not copy
   * defaults back into process.env (which would leak between servers in one process).
   */
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: ParleyConfigModule,
      imports: [
        ConfigModule.forRoot({
          validate: (raw) => ({ parley: validateEnv({ ...raw, ...overrides }) }),
        }),
      ],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
