import { Injectable } from '@nestjs/common';
import { ErrorCodes, isRole } from '@parley/contract';
import { ConversationKeys, dmConversation } from '../chat/message-routing.service';
import { ParleyError } from '../common/parley-error';
import { ChannelRepository } from '../storage/channel.repository';
import type { MessageRow } from '../storage/database.types';
import { UserRepository } from '../storage/user.repository';

/**
 * Conversations as an admin names them in retention and export ('group:staff', 'channel:ops',
 * 'team:staff:cleo', 'dm:amy:sam') and as storage keys them (messages.conversation: channels,
 * guests and DM people by id, so a channel rename keeps its override). An admin is not one of a
 * DM's two people, so a DM is named by both, in either order.
 */
@Injectable()
export class ConversationNames {
  constructor(
    private readonly users: UserRepository,
    private readonly channels: ChannelRepository,
  ) {}

  /** The storage key of a named conversation; NOT_FOUND when a role, channel or person does not exist. */
  async toKey(name: string): Promise<string> {
    const [kind, ...parts] = name.split(':');
    const key = await this.resolve(kind, parts);
    if (key === null) throw new ParleyError(ErrorCodes.NotFound, `No conversation ${name}: name it 'group:<role>', 'channel:<name>', 'team:<role>:<guest>' or 'dm:<name>:<name>'`);
    return key;
  }

  /** The name of a storage key, for listing; the key itself if what it points at is gone. */
  async toName(key: string): Promise<string> {
    const [kind, ...parts] = key.split(':');
    const ids = parts.map(Number);
    const username = async (id: number) => (await this.users.findById(id))?.username;
    if (kind === 'channel' && parts.length === 1) {
      const channel = await this.channels.findById(ids[0]);
      if (channel) return `channel:${channel.name}`;
    } else if (kind === 'team' && parts.length === 2) {
      const guest = await username(ids[1]);
      if (guest) return `team:${parts[0]}:${guest}`;
    } else if (kind === 'dm' && parts.length === 2) {
      const [a, b] = await Promise.all(ids.map(username));
      if (a && b) return dmName(a, b);
    }
    return key;
  }

  private async resolve(kind: string, parts: string[]): Promise<string | null> {
    if (parts.some((part) => part.length === 0)) return null;
    const userId = async (name: string) => (await this.users.findByUsername(name.toLowerCase()))?.id;
    switch (kind) {
      case 'group':
        return parts.length === 1 && isRole(parts[0]) ? `group:${parts[0]}` : null;
      case 'channel': {
        if (parts.length !== 1) return null;
        const channel = await this.channels.findByName(parts[0].toLowerCase());
        return channel ? ConversationKeys.channel(channel.id) : null;
      }
      case 'team': {
        const [role, guest] = parts;
        if (parts.length !== 2 || !isRole(role)) return null;
        const id = await userId(guest);
        return id === undefined ? null : ConversationKeys.team(role, id);
      }
      case 'dm': {
        if (parts.length !== 2) return null;
        const [a, b] = await Promise.all(parts.map(userId));
        return a === undefined || b === undefined || a === b ? null : dmConversation(a, b);
      }
      default:
        return null;
    }
  }
}

const dmName = (a: string, b: string) => `dm:${[a, b].sort().join(':')}`;

/** A stored message's conversation as an admin names it (from the row alone: names are copied into it). */
export function conversationNameOf(row: Pick<MessageRow, 'target_kind' | 'target' | 'guest' | 'sender_username'>): string {
  switch (row.target_kind) {
    case 'group':
      return `group:${row.target}`;
    case 'channel':
      return `channel:${row.target}`;
    case 'team':
      return `team:${row.target}:${row.guest ?? ''}`;
    case 'user':
      return dmName(row.sender_username, row.target);
  }
}
