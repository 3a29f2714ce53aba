import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { MetricsModule } from '../metrics/metrics.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RegistryModule } from '../registry/registry.module';
import { StorageModule } from '../storage/storage.module';
import { SearchController } from './search.controller';
import { SearchGateway } from './search.gateway';
import { SearchService } from './search.service';

/**
 * Full-text search over the socket and REST. Imports ChatModule for the visibility and the
 * conversation names sync and history use; storage (SearchRepository, the index and its
 * builder) is StorageModule's.
 */
@Module({})
export class SearchModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(SearchModule, overrides, () => ({
      // RateLimitModule, RegistryModule, RealtimeModule, MetricsModule: the gateway's read gate and exception filter.
      imports: [
        StorageModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        ChatModule.forRoot(overrides),
        RateLimitModule.forRoot(overrides),
        RegistryModule.forRoot(overrides),
        RealtimeModule.forRoot(overrides),
        MetricsModule.forRoot(overrides),
      ],
      controllers: [SearchController],
      providers: [SearchService],
      fixedProviders: [SearchGateway],
      exports: [SearchService],
    }));
  }
}
