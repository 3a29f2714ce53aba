import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';

/** GET /api/health: is the database answering. Nothing else uses it. */
@Module({})
export class HealthModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(HealthModule, overrides, () => ({
      // DatabaseHealthIndicator logs the reason for a failure itself, in one structured line.
      imports: [TerminusModule.forRoot({ logger: false }), StorageModule.forRoot(overrides)],
      controllers: [HealthController],
      providers: [DatabaseHealthIndicator],
    }));
  }
}
