import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { MetricsModule } from '../metrics/metrics.module';
import { RetentionModule } from '../retention/retention.module';
import { StorageModule } from '../storage/storage.module';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookRegistry } from './webhook-registry.service';
import { WebhookSender } from './webhook-sender';
import { WebhooksController } from './webhooks.controller';

/**
 * Outgoing webhooks: the admin REST (WebhooksController, WebhookRegistry), the address policy,
 * and the dispatcher that queues and sends deliveries. Chat for MessageViews (the payload's
 * message is the wire message clients get); retention for ConversationNames (conversations
 * named as in retention and export); SQL in storage/WebhookRepository.
 */
@Module({})
export class WebhooksModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(WebhooksModule, overrides, () => ({
      imports: [
        StorageModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        AuditModule.forRoot(overrides),
        ChatModule.forRoot(overrides),
        RetentionModule.forRoot(overrides),
        MetricsModule.forRoot(overrides),
      ],
      controllers: [WebhooksController],
      providers: [WebhookAddressPolicy, WebhookSender, WebhookRegistry, WebhookDispatcher],
      exports: [WebhookDispatcher],
    }));
  }
}
