import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { FilesModule } from '../files/files.module';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { ConversationNames } from './conversation-names.service';
import { ExportController } from './export.controller';
import { MessageExportService } from './message-export.service';
import { RetentionJob } from './retention-job.service';
import { RetentionSettingsService } from './retention-settings.service';
import { RetentionController } from './retention.controller';

/** Retention (per-conversation overrides and the job that removes old messages) and the compliance export. */
@Module({})
export class RetentionModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(RetentionModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), AuditModule.forRoot(overrides), FilesModule.forRoot(overrides)],
      controllers: [RetentionController, ExportController],
      providers: [ConversationNames, RetentionSettingsService, RetentionJob, MessageExportService],
      // ConversationNames for webhooks (conversations named as in retention and export).
      exports: [RetentionJob, ConversationNames],
    }));
  }
}
