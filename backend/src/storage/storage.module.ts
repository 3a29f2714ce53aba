import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { AnnouncementRepository } from './announcement.repository';
import { AuditRepository } from './audit.repository';
import { BotRepository } from './bot.repository';
import { ChangeStream } from './change-stream';
import { ChannelRepository } from './channel.repository';
import { ConversationSettingsRepository } from './conversation-settings.repository';
import { DatabaseService, MIGRATE_ON_START } from './database.service';
import { FileRepository } from './file.repository';
import { IncomingWebhookRepository } from './incoming-webhook.repository';
import { MessageChangeRepository } from './message-change.repository';
import { MessageExportRepository } from './message-export.repository';
import { MessageRepository } from './message.repository';
import { ReadMarkRepository } from './read-mark.repository';
import { RetentionRepository } from './retention.repository';
import { ServerSecretRepository } from './server-secret.repository';
import { SessionRepository } from './session.repository';
import { StorageCompactor } from './storage-compactor';
import { SearchIndexBuilder } from './search-index-builder';
import { SearchRepository } from './search.repository';
import { UserRepository } from './user.repository';
import { WebhookRepository } from './webhook.repository';

/** The only module that touches the database. Everything else goes through its repositories. */
@Module({})
export class StorageModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    const repositories = [UserRepository, SessionRepository, MessageRepository, ReadMarkRepository, AuditRepository, ServerSecretRepository, ChannelRepository, ConversationSettingsRepository, AnnouncementRepository, ChangeStream, StorageCompactor, MessageChangeRepository, RetentionRepository, MessageExportRepository, SearchRepository, SearchIndexBuilder, FileRepository, WebhookRepository, BotRepository, IncomingWebhookRepository];
    return overridableModule(StorageModule, overrides, () => ({
      // MIGRATE_ON_START: the server migrates as it opens the database; CliModule overrides it.
      providers: [{ provide: MIGRATE_ON_START, useValue: true }, DatabaseService, ...repositories],
      // DatabaseService for the health check.
      exports: [DatabaseService, ...repositories],
    }));
  }
}
