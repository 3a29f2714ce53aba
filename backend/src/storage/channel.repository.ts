import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';
import type { ChannelRow } from './database.types';
import { DuplicateKeyError, isUniqueViolation } from './storage-errors';
import type { ChannelVisibility, Role } from '@parley/contract';

export interface NewChannel {
  name: string;
  topic: string;
  visibility: ChannelVisibility;
  createdBy: number;
  /** Members besides the creator. */
  memberIds: readonly number[];
  now: number;
}

/** A channel as listed: the row, its creator's name, whether the viewer is in it, and how many members of each role it has. */
export interface ChannelListing extends ChannelRow {
  creator: string | null;
  member: boolean;
  roleCounts: Partial<Record<Role, number>>;
}

export interface ChannelMemberRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

export interface ChannelPatch {
  name?: string;
  topic?: string;
  archived_at?: number | null;
}

/** Channels and their members. A channel is addressed by name on the wire and by id in storage. */
@Injectable()
export class ChannelRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** Creates it with its members in one transaction. A taken name throws DuplicateKeyError. */
  async create(channel: NewChannel): Promise<ChannelRow> {
    try {
      return await this.db.transaction().execute(async (trx) => {
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
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError('channels.name');
      throw error;
    }
  }

  async findByName(name: string): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('channels').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async findById(id: number): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** id -> current name, for the channels among `ids` that exist. */
  async namesOf(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('channels').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** Ids of every channel the user is a member of. */
  async channelIdsOf(userId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('channel_members').select('channel_id').where('user_id', '=', userId).execute();
    return rows.map((row) => Number(row.channel_id));
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
    return rows.map((row) => Number(row.user_id));
  }

  /** The members' accounts, in user-name order. */
  async members(channelId: number): Promise<ChannelMemberRow[]> {
    return this.db
      .selectFrom('channel_members')
      .innerJoin('users', 'users.id', 'channel_members.user_id')
      .select(['users.id', 'users.username', 'users.display_name', 'users.role'])
      .where('channel_members.channel_id', '=', channelId)
      .orderBy('users.username')
      .execute();
  }

  /**
   * The channels a user is in, and with `includePublic` every public one too, by name, each
   * with what ChannelInfo needs: two queries however many channels there are.
   */
  async listFor(userId: number, includePublic: boolean): Promise<ChannelListing[]> {
    const rows = await this.db
      .selectFrom('channels')
      .leftJoin('users as creator', 'creator.id', 'channels.created_by')
      .leftJoin('channel_members as mine', (join) => join.onRef('mine.channel_id', '=', 'channels.id').on('mine.user_id', '=', userId))
      .selectAll('channels')
      .select(['creator.username as creator', 'mine.user_id as mine'])
      .where((eb) => (includePublic ? eb.or([eb('mine.user_id', 'is not', null), eb('channels.visibility', '=', 'public')]) : eb('mine.user_id', 'is not', null)))
      .orderBy('channels.name')
      .execute();
    return this.withRoleCounts(rows.map(({ mine, ...row }) => ({ ...row, member: mine !== null })));
  }

  /** One channel by name as `listFor` gives it, whatever the viewer may see (the caller decides). */
  async listingByName(name: string, viewerId: number): Promise<ChannelListing | undefined> {
    const row = await this.db
      .selectFrom('channels')
      .leftJoin('users as creator', 'creator.id', 'channels.created_by')
      .leftJoin('channel_members as mine', (join) => join.onRef('mine.channel_id', '=', 'channels.id').on('mine.user_id', '=', viewerId))
      .selectAll('channels')
      .select(['creator.username as creator', 'mine.user_id as mine'])
      .where('channels.name', '=', name)
      .executeTakeFirst();
    if (!row) return undefined;
    const { mine, ...channel } = row;
    return (await this.withRoleCounts([{ ...channel, member: mine !== null }]))[0];
  }

  private async withRoleCounts(rows: Array<Omit<ChannelListing, 'roleCounts'>>): Promise<ChannelListing[]> {
    if (rows.length === 0) return [];
    const counts = await this.db
      .selectFrom('channel_members')
      .innerJoin('users', 'users.id', 'channel_members.user_id')
      .select(['channel_members.channel_id', 'users.role', (eb) => eb.fn.countAll<number>().as('n')])
      .where('channel_members.channel_id', 'in', rows.map((row) => row.id))
      .groupBy(['channel_members.channel_id', 'users.role'])
      .execute();
    const byChannel = new Map<number, Partial<Record<Role, number>>>();
    for (const { channel_id, role, n } of counts) {
      const entry = byChannel.get(Number(channel_id)) ?? {};
      entry[role] = Number(n);
      byChannel.set(Number(channel_id), entry);
    }
    return rows.map((row) => ({ ...row, id: Number(row.id), roleCounts: byChannel.get(Number(row.id)) ?? {} }));
  }

  /**
   * The role groups as built-in channels: how many usable accounts each role has, and since
   * when the oldest has existed.
   */
  async roleGroupSizes(): Promise<Array<{ role: Role; count: number; since: number }>> {
    const rows = await this.db
      .selectFrom('users')
      .select(['role', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('created_at').as('since')])
      .where('deleted_at', 'is', null)
      .where('disabled', '=', 0)
      .groupBy('role')
      .execute();
    return rows.map((row) => ({ role: row.role, count: Number(row.n), since: Number(row.since) }));
  }

  /** Adds members; returns the ids that were not members before. */
  async addMembers(channelId: number, userIds: readonly number[], now: number): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .insertInto('channel_members')
      .values(userIds.map((user_id) => ({ channel_id: channelId, user_id, added_at: now })))
      .onConflict((oc) => oc.columns(['channel_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    return rows.map((row) => Number(row.user_id));
  }

  /** Adds a member; false when they already were one. */
  async addMember(channelId: number, userId: number, now: number): Promise<boolean> {
    return (await this.addMembers(channelId, [userId], now)).length > 0;
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

  /**
   * Renames, re-topics or (un)archives it. A new name is rewritten into its messages' `target`
   * in the same transaction, so history never shows a name the channel no longer has. A taken
   * name throws DuplicateKeyError.
   */
  async update(channelId: number, patch: ChannelPatch, now: number): Promise<ChannelRow | undefined> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('channels')
          .set({ ...patch, updated_at: now })
          .where('id', '=', channelId)
          .returningAll()
          .executeTakeFirst();
        if (row && patch.name !== undefined) {
          await trx
            .updateTable('messages')
            .set({ target: patch.name })
            .where('conversation', '=', `channel:${channelId}`)
            .where('target_kind', '=', 'channel')
            .execute();
        }
        return row;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError('channels.name');
      throw error;
    }
  }
}
