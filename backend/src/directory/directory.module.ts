import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { NO_OVERRIDES, overridableModule } from '../common/provider-overrides';
import { StorageModule } from '../storage/storage.module';
import { UsersModule } from '../users/users.module';
import { DirectoryAccounts } from './directory-accounts.service';
import { DirectorySync } from './directory-sync.service';
import { LdapDirectory } from './ldap-directory.service';
import { LdapSignIn } from './ldap-sign-in.service';
import { OidcClient } from './oidc/oidc-client.service';
import { OidcController } from './oidc/oidc.controller';
import { OidcSignIn } from './oidc/oidc-sign-in.service';
import { PendingSignInCookie } from './oidc/pending-sign-in-cookie';

/**
 * Sign-in with the company directory (LDAP / Active Directory) and its periodic sync, and
 * single sign-on with an OpenID Connect provider (oidc/); see docs/architecture.md, "Company
 * directory". Idle unless PARLEY_LDAP_URL or PARLEY_OIDC_ISSUER is set.
 */
@Module({})
export class DirectoryModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(DirectoryModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), UsersModule.forRoot(overrides), AuditModule.forRoot(overrides)],
      controllers: [OidcController],
      providers: [LdapDirectory, DirectoryAccounts, LdapSignIn, DirectorySync, OidcClient, OidcSignIn, PendingSignInCookie],
      exports: [LdapDirectory, DirectoryAccounts],
    }));
  }
}
