import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** The audit log of admin actions: AuditService, which the admin controllers write to, and its REST route. */
@Module({})
export class AuditModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(AuditModule, overrides, () => ({
      // AuthModule for the route's SessionGuard.
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides)],
      controllers: [AuditController],
      providers: [AuditService],
      exports: [AuditService],
    }));
  }
}
