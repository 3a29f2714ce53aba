import type { PublicUser } from './protocol';
import type { Role } from './roles';

/**
 * Announcements: an admin's message to everyone or to chosen roles, shown as a banner on every
 * page until each person acknowledges it; the admin watches who has.
 */
export interface Announcement {
  id: number;
  message: string;
  /** User name of the admin who posted it. */
  author: string;
  author_display_name: string;
  /** The roles it is addressed to (all three for everyone). */
  roles: Role[];
  created_at: string;
  /** When the viewer acknowledged it; null while it is still to be acknowledged. */
  acknowledged_at: string | null;
}

/** An announcement as its admins see it: how many it reached and how many acknowledged. */
export interface AnnouncementStatus extends Announcement {
  /** Enabled accounts of its roles. */
  audience: number;
  acknowledged: number;
}

export interface AnnouncementAcknowledgement extends PublicUser {
  acknowledged_at: string;
}

/** GET /api/admin/announcements/:id/acks: who has, and who has not yet, acknowledged. */
export interface AnnouncementAcks {
  acknowledged: AnnouncementAcknowledgement[];
  pending: PublicUser[];
}

/** announcement_acked: to the person's other devices (the banner goes) and to admins (live counts). */
export interface AnnouncementAckedPayload {
  id: number;
  user_name: string;
  acknowledged_at: string;
}

/** The longest announcement, in characters: a banner, not a document (zod-free, for the web app's form too). */
export const ANNOUNCEMENT_MAX_CHARS = 2_000;

/** The most pending announcements a sync answer carries (newest first). */
export const PENDING_ANNOUNCEMENTS_MAX = 50;
