import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { Broadcaster } from './broadcaster.service';
import { SocketBackpressure } from './socket-backpressure.service';

@Module({})
export class RealtimeModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(RealtimeModule, [Broadcaster, SocketBackpressure], overrides);
  }
}
