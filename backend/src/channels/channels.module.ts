import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ChatModule } from '../chat/chat.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { PermissionsModule } from '../permissions/permissions.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { StorageModule } from '../storage/storage.module';
import { UsersModule } from '../users/users.module';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';

/**
 * Channels over REST. Imports ChatModule for ChannelAccess (the message path's cached view of
 * channels, which this module keeps current) and PresenceService (member lists); ChatModule
 * never imports this module.
 */
@Module({})
export class ChannelsModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(ChannelsModule, overrides, () => ({
      imports: [
        StorageModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        UsersModule.forRoot(overrides),
        ChatModule.forRoot(overrides),
        PermissionsModule.forRoot(overrides),
        RealtimeModule.forRoot(overrides),
        AuditModule.forRoot(overrides),
      ],
      controllers: [ChannelsController],
      providers: [ChannelsService],
      exports: [],
    }));
  }
}
