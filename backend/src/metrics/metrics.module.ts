import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { RegistryModule } from '../registry/registry.module';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server.service';
import { ParleyMetrics } from './parley-metrics.service';

/** Prometheus metrics: counted by the send path, served at /api/metrics (signed in) and on PARLEY_METRICS_PORT. */
@Module({})
export class MetricsModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(MetricsModule, overrides, () => ({
      // The registry for the connection gauges; AuthModule for the route's SessionGuard.
      imports: [RegistryModule.forRoot(overrides), AuthModule.forRoot(overrides)],
      controllers: [MetricsController],
      providers: [ParleyMetrics, MetricsServer],
      exports: [ParleyMetrics],
    }));
  }
}
