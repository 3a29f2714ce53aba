import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { overridableModule } from '../common/provider-overrides';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';

@Module({})
export class HealthModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(HealthModule, [DatabaseHealthIndicator], overrides, {
      // DatabaseHealthIndicator logs the reason for a failure itself, in one structured line.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
    });
  }
}
