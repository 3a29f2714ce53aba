import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { Broadcaster } from './broadcaster.service';
import { SocketBackpressure } from './socket-backpressure.service';

/** Sending to sockets: the Broadcaster (rooms, once the gateway attached socket.io) and backpressure. */
@Module({})
export class RealtimeModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(RealtimeModule, overrides, () => ({
      providers: [Broadcaster, SocketBackpressure],
      exports: [Broadcaster, SocketBackpressure],
    }));
  }
}
