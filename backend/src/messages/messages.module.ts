import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatModule } from '../chat/chat.module';
import { FilesModule } from '../files/files.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { MetricsModule } from '../metrics/metrics.module';
import { AuthModule } from '../auth/auth.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { StorageModule } from '../storage/storage.module';
import { EditMessagePipe } from './edit-message.pipe';
import { MessageChangesGateway } from './message-changes.gateway';
import { MessageChangesService } from './message-changes.service';
import { MessagesController } from './messages.controller';

/**
 * A stored message's later life: edit, delete (with the purge) and reactions; and messages over
 * REST (MessagesController: send and history through chat's own services). Imports ChatModule
 * for who may see a message (MessageAccess), mentions, rendering, routing and history; ChatModule
 * never imports this module. Replies are part of sending (MessageRoutingService).
 */
@Module({})
export class MessagesModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(MessagesModule, overrides, () => ({
      // MetricsModule for ChatExceptionFilter (error counts).
      // AuthModule for the REST routes' SessionGuard, RateLimitModule for their read slots.
      imports: [StorageModule.forRoot(overrides), ChatModule.forRoot(overrides), FilesModule.forRoot(overrides), RealtimeModule.forRoot(overrides), AuditModule.forRoot(overrides), MetricsModule.forRoot(overrides), AuthModule.forRoot(overrides), RateLimitModule.forRoot(overrides)],
      controllers: [MessagesController],
      providers: [MessageChangesService, EditMessagePipe],
      fixedProviders: [MessageChangesGateway],
      exports: [],
    }));
  }
}
