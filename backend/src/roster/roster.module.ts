import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ClusterModule } from '../cluster/cluster.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { MetricsModule } from '../metrics/metrics.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RegistryModule } from '../registry/registry.module';
import { RosterController } from './roster.controller';
import { RosterGateway } from './roster.gateway';
import { RosterService } from './roster.service';

/** Who is online, pushed to admins (across nodes through NodeBus), and the admin's disconnect route. */
@Module({})
export class RosterModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(RosterModule, overrides, () => ({
      imports: [
        RegistryModule.forRoot(overrides),
        RealtimeModule.forRoot(overrides),
        ClusterModule.forRoot(overrides),
        // The controller's audit entries and its SessionGuard.
        AuditModule.forRoot(overrides),
        AuthModule.forRoot(overrides),
        // RosterGateway's ChatExceptionFilter counts refusals.
        MetricsModule.forRoot(overrides),
      ],
      controllers: [RosterController],
      providers: [RosterService],
      fixedProviders: [RosterGateway],
      exports: [RosterService],
    }));
  }
}
