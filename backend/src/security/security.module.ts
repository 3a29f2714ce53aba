import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { overridableModule } from '../common/provider-overrides';
import { CsrfTokens } from './csrf-tokens.service';

/** What the HTTP edge needs from Nest: the session-bound CSRF tokens (sign-in issues them). */
@Module({})
export class SecurityModule {
  static forRoot(overrides: Provider[] = []): DynamicModule {
    return overridableModule(SecurityModule, [CsrfTokens], overrides);
  }
}
