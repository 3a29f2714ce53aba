import { ROLES } from '@parley/contract';
import type { PermissionPolicy, PolicyUser } from '../permissions/permission-policy';
import { Rooms } from '../realtime/broadcaster.service';

/**
 * The audiences a user reads as a member (docs/architecture.md, "The conversation model"): each
 * role group they read, their own role (its team conversations), each channel they are in.
 * Each is also the name of a room their sockets are in, so what sync replays from storage and
 * what arrives live are the same set.
 */
export function audiencesOf(policy: PermissionPolicy, user: PolicyUser, channelIds: readonly number[]): string[] {
  return [
    ...ROLES.filter((group) => policy.canReadGroup(user, group)).map(Rooms.group),
    Rooms.role(user.role),
    ...channelIds.map(Rooms.channel),
  ];
}
