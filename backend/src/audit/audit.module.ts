import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** The audit log of admin actions: AuditService (global, for any controller) and its REST route. */
@Module({})
export class AuditModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(AuditModule, [AuditService], overrides, { controllers: [AuditController] });
  }
}
