import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { HooksController } from './hooks.controller';
import { IncomingWebhookLimiter } from './incoming-webhook-limiter';
import { IncomingWebhooksController } from './incoming-webhooks.controller';
import { IncomingWebhooksService } from './incoming-webhooks.service';

/**
 * Incoming webhooks: the admin REST and the public POST /api/hooks/<token>. ChatModule for
 * MessageRoutingService (a hook's post is the bot's send); SQL in storage/IncomingWebhookRepository.
 */
@Module({})
export class IncomingWebhooksModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(IncomingWebhooksModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), AuditModule.forRoot(overrides), ChatModule.forRoot(overrides)],
      controllers: [IncomingWebhooksController, HooksController],
      providers: [IncomingWebhooksService, IncomingWebhookLimiter],
      exports: [],
    }));
  }
}
