import { type ChannelInfo, ConversationIds, type Role, ROLES } from '@parley/contract';
import type { PermissionPolicy, PolicyUser } from '../permissions/permission-policy';
import type { ChannelListing } from '../storage/channel.repository';

/**
 * How a channel looks to one person (ChannelInfo), shared by the channels module (REST, events)
 * and the sync ack. Three fields depend on the viewer: `member`, `manageable`, and
 * `member_count`, which counts only the members the viewer may see (see seesMember), so a client
 * learns nothing about the other clients in a channel, not even how many there are.
 */

/** A stand-in account of a role, for rules asked per role rather than per person (as PresenceService does). */
const anyoneOf = (role: Role): PolicyUser => ({ id: 0, username: '', role });

/** Admins manage every channel they can see; its creator manages it while their role may create channels. */
export function canManageChannel(viewer: PolicyUser, channel: { created_by: number | null }, policy: PermissionPolicy): boolean {
  return viewer.role === 'admin' || (channel.created_by === viewer.id && policy.canCreateChannels(viewer));
}

/** Whether a member list shows `member` to `viewer`: themself, and whoever they may message. */
export function seesMember(viewer: PolicyUser, member: PolicyUser, policy: PermissionPolicy): boolean {
  return member.id === viewer.id || policy.canSendToUser(viewer, member);
}

/** Members the viewer sees, from the per-role counts (the policy asked per role). */
export function visibleCount(viewer: PolicyUser, roleCounts: Partial<Record<Role, number>>, isMember: boolean, policy: PermissionPolicy): number {
  let count = 0;
  for (const role of ROLES) {
    if (policy.canSendToUser(viewer, anyoneOf(role))) count += roleCounts[role] ?? 0;
    else if (isMember && role === viewer.role) count += 1;
  }
  return count;
}

export function toChannelInfo(viewer: PolicyUser, channel: ChannelListing, policy: PermissionPolicy): ChannelInfo {
  return {
    conversation: ConversationIds.channel(channel.name),
    name: channel.name,
    topic: channel.topic,
    visibility: channel.visibility,
    builtin: false,
    archived: channel.archived_at !== null,
    member: channel.member,
    manageable: canManageChannel(viewer, channel, policy),
    member_count: visibleCount(viewer, channel.roleCounts, channel.member, policy),
    created_by: channel.creator,
    created_at: new Date(Number(channel.created_at)).toISOString(),
  };
}
