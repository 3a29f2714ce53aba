import { z } from 'zod';
import { ANNOUNCEMENT_MAX_CHARS, type Announcement, type AnnouncementAcks, type AnnouncementStatus } from '../announcements';
import { ROLES } from '../roles';
import { publicUserSchema } from './users';

export { ANNOUNCEMENT_MAX_CHARS };

export const createAnnouncementSchema = z.strictObject({
  message: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(ANNOUNCEMENT_MAX_CHARS)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters'),
  /** Omitted: everyone. */
  roles: z.array(z.enum(ROLES)).min(1).max(3).optional(),
});
export type CreateAnnouncementDto = z.infer<typeof createAnnouncementSchema>;

export const announcementIdParamSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

// ---- responses ----

export const announcementSchema = z.object({
  id: z.number().int(),
  message: z.string(),
  author: z.string(),
  author_display_name: z.string(),
  roles: z.array(z.enum(ROLES)),
  created_at: z.iso.datetime(),
  acknowledged_at: z.iso.datetime().nullable(),
}) satisfies z.ZodType<Announcement>;

export const announcementStatusSchema = announcementSchema.extend({
  audience: z.number().int(),
  acknowledged: z.number().int(),
}) satisfies z.ZodType<AnnouncementStatus>;

export const announcementResponseSchema = z.object({ announcement: announcementSchema });
export const announcementListResponseSchema = z.object({ announcements: z.array(announcementSchema) });
export const announcementStatusListResponseSchema = z.object({ announcements: z.array(announcementStatusSchema) });
export const announcementAcksResponseSchema = z.object({
  acknowledged: z.array(publicUserSchema.extend({ acknowledged_at: z.iso.datetime() })),
  pending: z.array(publicUserSchema),
}) satisfies z.ZodType<AnnouncementAcks>;

/** GET /api/admin/announcements: newest first, paged backwards with `before` (the last id of the previous page). */
export const ANNOUNCEMENT_PAGE = { default: 50, max: 200 } as const;
export const announcementPageQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(ANNOUNCEMENT_PAGE.max).default(ANNOUNCEMENT_PAGE.default),
});
export type AnnouncementPageQueryDto = z.infer<typeof announcementPageQuerySchema>;
