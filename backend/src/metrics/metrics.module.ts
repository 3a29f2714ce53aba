import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server.service';
import { ParleyMetrics } from './parley-metrics.service';

@Module({})
export class MetricsModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(MetricsModule, [ParleyMetrics, MetricsServer], overrides, {
      controllers: [MetricsController],
    });
  }
}
