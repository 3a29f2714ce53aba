import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { canReadGroup, canSendToGroup, canSendToUser, type PermissionTable, type Role } from '@parley/contract';

export interface PolicyUser {
  id: number;
  username: string;
  role: Role;
}

/**
 * Who may send to whom. An abstract class so it doubles as the DI token: bind another
 * implementation to replace the rule (e.g. office hours, per-user exceptions).
 */
export abstract class PermissionPolicy {
  abstract canSendToGroup(sender: PolicyUser, group: Role): boolean;
  abstract canSendToUser(sender: PolicyUser, recipient: PolicyUser): boolean;

  /**
   * Whether a user reads a role group as its members do (and so posts into it rather than
   * into a team conversation with it). Not abstract, so a policy written before supervision
   * existed keeps compiling; it then reads only its own role's group.
   */
  canReadGroup(user: PolicyUser, group: Role): boolean {
    return user.role === group;
  }

  /** May create channels. Default: nobody, for a policy that predates channels. */
  canCreateChannels(_user: PolicyUser): boolean {
    return false;
  }

  /** May find and join public channels without an invitation. */
  canJoinChannels(_user: PolicyUser): boolean {
    return false;
  }
}

/** The default: the shared permission table, or the one in PARLEY_PERMISSIONS. */
@Injectable()
export class TablePermissionPolicy extends PermissionPolicy {
  readonly table: PermissionTable;

  constructor(config: AppConfig) {
    super();
    this.table = config.values.PARLEY_PERMISSIONS;
  }

  canSendToGroup(sender: PolicyUser, group: Role): boolean {
    return canSendToGroup(this.table, sender.role, group);
  }

  canSendToUser(sender: PolicyUser, recipient: PolicyUser): boolean {
    return canSendToUser(this.table, sender.role, recipient.role);
  }

  override canReadGroup(user: PolicyUser, group: Role): boolean {
    return canReadGroup(this.table, user.role, group);
  }

  override canCreateChannels(user: PolicyUser): boolean {
    return this.table[user.role].createChannels;
  }

  override canJoinChannels(user: PolicyUser): boolean {
    return this.table[user.role].joinChannels;
  }
}
