import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { CsrfTokens } from './csrf-tokens.service';
import { DeviceCookies } from './device-cookies.service';

/** What the HTTP edge needs from Nest: the session-bound CSRF tokens and the device cookies (sign-in issues both). */
@Module({})
export class SecurityModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(SecurityModule, [CsrfTokens, DeviceCookies], overrides);
  }
}
