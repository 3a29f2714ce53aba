import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClusterModule } from '../cluster/cluster.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { HooksModule } from '../extensions/hooks.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PermissionsModule } from '../permissions/permissions.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RegistryModule } from '../registry/registry.module';
import { RosterModule } from '../roster/roster.module';
import { StorageModule } from '../storage/storage.module';
import { UsersModule } from '../users/users.module';
import { ChannelAccess } from './channel-access.service';
import { ChatGateway } from './chat.gateway';
import { HistoryGateway } from './history.gateway';
import { MentionsService } from './mentions.service';
import { MessageAccess } from './message-access.service';
import { MessageAttachments } from './message-attachments.service';
import { MessageHistoryService } from './message-history.service';
import { MessageRoutingService } from './message-routing.service';
import { MessageViews } from './message-views.service';
import { MessageWriter } from './message-writer.service';
import { PresenceGateway } from './presence.gateway';
import { PresenceService } from './presence.service';
import { ReadReceipts } from './read-receipts.service';
import { RecipientResolver } from './recipient-resolver.service';
import { SendMessagePipe } from './send-message.pipe';
import { SessionEnforcer } from './session-enforcer.service';
import { SocketSessionMiddleware } from './socket-session.middleware';
import { VerificationService } from './verification.service';

/**
 * The socket edge and the message path: the gateways (connect/verify/send, history and read
 * marks, presence and typing), the handshake middleware, verification, routing, writing and history.
 * It uses most of the server; nothing but LifecycleModule (MessageWriter, to drain on shutdown)
 * uses it. The gateway's ReadGateInterceptor and ChatExceptionFilter are built here too, from
 * these imports (RateLimitModule, RegistryModule, RealtimeModule, MetricsModule).
 */
@Module({})
export class ChatModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(ChatModule, overrides, () => ({
      imports: [
        StorageModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        UsersModule.forRoot(overrides),
        RegistryModule.forRoot(overrides),
        RosterModule.forRoot(overrides),
        RealtimeModule.forRoot(overrides),
        PermissionsModule.forRoot(overrides),
        RateLimitModule.forRoot(overrides),
        MetricsModule.forRoot(overrides),
        // NodeBus: ChannelAccess keeps its cache in step across nodes.
        ClusterModule.forRoot(overrides),
        // The message hooks MessageRoutingService runs.
        HooksModule.forRoot(overrides),
      ],
      providers: [
        MessageRoutingService,
        MessageWriter,
        MessageHistoryService,
        RecipientResolver,
        VerificationService,
        SessionEnforcer,
        SendMessagePipe,
        PresenceService,
        SocketSessionMiddleware,
        ChannelAccess,
        MentionsService,
        MessageViews,
        MessageAccess,
        MessageAttachments,
        ReadReceipts,
      ],
      fixedProviders: [ChatGateway, HistoryGateway, PresenceGateway],
      // ChannelAccess and PresenceService for the channels module (membership, member presence).
      // MessageAccess, MentionsService and MessageViews for the message changes module (edit, delete, react).
      // MessageHistoryService and RecipientResolver for search (the same visibility and conversation names).
      // MessageRoutingService for the extensions' MessageSender and POST /api/messages (MessagesModule):
      // both take the socket's path.
      exports: [MessageRoutingService, MessageWriter, ChannelAccess, PresenceService, MessageViews, MessageAccess, MentionsService, MessageHistoryService, RecipientResolver],
    }));
  }
}
