import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { CsrfTokens } from './csrf-tokens.service';
import { DeviceCookies } from './device-cookies.service';
import { LocalTls } from './tls/local-tls.service';
import { TrustController } from './tls/trust.controller';

/**
 * What the HTTP edge needs from Nest: the session-bound CSRF tokens and the device cookies (sign-in
 * issues both), keyed by secrets kept in the database (ServerSecretRepository); PARLEY_TLS=auto's
 * certificates (LocalTls) and the CA with how to trust it (TrustController).
 */
@Module({})
export class SecurityModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(SecurityModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides)],
      controllers: [TrustController],
      providers: [CsrfTokens, DeviceCookies, LocalTls],
      // CsrfTokens for the sign-in answer; DeviceCookies also for the REST throttler; LocalTls
      // for the plain-http handler and the start banner.
      exports: [CsrfTokens, DeviceCookies, LocalTls],
    }));
  }
}
