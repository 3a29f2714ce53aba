import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { type DirectoryAck, type PresencePayload, ROLES, ServerEvents, type TypingPayload } from '@parley/contract';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import { UserRegistryService, type VerifiedConnection } from '../registry/user-registry.service';
import { RosterService } from '../roster/roster.service';
import type { UserRow } from '../storage/database.types';
import { UsersService } from '../users/users.service';
import type { DirectoryDto } from '@parley/contract/schemas';
import { MessageRoutingService, recipientRooms } from './message-routing.service';

/** Accounts read per round while walking the directory (the policy filters them after reading). */
const DIRECTORY_BATCH = 200;

/**
 * Who is online and who is typing. Neither is stored. Presence of a user goes only to the
 * roles that may message that user, so clients do not learn about each other by default.
 *
 * Online means a verified socket on any node: this node's registry, or the other nodes'
 * connections that the roster replicates. Each node tells its own sockets when that changes,
 * so an event is sent once per socket however many nodes there are.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  private readonly subscriptions: Subscription[] = [];
  /** Users last announced online (to this node's sockets). */
  private readonly announced = new Set<string>();

  constructor(
    private readonly registry: UserRegistryService,
    private readonly users: UsersService,
    private readonly policy: PermissionPolicy,
    private readonly broadcaster: Broadcaster,
    private readonly roster: RosterService,
    private readonly routing: MessageRoutingService,
  ) {}

  onModuleInit(): void {
    this.subscriptions.push(
      this.registry.presence$.subscribe(({ user }) => this.update(user)),
      this.roster.peerPresence$.subscribe((username) => {
        this.users.findByUsername(username).then(
          (user) => user && this.update(user),
          (error: unknown) => this.logger.warn(`Presence of ${username}: ${String(error)}`),
        );
      }),
    );
  }

  onModuleDestroy(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  /** Online on any node (a channel's member list asks too). */
  isOnline(user: Pick<UserRow, 'id' | 'username'>): boolean {
    return this.registry.isOnline(user.id) || this.roster.isOnlineOnPeers(user.username);
  }

  /** Announces a change of the user's cluster-wide presence, and nothing else. */
  private update(user: UserRow): void {
    const online = this.isOnline(user);
    if (online === this.announced.has(user.username)) return;
    if (online) this.announced.add(user.username);
    else this.announced.delete(user.username);
    const payload: PresencePayload = { user_name: user.username, online };
    this.broadcaster.emitLocal(this.watchersOf(user), ServerEvents.Presence, payload);
  }

  /**
   * One page of the people the viewer may message directly, in user-name order, with whether
   * they are online now. The policy may be replaced by any rule, so accounts are read in
   * batches and filtered here until the page is full.
   */
  async directory(viewer: UserRow, query: DirectoryDto): Promise<DirectoryAck> {
    const users: DirectoryAck['users'] = [];
    let after = query.after;
    for (;;) {
      const { users: batch, nextAfter } = await this.users.page({ after, limit: DIRECTORY_BATCH, search: query.q, enabledOnly: true });
      for (const user of batch) {
        if (user.id === viewer.id || !this.policy.canSendToUser(viewer, user)) continue;
        // One match past a full page: there is a next page, starting after the last one given.
        if (users.length === query.limit) return { users, next_after: users[users.length - 1].username };
        users.push({ username: user.username, display_name: user.display_name, role: user.role, online: this.isOnline(user) });
      }
      if (nextAfter === null) return { users, next_after: null };
      after = nextAfter;
    }
  }

  /** Relays "typing" to whoever would receive a message to the same target, if the sender may message it. */
  async typing(sender: VerifiedConnection, conversation: string): Promise<void> {
    const target = await this.routing.authorizedTarget(sender, conversation);
    const user_name = sender.user.username;
    const payload: TypingPayload =
      target.kind === 'group'
        ? { user_name, target_kind: 'group', target: target.group }
        : target.kind === 'team'
          ? { user_name, target_kind: 'team', target: target.group, guest: target.guest.username }
          : target.kind === 'channel'
            ? { user_name, target_kind: 'channel', target: target.channel.name }
            : { user_name, target_kind: 'user', target: target.user.username };
    this.broadcaster.emit(recipientRooms(target), ServerEvents.Typing, payload, sender.socketId);
  }

  /** The role rooms whose members may message this user (the policy asked per role). */
  private watchersOf(user: UserRow): string[] {
    // Role rooms, not group rooms: a group's room also holds its supervisors.
    return ROLES.filter((role) => this.policy.canSendToUser({ id: 0, username: '', role }, user)).map(Rooms.role);
  }
}
