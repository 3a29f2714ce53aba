import { Injectable } from '@nestjs/common';
import { type ChannelInfo, type ChannelMember, ConversationIds, ErrorCodes, normalizeUsername, ROLES, ServerEvents } from '@parley/contract';
import type { CreateChannelDto, UpdateChannelDto } from '@parley/contract/schemas';
import { ChannelAccess } from '../chat/channel-access.service';
import { canManageChannel, seesMember, toChannelInfo, visibleCount } from '../chat/channel-info';
import { PresenceService } from '../chat/presence.service';
import { ParleyError } from '../common/parley-error';
import { PermissionPolicy, type PolicyUser } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import { type ChannelListing, type ChannelPatch, ChannelRepository } from '../storage/channel.repository';
import type { ChannelRow, UserRow } from '../storage/database.types';
import { DuplicateKeyError } from '../storage/storage-errors';
import { UsersService } from '../users/users.service';

/** What a PATCH changed, for the audit log. */
export type ChannelChanges = { name?: { from: string; to: string }; topic?: string; archived?: boolean };

/**
 * Channels: creating, listing, joining, inviting, leaving, removing, renaming, archiving.
 *
 * Who sees a channel: its members, and for a public one, whoever may join channels
 * (PermissionPolicy.canJoinChannels). To anyone else it does not exist: every route answers
 * NOT_FOUND exactly as for a name nobody uses. The one exception is creating a channel with a
 * taken name (CHANNEL_EXISTS, saying nothing more), since names are unique for everyone.
 *
 * Every change takes effect at once on every node: the members' sockets join or leave the
 * channel's room (socket.io's socketsJoin/socketsLeave, carried by the Redis adapter),
 * ChannelAccess drops its cached answers here and on the other nodes, and the members are told
 * (channel_updated; channel_removed to whoever left or was removed).
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly access: ChannelAccess,
    private readonly users: UsersService,
    private readonly policy: PermissionPolicy,
    private readonly broadcaster: Broadcaster,
    private readonly presence: PresenceService,
  ) {}

  async create(creator: UserRow, dto: CreateChannelDto): Promise<ChannelInfo> {
    if (!this.policy.canCreateChannels(creator)) throw new ParleyError(ErrorCodes.Forbidden, 'Your role may not create channels');
    if (await this.channels.findByName(dto.name)) throw taken(dto.name);
    const invited = await this.reachable(creator, (dto.members ?? []).filter((name) => name !== creator.username));
    let row: ChannelRow;
    try {
      row = await this.channels.create({
        name: dto.name,
        topic: dto.topic ?? '',
        visibility: dto.visibility,
        createdBy: creator.id,
        memberIds: invited.map((user) => user.id),
        now: Date.now(),
      });
    } catch (error) {
      // Created by someone else a moment ago.
      if (error instanceof DuplicateKeyError) throw taken(dto.name);
      throw error;
    }
    const memberIds = [creator.id, ...invited.map((user) => user.id)];
    this.access.changed({ names: [row.name], userIds: memberIds });
    this.broadcaster.joinRoom(memberIds.map(Rooms.user), Rooms.channel(row.id));
    await this.announce(row.name, { added: memberIds });
    return this.infoFor(creator, row.name);
  }

  /** The role groups the viewer reads or posts to (built in), then every channel they may see, by name. */
  async list(viewer: PolicyUser): Promise<ChannelInfo[]> {
    const [sizes, listings] = await Promise.all([
      this.channels.roleGroupSizes(),
      this.channels.listFor(viewer.id, this.policy.canJoinChannels(viewer)),
    ]);
    const groups = ROLES.filter((role) => this.policy.canReadGroup(viewer, role) || this.policy.canSendToGroup(viewer, role)).map(
      (role): ChannelInfo => {
        const size = sizes.find((entry) => entry.role === role);
        return {
          conversation: ConversationIds.group(role),
          name: role,
          topic: '',
          visibility: 'public',
          builtin: true,
          archived: false,
          member: this.policy.canReadGroup(viewer, role),
          manageable: false,
          member_count: visibleCount(viewer, { [role]: size?.count ?? 0 }, viewer.role === role, this.policy),
          created_by: null,
          created_at: new Date(size?.since ?? 0).toISOString(),
        };
      },
    );
    return [...groups, ...listings.map((listing) => toChannelInfo(viewer, listing, this.policy))];
  }

  async get(viewer: PolicyUser, name: string): Promise<ChannelInfo> {
    return toChannelInfo(viewer, await this.visible(viewer, name), this.policy);
  }

  /** The members the viewer may see (themself and whoever they may message), with presence. */
  async members(viewer: PolicyUser, name: string): Promise<ChannelMember[]> {
    const channel = await this.visible(viewer, name);
    const members = await this.channels.members(channel.id);
    return members
      .filter((member) => seesMember(viewer, member, this.policy))
      .map((member) => ({ username: member.username, display_name: member.display_name, role: member.role, online: this.presence.isOnline(member) }));
  }

  /**
   * `username` is the actor: they join (a public channel they may see). Anyone else: the actor
   * invites them, which needs membership, a role other than client, and being able to message
   * them (an invitee they may not message is answered as unknown).
   */
  async addMember(actor: UserRow, name: string, username: string): Promise<ChannelInfo> {
    const channel = await this.visible(actor, name);
    const joining = normalizeUsername(username) === actor.username;
    if (joining && channel.member) return toChannelInfo(actor, channel, this.policy);
    if (!joining && (!channel.member || actor.role === 'client')) {
      throw new ParleyError(ErrorCodes.Forbidden, `Only members of #${channel.name} who are not clients may invite`);
    }
    if (channel.archived_at !== null) throw archived(channel.name);
    const user = joining ? actor : (await this.reachable(actor, [normalizeUsername(username)]))[0];
    if (await this.channels.addMember(channel.id, user.id, Date.now())) {
      this.access.changed({ userIds: [user.id] });
      this.broadcaster.joinRoom(Rooms.user(user.id), Rooms.channel(channel.id));
      await this.announce(channel.name, { added: [user.id] });
    }
    return this.infoFor(actor, channel.name);
  }

  /** `username` is the actor: they leave. Anyone else: a manager removes them. */
  async removeMember(actor: UserRow, name: string, username: string): Promise<void> {
    const channel = await this.visible(actor, name);
    const target = normalizeUsername(username);
    let user: PolicyUser | undefined = actor;
    if (target !== actor.username) {
      if (!canManageChannel(actor, channel, this.policy)) throw new ParleyError(ErrorCodes.Forbidden, `Only an admin or the creator may remove members of #${channel.name}`);
      user = await this.users.findByUsername(target);
    }
    if (!user || !(await this.channels.removeMember(channel.id, user.id))) throw new ParleyError(ErrorCodes.NotFound, `${target} is not in #${channel.name}`);
    this.access.changed({ userIds: [user.id] });
    this.broadcaster.leaveRoom(Rooms.user(user.id), Rooms.channel(channel.id));
    this.broadcaster.emit([Rooms.user(user.id)], ServerEvents.ChannelRemoved, { conversation: ConversationIds.channel(channel.name) });
    await this.announce(channel.name);
  }

  /** Rename, topic, archive: managers only. */
  async update(actor: UserRow, name: string, dto: UpdateChannelDto): Promise<{ channel: ChannelInfo; changes: ChannelChanges }> {
    const channel = await this.visible(actor, name);
    if (!canManageChannel(actor, channel, this.policy)) throw new ParleyError(ErrorCodes.Forbidden, `Only an admin or the creator may change #${channel.name}`);
    const patch: ChannelPatch = {};
    const changes: ChannelChanges = {};
    if (dto.name !== undefined && dto.name !== channel.name) {
      if (await this.channels.findByName(dto.name)) throw taken(dto.name);
      patch.name = dto.name;
      changes.name = { from: channel.name, to: dto.name };
    }
    if (dto.topic !== undefined && dto.topic !== channel.topic) patch.topic = changes.topic = dto.topic;
    if (dto.archived !== undefined && dto.archived !== (channel.archived_at !== null)) {
      patch.archived_at = dto.archived ? Date.now() : null;
      changes.archived = dto.archived;
    }
    if (Object.keys(patch).length === 0) return { channel: toChannelInfo(actor, channel, this.policy), changes };
    try {
      await this.channels.update(channel.id, patch, Date.now());
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw taken(dto.name!);
      throw error;
    }
    const current = patch.name ?? channel.name;
    this.access.changed({ names: [channel.name, current] });
    await this.announce(current, { previousName: patch.name ? channel.name : undefined });
    return { channel: await this.infoFor(actor, current), changes };
  }

  /** The channel as the viewer sees it, or NOT_FOUND, exactly as for a name nobody uses. */
  private async visible(viewer: PolicyUser, name: string): Promise<ChannelListing> {
    const channel = await this.channels.listingByName(name, viewer.id);
    const sees = channel && (channel.member || (channel.visibility === 'public' && this.policy.canJoinChannels(viewer)));
    if (!sees) throw new ParleyError(ErrorCodes.NotFound, `No channel named ${name}`);
    return channel;
  }

  private async infoFor(viewer: PolicyUser, name: string): Promise<ChannelInfo> {
    return toChannelInfo(viewer, (await this.channels.listingByName(name, viewer.id))!, this.policy);
  }

  /** The accounts named, each one the actor may message; otherwise UNKNOWN_RECIPIENT, the same for one that does not exist. */
  private async reachable(actor: UserRow, names: readonly string[]): Promise<UserRow[]> {
    const found: UserRow[] = [];
    for (const name of new Set(names)) {
      const user = await this.users.findByUsername(name);
      if (!user || user.disabled || user.deleted_at !== null || !this.policy.canSendToUser(actor, user)) {
        throw new ParleyError(ErrorCodes.UnknownRecipient, `No user named ${name} that you may message`);
      }
      found.push(user);
    }
    return found;
  }

  /**
   * channel_updated to every member, each with the ChannelInfo they would read (manageable and
   * member_count depend on the viewer). Members are grouped by what they would read: the largest
   * group gets it through the channel's room (so only sockets that are in the room hear it),
   * minus the other groups' members, who get theirs in their own user rooms. Members just added
   * are named by user room too, as the room join may still be on its way to another node.
   */
  private async announce(name: string, options: { added?: readonly number[]; previousName?: string } = {}): Promise<void> {
    const listing = await this.channels.listingByName(name, 0);
    if (!listing) return;
    const members = await this.channels.members(listing.id);
    const variants = new Map<string, { channel: ChannelInfo; userIds: number[] }>();
    for (const member of members) {
      const channel = toChannelInfo(member, { ...listing, member: true }, this.policy);
      const key = JSON.stringify(channel);
      const variant = variants.get(key) ?? { channel, userIds: [] };
      variant.userIds.push(member.id);
      variants.set(key, variant);
    }
    const ordered = [...variants.values()].sort(
      (a, b) => b.userIds.length - a.userIds.length || Number(a.channel.manageable) - Number(b.channel.manageable),
    );
    const payload = (channel: ChannelInfo) => (options.previousName ? { channel, previous_name: options.previousName } : { channel });
    const [common, ...others] = ordered;
    if (!common) return;
    const added = new Set(options.added ?? []);
    const othersRooms = others.flatMap((variant) => variant.userIds.map(Rooms.user));
    this.broadcaster.emit(
      [Rooms.channel(listing.id), ...common.userIds.filter((id) => added.has(id)).map(Rooms.user)],
      ServerEvents.ChannelUpdated,
      payload(common.channel),
      othersRooms,
    );
    for (const variant of others) this.broadcaster.emit(variant.userIds.map(Rooms.user), ServerEvents.ChannelUpdated, payload(variant.channel));
  }
}

const taken = (name: string) => new ParleyError(ErrorCodes.ChannelExists, `The channel name ${name} is taken`);
const archived = (name: string) => new ParleyError(ErrorCodes.ChannelArchived, `#${name} is archived: it takes no new members`);
