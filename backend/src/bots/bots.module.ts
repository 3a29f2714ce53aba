import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { UsersModule } from '../users/users.module';
import { BotsController } from './bots.controller';
import { BotsService } from './bots.service';

/** Bot accounts and their API tokens (admin REST). How a token signs a bot in is AuthService's. */
@Module({})
export class BotsModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(BotsModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), UsersModule.forRoot(overrides), AuditModule.forRoot(overrides)],
      controllers: [BotsController],
      providers: [BotsService],
      exports: [],
    }));
  }
}
