import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuditActions } from '@parley/contract';
import { AuditService } from '../audit/audit.service';
import { AuthService, type PasswordDirectory } from '../auth/auth.service';
import type { UserRow } from '../storage/database.types';
import { DirectoryAccounts } from './directory-accounts.service';
import { LdapDirectory } from './ldap-directory.service';

/**
 * Password sign-in against the company directory: AuthService asks it for every name that is
 * not a local account. The person's groups are read at each sign-in, so a role changed in the
 * directory applies at once; someone in no mapped group is refused (and, if they had an
 * account, it is disabled as the sync would).
 */
@Injectable()
export class LdapSignIn implements PasswordDirectory, OnModuleInit {
  private readonly logger = new Logger('Directory');

  constructor(
    private readonly directory: LdapDirectory,
    private readonly accounts: DirectoryAccounts,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    if (this.directory.enabled) this.auth.useDirectory(this);
  }

  async signIn(username: string, password: string, existing: UserRow | undefined): Promise<UserRow | null> {
    const person = await this.directory.authenticate(username, password);
    if (!person) return null;
    if (!person.role) {
      if (existing && !existing.disabled) await this.accounts.remove(existing, 'in_no_group');
      this.logger.log(`${person.username} signed in with the directory but is in no mapped group: refused`);
      return null;
    }
    const user = await this.accounts.signedIn(
      { source: 'ldap', externalId: `ldap:${person.dn}`, username: person.username, displayName: person.displayName, role: person.role },
      existing,
    );
    if (!user) {
      // Only reachable in a race: AuthService sends local names to the local check.
      await this.audit.record(null, AuditActions.DirectoryAccountDisabled, person.username, { source: 'ldap', reason: 'name_taken_by_local_account' });
    }
    return user;
  }
}
