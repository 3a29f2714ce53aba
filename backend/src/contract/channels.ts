import type { PublicUser } from './protocol';
import { isRole } from './roles';

/**
 * Channels: named conversations with members (docs/architecture.md, "The conversation model").
 * The conversation id is `channel:<name>`; the three role groups are listed beside them as
 * built-in channels whose membership is the role.
 */
export type ChannelVisibility = 'public' | 'private';
export const CHANNEL_VISIBILITIES = ['public', 'private'] as const satisfies readonly ChannelVisibility[];

/** Lower-case like user names, so '#News' and '#news' are one channel; ':' never, as it splits conversation ids. */
export const CHANNEL_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const CHANNEL_NAME_RULE =
  'must be 1-64 characters: lower-case letters, digits, dash or underscore, starting with a letter or digit, and not a role name';
export const CHANNEL_TOPIC_MAX = 250;

/** A valid name for a new or renamed channel: the pattern, and not one of the role groups' names. */
export function isChannelName(name: string): boolean {
  return CHANNEL_NAME_PATTERN.test(name) && !isRole(name);
}

/** A channel (or a role group) as one person sees it. */
export interface ChannelInfo {
  /** 'channel:<name>', or 'group:<role>' for a role group: what send_message and history take. */
  conversation: string;
  name: string;
  topic: string;
  visibility: ChannelVisibility;
  /** A role group: its membership is the role; it cannot be joined, left, renamed or archived. */
  builtin: boolean;
  /** Archived: readable by its members, closed to new messages and members. */
  archived: boolean;
  /** The viewer is a member (for a role group: reads it). */
  member: boolean;
  /** Whether the viewer may rename it, change its topic, archive it and remove members. */
  manageable: boolean;
  member_count: number;
  /** User name of whoever created it; null for a role group. */
  created_by: string | null;
  created_at: string;
}

/** One member in a channel's member list. A client sees only members who are not clients, and themself. */
export interface ChannelMember extends PublicUser {
  online: boolean;
}

/** channel_updated: a channel the receiver is in (or may see) changed: created, renamed, topic, archived, members. */
export interface ChannelUpdatedPayload {
  channel: ChannelInfo;
  /** Set when it was renamed: the conversation the client knew as `channel:<previous_name>`. */
  previous_name?: string;
}

/** channel_removed: the receiver left or was removed, or the channel stopped being visible to them. */
export interface ChannelRemovedPayload {
  /** 'channel:<name>'. */
  conversation: string;
}
