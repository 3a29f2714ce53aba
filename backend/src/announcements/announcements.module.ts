import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { RealtimeModule } from '../realtime/realtime.module';
import { StorageModule } from '../storage/storage.module';
import { AnnouncementsAdminController, AnnouncementsController } from './announcements.controller';
import { AnnouncementsService } from './announcements.service';

/**
 * Announcements: REST to post, list and acknowledge, events to the addressed roles' rooms. The
 * chat module's sync reads pending ones straight from AnnouncementRepository, so neither module
 * imports the other.
 */
@Module({})
export class AnnouncementsModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(AnnouncementsModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), AuditModule.forRoot(overrides), RealtimeModule.forRoot(overrides)],
      controllers: [AnnouncementsController, AnnouncementsAdminController],
      providers: [AnnouncementsService],
      exports: [AnnouncementsService],
    }));
  }
}
