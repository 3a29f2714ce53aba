import { Injectable } from '@nestjs/common';
import { ChannelRepository } from '../storage/channel.repository';
import type { ChannelRow } from '../storage/database.types';

/**
 * What the message path asks about channels: which channel a name is, whether someone is in
 * it, and which channels someone is in (for sync and for the rooms a socket joins). One place,
 * so a cache in front of the repository (kept in step across nodes) changes nothing else.
 */
@Injectable()
export class ChannelAccess {
  constructor(private readonly channels: ChannelRepository) {}

  findByName(name: string): Promise<ChannelRow | undefined> {
    return this.channels.findByName(name);
  }

  isMember(channelId: number, userId: number): Promise<boolean> {
    return this.channels.isMember(channelId, userId);
  }

  channelIdsOf(userId: number): Promise<number[]> {
    return this.channels.channelIdsOf(userId);
  }
}
