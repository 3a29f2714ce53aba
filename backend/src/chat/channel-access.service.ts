import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { ChannelInfo } from '@parley/contract';
import { AccountEvents } from '../auth/account-events';
import { NodeBus } from '../cluster/node-bus.service';
import { PermissionPolicy, type PolicyUser } from '../permissions/permission-policy';
import { ChannelRepository } from '../storage/channel.repository';
import type { ChannelRow } from '../storage/database.types';
import { toChannelInfo } from './channel-info';

/** Between nodes: these channels (by name) or these users' memberships changed; drop any cached copy. */
export const CHANNELS_CHANGED = 'parley:channels:changed';

export interface ChannelChange {
  /** Every name affected: a new channel's, or a renamed one's old and new names. */
  names?: readonly string[];
  /** Users who joined or left a channel. */
  userIds?: readonly number[];
}

/**
 * What the message path asks about channels: which channel a name is, whether someone is in
 * it, and which channels someone is in (for sync and for the rooms a socket joins).
 *
 * Both answers are cached, so routing a message to a known channel reads no database: channels
 * by name (hits only; an unknown name is read each time rather than letting a client fill the
 * memory with made-up names) and channel ids by member. ChannelsService reports every change
 * through `changed`, which drops the entries here and tells the other nodes (NodeBus) to drop
 * theirs. A read that was in flight when a change came is not cached (the generation check), so
 * a stale answer cannot outlive the change that made it stale.
 */
@Injectable()
export class ChannelAccess implements OnModuleDestroy {
  private readonly byName = new Map<string, ChannelRow>();
  private readonly byUser = new Map<number, ReadonlySet<number>>();
  private generation = 0;
  private readonly subscription: Subscription;

  constructor(
    private readonly channels: ChannelRepository,
    private readonly policy: PermissionPolicy,
    private readonly bus: NodeBus,
    accountEvents: AccountEvents,
  ) {
    bus.subscribe(CHANNELS_CHANGED, (payload) => this.forget(payload as ChannelChange));
    // A deleted account loses its memberships (UserRepository.softDelete); its sockets close
    // on every node, so the copy here is the one that could still be asked.
    this.subscription = accountEvents.events$.subscribe((event) => {
      if (event.kind === 'user-changed') this.forget({ userIds: [event.userId] });
    });
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  async findByName(name: string): Promise<ChannelRow | undefined> {
    const cached = this.byName.get(name);
    if (cached) return cached;
    const generation = this.generation;
    const row = await this.channels.findByName(name);
    if (row && generation === this.generation) this.byName.set(name, row);
    return row;
  }

  async isMember(channelId: number, userId: number): Promise<boolean> {
    return (await this.memberships(userId)).has(channelId);
  }

  async channelIdsOf(userId: number): Promise<number[]> {
    return [...(await this.memberships(userId))];
  }

  /** The channels the user is in now, as they see them (the sync ack's `channels`). */
  async channelsOf(user: PolicyUser): Promise<ChannelInfo[]> {
    if ((await this.memberships(user.id)).size === 0) return [];
    const listings = await this.channels.listFor(user.id, false);
    return listings.map((listing) => toChannelInfo(user, listing, this.policy));
  }

  /** Call after every write to channels or their members: here and on every other node. */
  changed(change: ChannelChange): void {
    this.forget(change);
    this.bus.publish(CHANNELS_CHANGED, change);
  }

  private forget(change: ChannelChange): void {
    this.generation++;
    for (const name of change.names ?? []) this.byName.delete(name);
    for (const userId of change.userIds ?? []) this.byUser.delete(Number(userId));
  }

  private async memberships(userId: number): Promise<ReadonlySet<number>> {
    const cached = this.byUser.get(userId);
    if (cached) return cached;
    const generation = this.generation;
    const ids = new Set(await this.channels.channelIdsOf(userId));
    if (generation === this.generation) this.byUser.set(userId, ids);
    return ids;
  }
}
