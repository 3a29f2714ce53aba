import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { RealtimeModule } from '../realtime/realtime.module';
import { ShutdownService } from './shutdown.service';

/**
 * The server's own life: a graceful shutdown before Nest closes the modules. It tells the sockets
 * (Broadcaster) and waits for the messages still being written (ChatModule's MessageWriter).
 */
@Module({})
export class LifecycleModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(LifecycleModule, overrides, () => ({
      imports: [RealtimeModule.forRoot(overrides), ChatModule.forRoot(overrides)],
      providers: [ShutdownService],
    }));
  }
}
