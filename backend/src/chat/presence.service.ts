import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ServerEvents, type DirectoryEntry, type PresencePayload, type TypingPayload } from '../contract/protocol';
import { ROLES } from '../contract/roles';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import { UserRegistryService, type VerifiedConnection } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { UsersService } from '../users/users.service';
import type { Target } from './recipient-resolver.service';

/**
 * Who is online and who is typing. Neither is stored. Presence of a user goes only to the
 * roles that may message that user, so clients do not learn about each other by default.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private subscription: Subscription | null = null;

  constructor(
    private readonly registry: UserRegistryService,
    private readonly users: UsersService,
    private readonly policy: PermissionPolicy,
    private readonly broadcaster: Broadcaster,
  ) {}

  onModuleInit(): void {
    this.subscription = this.registry.presence$.subscribe(({ user, online }) => {
      const payload: PresencePayload = { user_name: user.username, online };
      this.broadcaster.emit(this.watchersOf(user), ServerEvents.Presence, payload);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Everyone the viewer may message directly, with whether they are online now. */
  async directory(viewer: UserRow): Promise<DirectoryEntry[]> {
    const everyone = await this.users.list();
    return everyone
      .filter((user) => user.id !== viewer.id && !user.disabled && this.policy.canSendToUser(viewer, user))
      .map((user) => ({
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        online: this.registry.isOnline(user.id),
      }));
  }

  /** Relays "typing" to whoever would receive a message to the same target. */
  typing(sender: VerifiedConnection, target: Target): void {
    const payload: TypingPayload =
      target.kind === 'group'
        ? { user_name: sender.user.username, target_kind: 'group', target: target.group }
        : { user_name: sender.user.username, target_kind: 'user', target: target.user.username };
    const room = target.kind === 'group' ? Rooms.group(target.group) : Rooms.user(target.user.id);
    this.broadcaster.emit([room], ServerEvents.Typing, payload, sender.socketId);
  }

  /** The group rooms whose members may message this user (the policy asked per role). */
  private watchersOf(user: UserRow): string[] {
    return ROLES.filter((role) => this.policy.canSendToUser({ id: 0, username: '', role }, user)).map(Rooms.group);
  }
}
