import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { canSendToGroup, canSendToUser, type PermissionTable, type Role } from '@parley/contract';

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
}
