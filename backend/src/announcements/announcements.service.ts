import { Injectable } from '@nestjs/common';
import {
  type Announcement,
  type AnnouncementAcks,
  type AnnouncementStatus,
  ErrorCodes,
  hasCapability,
  PENDING_ANNOUNCEMENTS_MAX,
  type Role,
  ROLES,
  ServerEvents,
} from '@parley/contract';
import type { AnnouncementPageQueryDto, CreateAnnouncementDto } from '@parley/contract/schemas';
import { ParleyError } from '../common/parley-error';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import { AnnouncementRepository } from '../storage/announcement.repository';
import type { UserRow } from '../storage/database.types';
import { toAnnouncement, toAnnouncementStatus, toPublicMember } from './announcement.mapper';

/** The most a person's own list (GET /api/announcements) returns: a banner's backlog, not an archive. */
export const OWN_ANNOUNCEMENTS_MAX = 100;

/** Roles whose members watch the acknowledgements come in (the announce capability). */
const WATCHING_ROLES = ROLES.filter((role) => hasCapability(role, 'announce'));

/**
 * Posting, listing and acknowledging announcements. Who an announcement is for is decided by
 * the reader's role at the time they read: a person whose role changes sees those of their new
 * role (a role change signs them out, so every page starts over with the new role).
 */
@Injectable()
export class AnnouncementsService {
  constructor(
    private readonly announcements: AnnouncementRepository,
    private readonly broadcaster: Broadcaster,
  ) {}

  /** Stores it and shows it at once to every connected person of its roles, on every node. */
  async create(author: UserRow, dto: CreateAnnouncementDto): Promise<Announcement> {
    const wanted: readonly Role[] = dto.roles ?? ROLES;
    const roles = ROLES.filter((role) => wanted.includes(role));
    const view = await this.announcements.insert({ authorId: author.id, authorUsername: author.username, body: dto.message, roles, now: Date.now() });
    const announcement = toAnnouncement(view);
    this.broadcaster.emit(roles.map(Rooms.role), ServerEvents.Announcement, announcement);
    return announcement;
  }

  /** The user's own: addressed to their role, newest first, each with their acknowledgement. */
  async listFor(user: UserRow): Promise<Announcement[]> {
    return (await this.announcements.listFor(user.id, user.role, { limit: OWN_ANNOUNCEMENTS_MAX })).map(toAnnouncement);
  }

  /** The ones still to acknowledge, as sync carries them. */
  async pendingFor(user: UserRow): Promise<Announcement[]> {
    return pendingAnnouncements(this.announcements, user);
  }

  /**
   * Idempotent. One that does not exist and one not addressed to the user's role answer alike,
   * so nobody learns what was said to other roles. The first acknowledgement tells the user's
   * devices (the banner goes) and the admins (the counts move).
   */
  async acknowledge(user: UserRow, id: number): Promise<Announcement> {
    const view = await this.addressed(id, user.role);
    const ack = await this.announcements.acknowledge(id, user.id, Date.now());
    if (ack.first) {
      const payload = { id, user_name: user.username, acknowledged_at: new Date(ack.ackedAt).toISOString() };
      this.broadcaster.emit([Rooms.user(user.id), ...WATCHING_ROLES.map(Rooms.role)], ServerEvents.AnnouncementAcked, payload);
    }
    return toAnnouncement({ ...view, ackedAt: ack.ackedAt });
  }

  /** Every announcement with its counts, newest first. */
  async statusPage(query: AnnouncementPageQueryDto): Promise<AnnouncementStatus[]> {
    const views = await this.announcements.page(query);
    const tallies = await this.announcements.tallies(views);
    return views.map((view) => toAnnouncementStatus(view, tallies.get(view.id)));
  }

  /** Who of its current audience has acknowledged, and who has not. */
  async acks(id: number): Promise<AnnouncementAcks> {
    const view = await this.announcements.findById(id);
    if (!view) throw new ParleyError(ErrorCodes.NotFound, 'No such announcement');
    const members = await this.announcements.audience(view);
    return {
      acknowledged: members.flatMap((m) => (m.ackedAt === null ? [] : [{ ...toPublicMember(m), acknowledged_at: new Date(m.ackedAt).toISOString() }])),
      pending: members.filter((m) => m.ackedAt === null).map(toPublicMember),
    };
  }

  private async addressed(id: number, role: Role) {
    const view = await this.announcements.findById(id);
    if (!view || !view.roles.includes(role)) throw new ParleyError(ErrorCodes.NotFound, 'No such announcement');
    return view;
  }
}

/**
 * A user's pending announcements, newest first: a function of the repository alone, so the
 * chat module's sync can call it without importing this module (which needs the chat's rooms).
 */
export async function pendingAnnouncements(repository: AnnouncementRepository, user: UserRow): Promise<Announcement[]> {
  return (await repository.listFor(user.id, user.role, { limit: PENDING_ANNOUNCEMENTS_MAX, pendingOnly: true })).map(toAnnouncement);
}
