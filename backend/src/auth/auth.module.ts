import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { SecurityModule } from '../security/security.module';
import { StorageModule } from '../storage/storage.module';
import { AccountActivity } from './account-activity';
import { AccountEvents } from './account-events';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { PasswordPolicy } from './password-policy.service';
import { PasswordService } from './password.service';
import { SessionCookies } from './session-cookies.service';

/**
 * Accounts' sign-in and sessions. SessionGuard is no provider: `@Authenticated()` makes Nest build
 * it in each module whose controller uses it, so such a module imports AuthModule for AuthService.
 */
@Module({})
export class AuthModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(AuthModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), RateLimitModule.forRoot(overrides), SecurityModule.forRoot(overrides)],
      controllers: [AuthController],
      providers: [AuthService, PasswordService, PasswordPolicy, AccountEvents, AccountActivity, AdminBootstrapService, SessionCookies],
      // Passwords for UsersService; AccountEvents for the socket edge, which ends a signed-out session;
      // SessionCookies for single sign-on, which signs browsers in too; AccountActivity for the
      // accounts' writers (users, directory) and the extensions' account hooks.
      exports: [AuthService, PasswordService, PasswordPolicy, AccountEvents, AccountActivity, SessionCookies],
    }));
  }
}
