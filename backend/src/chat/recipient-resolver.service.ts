import { Injectable } from '@nestjs/common';
import { ErrorCodes, isRole, parseConversationId, type Role } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { UserRegistryService } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { MessageRepository } from '../storage/message.repository';
import { UsersService } from '../users/users.service';

/**
 * What a `recipients` / `conversation` string names, before asking who may use it: a role group,
 * a team conversation (its guest by name: whether that account exists is only looked up for
 * someone allowed to know), a channel by name, or a user.
 */
export type Address =
  | { kind: 'group'; group: Role }
  | { kind: 'team'; group: Role; guest: string }
  | { kind: 'channel'; name: string }
  | { kind: 'user'; user: UserRow };

export interface ResolveOptions {
  /** Accept a socket id (connected, or one a stored message came from) for its user. */
  allowSocketId: boolean;
  /** Accept a disabled user (the caller then decides whether the asker may know about them). */
  allowDisabled?: boolean;
}

/**
 * Turns a `recipients` / `conversation` string into an Address. Forms, in the order tried:
 * 'group:<role>', 'team:<role>:<guest>', 'channel:<name>', 'user:<name>', a bare role name, a
 * user name, a socket id (the
 * prototype's DM form: it means that socket's user; a socket that has since gone is found
 * through the messages it sent).
 */
@Injectable()
export class RecipientResolver {
  constructor(
    private readonly registry: UserRegistryService,
    private readonly users: UsersService,
    private readonly messages: MessageRepository,
  ) {}

  async resolve(recipients: string, options: ResolveOptions): Promise<Address> {
    const id = parseConversationId(recipients);
    if (id?.kind === 'group') {
      if (isRole(id.group)) return { kind: 'group', group: id.group };
      throw this.unknown(recipients);
    }
    if (id?.kind === 'team') {
      if (isRole(id.group)) return { kind: 'team', group: id.group, guest: id.guest };
      throw this.unknown(recipients);
    }
    if (id?.kind === 'channel') return { kind: 'channel', name: id.channel };
    if (id?.kind === 'user') return this.user(await this.byName(id.username), recipients, options);
    if (isRole(recipients)) return { kind: 'group', group: recipients };
    if (options.allowSocketId) {
      const socket = this.registry.getVerified(recipients);
      if (socket) return this.user(socket.user, recipients, options);
    }
    const named = await this.byName(recipients);
    if (named || !options.allowSocketId) return this.user(named, recipients, options);
    const senderId = await this.messages.findSenderIdOfSocket(recipients);
    return this.user(senderId === undefined ? undefined : await this.users.findById(senderId), recipients, options);
  }

  /** A user by name (cached), or undefined; for names the caller has already decided it may look up. */
  byName(name: string): Promise<UserRow | undefined> {
    return name.length > 0 && name.length <= 64 ? this.users.findByUsername(name) : Promise.resolve(undefined);
  }

  private user(user: UserRow | undefined, original: string, options: ResolveOptions): Address {
    if (!user || (user.disabled && !options.allowDisabled)) throw this.unknown(original);
    return { kind: 'user', user };
  }

  private unknown(recipients: string): ParleyError {
    return unknownRecipient(recipients);
  }
}

/**
 * The one answer for a user the asker may not know about: no such name, a disabled or deleted
 * account, or one of a role the asker may not reach. Identical for all of them, so that probing
 * names tells a client nothing about accounts it could not message anyway.
 */
export function unknownRecipient(recipients: string): ParleyError {
  return new ParleyError(ErrorCodes.UnknownRecipient, `No group, user or socket called "${recipients.slice(0, 64)}"`);
}
