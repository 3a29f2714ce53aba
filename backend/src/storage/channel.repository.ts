import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';
import type { ChannelRow } from './database.types';
import type { ChannelVisibility } from '@parley/contract';

export interface NewChannel {
  name: string;
  topic: string;
  visibility: ChannelVisibility;
  createdBy: number;
  /** Members besides the creator. */
  memberIds: readonly number[];
  now: number;
}

/** Channels and their members. A channel is addressed by name on the wire and by id in storage. */
@Injectable()
export class ChannelRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** Creates it with its members in one transaction. A taken name throws a unique violation. */
  async create(channel: NewChannel): Promise<ChannelRow> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('channels')
        .values({
          name: channel.name,
          topic: channel.topic,
          visibility: channel.visibility,
          created_by: channel.createdBy,
          created_at: channel.now,
          updated_at: channel.now,
          archived_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const memberIds = [...new Set([channel.createdBy, ...channel.memberIds])];
      await trx
        .insertInto('channel_members')
        .values(memberIds.map((user_id) => ({ channel_id: row.id, user_id, added_at: channel.now })))
        .execute();
      return row;
    });
  }

  async findByName(name: string): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('channels').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async findById(id: number): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Ids of every channel the user is a member of. */
  async channelIdsOf(userId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('channel_members').select('channel_id').where('user_id', '=', userId).execute();
    return rows.map((row) => row.channel_id);
  }

  async isMember(channelId: number, userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async memberIds(channelId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('channel_members').select('user_id').where('channel_id', '=', channelId).execute();
    return rows.map((row) => row.user_id);
  }

  /** Adds a member; false when they already were one. */
  async addMember(channelId: number, userId: number, now: number): Promise<boolean> {
    const rows = await this.db
      .insertInto('channel_members')
      .values({ channel_id: channelId, user_id: userId, added_at: now })
      .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    return rows.length > 0;
  }

  /** Removes a member; false when they were not one. */
  async removeMember(channelId: number, userId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('channel_members')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
