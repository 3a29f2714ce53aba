import type { Announcement, AnnouncementStatus, PublicUser } from '@parley/contract';
import type { AnnouncementTally, AnnouncementView, AudienceMember } from '../storage/announcement.repository';

/** The wire form; acknowledged_at is the viewer's (null for the admin's list, which counts instead). */
export function toAnnouncement(view: AnnouncementView): Announcement {
  return {
    id: view.id,
    message: view.body,
    author: view.authorUsername,
    author_display_name: view.authorDisplayName,
    roles: view.roles,
    created_at: new Date(view.createdAt).toISOString(),
    acknowledged_at: view.ackedAt === null ? null : new Date(view.ackedAt).toISOString(),
  };
}

export function toAnnouncementStatus(view: AnnouncementView, tally: AnnouncementTally | undefined): AnnouncementStatus {
  return { ...toAnnouncement(view), audience: tally?.audience ?? 0, acknowledged: tally?.acknowledged ?? 0 };
}

export function toPublicMember(member: AudienceMember): PublicUser {
  return { username: member.username, display_name: member.displayName, role: member.role };
}
