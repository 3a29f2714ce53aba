import { Injectable, Logger } from '@nestjs/common';
import { AuditActions, type AccountSource, type Role } from '@parley/contract';
import { AuditService } from '../audit/audit.service';
import { AccountActivity } from '../auth/account-activity';
import { AuthService } from '../auth/auth.service';
import type { UserRow } from '../storage/database.types';
import { DuplicateKeyError } from '../storage/storage-errors';
import { UserRepository } from '../storage/user.repository';
import { UsersService } from '../users/users.service';

/** Someone a directory or single sign-on provider vouches for, as Parley should hold them. */
export interface VouchedPerson {
  source: Exclude<AccountSource, 'local'>;
  /** `ldap:<DN>` or `oidc:<issuer> <sub>` (UsersTable.external_id). */
  externalId: string;
  username: string;
  displayName: string;
  role: Role;
}

/** Why the directory took an account's access away (audit details). */
export type RemovalReason = 'not_in_directory' | 'in_no_group';

/**
 * Parley's copy of directory and single sign-on accounts: made at the first sign-in, brought up
 * to date at each sign-in and by the directory sync (role, name), disabled when the directory
 * drops someone. Every change of role or access ends the account's sessions and sockets on
 * every node and is written to the audit log; several nodes syncing at once make each change
 * once (UserRepository.updateIf).
 */
@Injectable()
export class DirectoryAccounts {
  private readonly logger = new Logger('Directory');

  constructor(
    private readonly users: UserRepository,
    private readonly accounts: UsersService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly activity: AccountActivity,
  ) {}

  /**
   * The account for a person who just proved who they are. `existing` is the account found by
   * name or external id, if any. Returns null when the name belongs to an account of another
   * source (a local account is never taken over). A disabled account is returned disabled
   * (the caller refuses it) unless the sync disabled it: then it is enabled again.
   */
  async signedIn(person: VouchedPerson, existing: UserRow | undefined): Promise<UserRow | null> {
    if (!existing) return this.create(person);
    if (existing.source !== person.source) return null;
    let user = existing;
    if (user.disabled && user.directory_disabled) {
      const enabled = await this.users.updateIf(user.id, { role: user.role, disabled: 1 }, { disabled: false }, Date.now());
      if (enabled) {
        user = enabled;
        await this.audit.record(null, AuditActions.DirectoryAccountEnabled, user.username, { source: person.source, role: person.role });
      }
    }
    if (user.disabled) return user;
    user = (await this.changeRole(user, person.role)) ?? user;
    return this.refresh(user, person);
  }

  /**
   * The directory no longer grants `user` access: disabled (marked as the sync's doing), signed
   * out everywhere, recorded. Nothing when it is disabled already or another node did it.
   */
  async remove(user: UserRow, reason: RemovalReason): Promise<void> {
    const disabled = await this.users.updateIf(user.id, { role: user.role, disabled: 0 }, { disabled: true, directory_disabled: true }, Date.now());
    if (!disabled) return;
    this.accounts.noteChanged(disabled);
    await this.auth.signOutEverywhere(user.id, 'directory_disabled');
    this.activity.emit('disabled', disabled);
    await this.audit.record(null, AuditActions.DirectoryAccountDisabled, user.username, { source: user.source, reason });
    this.logger.log(`Disabled ${user.username}: ${reason === 'not_in_directory' ? 'no longer in the directory' : 'in no mapped group'}`);
  }

  /** The directory's role for `user`; signs them out everywhere when it changed (their rooms differ). */
  async changeRole(user: UserRow, role: Role): Promise<UserRow | undefined> {
    if (user.role === role) return undefined;
    const changed = await this.users.updateIf(user.id, { role: user.role, disabled: user.disabled }, { role }, Date.now());
    if (!changed) return undefined;
    this.accounts.noteChanged(changed);
    await this.auth.signOutEverywhere(user.id, 'directory_role_changed');
    await this.audit.record(null, AuditActions.DirectoryRoleChanged, user.username, { source: user.source, from: user.role, to: role });
    return changed;
  }

  /** Name and external id as the source has them now; no audit entry (nothing about access changed). */
  async refresh(user: UserRow, person: Pick<VouchedPerson, 'displayName' | 'externalId'>): Promise<UserRow> {
    if (user.display_name === person.displayName && user.external_id === person.externalId) return user;
    const updated = await this.users.update(user.id, { display_name: person.displayName, external_id: person.externalId }, Date.now());
    if (!updated) return user;
    this.accounts.noteChanged(updated);
    return updated;
  }

  private async create(person: VouchedPerson): Promise<UserRow | null> {
    const now = Date.now();
    try {
      const user = await this.users.create({
        username: person.username,
        display_name: person.displayName,
        role: person.role,
        password_hash: null,
        source: person.source,
        external_id: person.externalId,
        created_at: now,
        updated_at: now,
      });
      this.accounts.noteChanged(user);
      this.activity.emit('created', user);
      await this.audit.record(null, AuditActions.DirectoryAccountCreated, user.username, { source: person.source, role: person.role });
      return user;
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // The same person signing in twice at once (the other attempt made the account), or the
      // name taken by another account meanwhile.
      const winner = (await this.users.findByExternalId(person.externalId)) ?? (await this.users.findByUsername(person.username));
      return winner && winner.source === person.source && winner.external_id === person.externalId ? winner : null;
    }
  }
}
