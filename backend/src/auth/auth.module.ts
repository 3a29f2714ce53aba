import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { AccountEvents } from './account-events';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { PasswordPolicy } from './password-policy.service';
import { PasswordService } from './password.service';
import { SessionGuard } from './session.guard';

@Module({})
export class AuthModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(
      AuthModule,
      [AuthService, PasswordService, PasswordPolicy, AccountEvents, SessionGuard, AdminBootstrapService],
      overrides,
      { controllers: [AuthController] },
    );
  }
}
