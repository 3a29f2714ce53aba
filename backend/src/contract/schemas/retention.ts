import { z } from 'zod';

/*
 * Retention and export (admin REST). Conversations are named as on the socket ('group:staff',
 * 'channel:ops', 'team:staff:cleo'), except a DM: an admin is not one of its two people, so it
 * is named by both, 'dm:amy:sam'.
 */

const conversationName = z.string().min(1).max(200);

/** PUT /api/admin/retention: one conversation's override. */
export const setRetentionSchema = z.strictObject({
  conversation: conversationName.describe("'group:<role>', 'channel:<name>', 'team:<role>:<guest>' or 'dm:<name>:<name>'"),
  days: z
    .number()
    .int()
    .min(0)
    .max(100 * 365)
    .nullable()
    .describe('Keep messages this many days; 0 keeps them forever; null removes the override (the global PARLEY_RETENTION_DAYS applies)'),
});
export type SetRetentionDto = z.infer<typeof setRetentionSchema>;

const retentionOverrideSchema = z.object({
  conversation: z.string(),
  days: z.number().int().describe('0: kept forever'),
  updated_at: z.string(),
  updated_by: z.string(),
});

export const retentionResponseSchema = z.object({
  default_days: z.number().int().nullable().describe('PARLEY_RETENTION_DAYS; null: kept forever'),
  overrides: z.array(retentionOverrideSchema),
});

/** Query of GET /api/admin/export. Dates are ISO 8601 (a day or a time); all optional. */
export const exportQuerySchema = z.strictObject({
  conversation: conversationName.optional(),
  after: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('Only messages sent at or after this time'),
  before: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('Only messages sent before this time'),
});
export type ExportQueryDto = z.infer<typeof exportQuerySchema>;
