import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { RealtimeModule } from '../realtime/realtime.module';
import { ClusterService } from './cluster.service';
import { NodeBus } from './node-bus.service';

/**
 * Several Parley processes as one service: the Redis adapter for socket.io (ClusterService,
 * which createParleyApp asks for) and NodeBus, the messages between nodes, sent over the
 * Broadcaster's socket.io server.
 */
@Module({})
export class ClusterModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(ClusterModule, overrides, () => ({
      imports: [RealtimeModule.forRoot(overrides)],
      providers: [ClusterService, NodeBus],
      exports: [NodeBus],
    }));
  }
}
