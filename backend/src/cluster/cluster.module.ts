import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { ClusterService } from './cluster.service';
import { NodeBus } from './node-bus.service';

/** Several Parley processes as one service: the Redis adapter for socket.io. */
@Module({})
export class ClusterModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(ClusterModule, [ClusterService, NodeBus], overrides);
  }
}
