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

/**
 * Sign-in with the company directory (LDAP / Active Directory) and its periodic sync; see
 * docs/architecture.md, "Company directory". Idle unless PARLEY_LDAP_URL is set.
 */
@Module({})
export class DirectoryModule {
  static forRoot(overrides: readonly Provider[] = NO_OVERRIDES): DynamicModule {
    return overridableModule(DirectoryModule, overrides, () => ({
      imports: [StorageModule.forRoot(overrides), AuthModule.forRoot(overrides), UsersModule.forRoot(overrides), AuditModule.forRoot(overrides)],
      providers: [LdapDirectory, DirectoryAccounts, LdapSignIn, DirectorySync],
      exports: [LdapDirectory, DirectoryAccounts],
    }));
  }
}
