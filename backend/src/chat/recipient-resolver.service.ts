import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '../contract/protocol';
import { isRole, type Role } from '../contract/roles';
import { ParleyError } from '../common/parley-error';
import { UserRegistryService } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { UsersService } from '../users/users.service';

export type Target = { kind: 'group'; group: Role } | { kind: 'user'; user: UserRow };

/**
 * Turns a `recipients` / `conversation` string into a group or a user. Forms, in the order
 * tried: 'group:<role>', 'user:<name>', a bare role name, a connected socket id (the
 * prototype's DM form; it means that socket's user), a bare user name.
 */
@Injectable()
export class RecipientResolver {
  constructor(
    private readonly registry: UserRegistryService,
    private readonly users: UsersService,
  ) {}

  async resolve(recipients: string, options: { allowSocketId: boolean }): Promise<Target> {
    if (recipients.startsWith('group:')) {
      const group = recipients.slice('group:'.length);
      if (isRole(group)) return { kind: 'group', group };
      throw this.unknown(recipients);
    }
    if (recipients.startsWith('user:')) return this.user(recipients.slice('user:'.length), recipients);
    if (isRole(recipients)) return { kind: 'group', group: recipients };
    if (options.allowSocketId) {
      const socket = this.registry.getVerified(recipients);
      if (socket) return { kind: 'user', user: socket.user };
    }
    return this.user(recipients, recipients);
  }

  private async user(name: string, original: string): Promise<Target> {
    const user = name.length > 0 && name.length <= 64 ? await this.users.findByUsername(name) : undefined;
    if (!user || user.disabled) throw this.unknown(original);
    return { kind: 'user', user };
  }

  private unknown(recipients: string): ParleyError {
    return new ParleyError(
      ErrorCodes.UnknownRecipient,
      `No group, connected socket or user called "${recipients.slice(0, 64)}"`,
    );
  }
}
