import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ClusterModule } from '../cluster/cluster.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { UsersController } from './users.controller';
import { AccountController } from './account.controller';
import { UsersService } from './users.service';

/** Accounts as the admin manages them; UsersService tells the other nodes (NodeBus) when one changes. */
@Module({})
export class UsersModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(UsersModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), ClusterModule.forRoot(overrides), AuditModule.forRoot(overrides)],
      controllers: [UsersController, AccountController],
      providers: [UsersService],
      exports: [UsersService],
    }));
  }
}
