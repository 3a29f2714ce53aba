import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { Role } from '@parley/contract';
import { DatabaseService } from './database.service';

export interface NewAnnouncement {
  authorId: number;
  authorUsername: string;
  body: string;
  roles: readonly Role[];
  now: number;
}

/** An announcement with its author's current display name and, for one viewer, their acknowledgement. */
export interface AnnouncementView {
  id: number;
  authorUsername: string;
  authorDisplayName: string;
  body: string;
  roles: Role[];
  createdAt: number;
  /** The viewer's acknowledgement, null while pending (and in the admin's list). */
  ackedAt: number | null;
}

export interface AnnouncementTally {
  /** Enabled, non-deleted accounts of its roles, as they are now. */
  audience: number;
  /** Those of them who acknowledged. */
  acknowledged: number;
}

export interface AudienceMember {
  username: string;
  displayName: string;
  role: Role;
  ackedAt: number | null;
}

/**
 * Announcements and who acknowledged them: one row per acknowledgement. The audience is never
 * stored; it is whoever holds an addressed role now (enabled, not deleted), so a person whose
 * role changes sees the announcements of their new role and no longer those of their old one.
 */
@Injectable()
export class AnnouncementRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  async insert(announcement: NewAnnouncement): Promise<AnnouncementView> {
    const row = await this.db
      .insertInto('announcements')
      .values({
        author_id: announcement.authorId,
        author_username: announcement.authorUsername,
        body: announcement.body,
        roles: announcement.roles.join(' '),
        created_at: announcement.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const view = await this.findById(Number(row.id));
    if (!view) throw new Error(`Announcement ${row.id} vanished after insert`);
    return view;
  }

  async findById(id: number): Promise<AnnouncementView | undefined> {
    const row = await this.base().where('announcements.id', '=', id).executeTakeFirst();
    return row && toView(row, null);
  }

  /** Those addressed to `role`, newest first, each with this user's acknowledgement; optionally only the pending ones. */
  async listFor(userId: number, role: Role, options: { limit: number; pendingOnly?: boolean }): Promise<AnnouncementView[]> {
    let query = this.base()
      .leftJoin('announcement_acks as acks', (join) =>
        join.onRef('acks.announcement_id', '=', 'announcements.id').on('acks.user_id', '=', userId),
      )
      .select('acks.acked_at')
      .where(addressedTo(role));
    if (options.pendingOnly) query = query.where('acks.acked_at', 'is', null);
    const rows = await query.orderBy('announcements.id', 'desc').limit(options.limit).execute();
    return rows.map((row) => toView(row, row.acked_at));
  }

  /** Every announcement, newest first, paged backwards by id. */
  async page(options: { before?: number; limit: number }): Promise<AnnouncementView[]> {
    let query = this.base();
    if (options.before !== undefined) query = query.where('announcements.id', '<', options.before);
    const rows = await query.orderBy('announcements.id', 'desc').limit(options.limit).execute();
    return rows.map((row) => toView(row, null));
  }

  /** Audience and acknowledged counts of each announcement, from three role counts and one grouped count. */
  async tallies(announcements: readonly AnnouncementView[]): Promise<Map<number, AnnouncementTally>> {
    const tallies = new Map<number, AnnouncementTally>();
    if (announcements.length === 0) return tallies;
    const perRole = await this.db
      .selectFrom('users')
      .select(['role', (eb) => eb.fn.countAll<number>().as('n')])
      .where('disabled', '=', 0)
      .where('deleted_at', 'is', null)
      .groupBy('role')
      .execute();
    const acked = await this.db
      .selectFrom('announcement_acks as acks')
      .innerJoin('users', 'users.id', 'acks.user_id')
      .select(['acks.announcement_id', 'users.role', (eb) => eb.fn.countAll<number>().as('n')])
      .where('acks.announcement_id', 'in', announcements.map((a) => a.id))
      .where('users.disabled', '=', 0)
      .where('users.deleted_at', 'is', null)
      .groupBy(['acks.announcement_id', 'users.role'])
      .execute();
    for (const announcement of announcements) {
      const addressed = (role: Role) => announcement.roles.includes(role);
      tallies.set(announcement.id, {
        audience: perRole.filter((r) => addressed(r.role)).reduce((sum, r) => sum + Number(r.n), 0),
        acknowledged: acked
          .filter((r) => Number(r.announcement_id) === announcement.id && addressed(r.role))
          .reduce((sum, r) => sum + Number(r.n), 0),
      });
    }
    return tallies;
  }

  /** Every enabled, non-deleted account of its roles, with its acknowledgement, in user-name order. */
  async audience(announcement: AnnouncementView): Promise<AudienceMember[]> {
    const rows = await this.db
      .selectFrom('users')
      .leftJoin('announcement_acks as acks', (join) =>
        join.onRef('acks.user_id', '=', 'users.id').on('acks.announcement_id', '=', announcement.id),
      )
      .select(['users.username', 'users.display_name', 'users.role', 'acks.acked_at'])
      .where('users.role', 'in', announcement.roles)
      .where('users.disabled', '=', 0)
      .where('users.deleted_at', 'is', null)
      .orderBy('users.username')
      .execute();
    return rows.map((row) => ({
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      ackedAt: row.acked_at === null ? null : Number(row.acked_at),
    }));
  }

  /** Records the acknowledgement once: `first` when this call made it, ackedAt when it was made. */
  async acknowledge(announcementId: number, userId: number, now: number): Promise<{ first: boolean; ackedAt: number }> {
    const inserted = await this.db
      .insertInto('announcement_acks')
      .values({ announcement_id: announcementId, user_id: userId, acked_at: now })
      .onConflict((oc) => oc.columns(['announcement_id', 'user_id']).doNothing())
      .returning('acked_at')
      .executeTakeFirst();
    if (inserted) return { first: true, ackedAt: Number(inserted.acked_at) };
    const row = await this.db
      .selectFrom('announcement_acks')
      .select('acked_at')
      .where('announcement_id', '=', announcementId)
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return { first: false, ackedAt: Number(row.acked_at) };
  }

  private base() {
    return this.db
      .selectFrom('announcements')
      .leftJoin('users as author', 'author.id', 'announcements.author_id')
      .select([
        'announcements.id',
        'announcements.author_username',
        'author.display_name as author_display_name',
        'author.deleted_at as author_deleted_at',
        'announcements.body',
        'announcements.roles',
        'announcements.created_at',
      ]);
  }
}

/** roles is space-separated: padding both sides makes a whole-word match in either dialect. */
function addressedTo(role: Role) {
  return sql<boolean>`(' ' || announcements.roles || ' ') like ${`% ${role} %`}`;
}

interface BaseRow {
  id: number;
  author_username: string;
  author_display_name: string | null;
  author_deleted_at: number | null;
  body: string;
  roles: string;
  created_at: number;
}

function toView(row: BaseRow, ackedAt: number | null): AnnouncementView {
  // A deleted author keeps the name it posted under; the display name of the tombstone row says nothing.
  const current = row.author_deleted_at === null ? row.author_display_name : null;
  return {
    id: Number(row.id),
    authorUsername: row.author_username,
    authorDisplayName: current ?? row.author_username,
    body: row.body,
    roles: row.roles.split(' ') as Role[],
    createdAt: Number(row.created_at),
    ackedAt: ackedAt === null ? null : Number(ackedAt),
  };
}
