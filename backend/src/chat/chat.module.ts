import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { ChatGateway } from './chat.gateway';
import { HistoryGateway } from './history.gateway';
import { MessageHistoryService } from './message-history.service';
import { MessageRoutingService } from './message-routing.service';
import { MessageWriter } from './message-writer.service';
import { PresenceGateway } from './presence.gateway';
import { PresenceService } from './presence.service';
import { RecipientResolver } from './recipient-resolver.service';
import { SendMessagePipe } from './send-message.pipe';
import { SessionEnforcer } from './session-enforcer.service';
import { SocketSessionMiddleware } from './socket-session.middleware';
import { VerificationService } from './verification.service';

@Module({})
export class ChatModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    const module = overridableModule(
      ChatModule,
      [
        MessageRoutingService,
        MessageWriter,
        MessageHistoryService,
        RecipientResolver,
        VerificationService,
        SessionEnforcer,
        SendMessagePipe,
        PresenceService,
      ],
      overrides,
    );
    return {
      ...module,
      providers: [...(module.providers ?? []), SocketSessionMiddleware, ChatGateway, HistoryGateway, PresenceGateway],
    };
  }
}
