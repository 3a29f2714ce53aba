import { z } from 'zod';
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from '../audit';

/** z.enum wants a non-empty tuple; AUDIT_ACTIONS is one, typed as a plain array. */
const auditAction = z.enum(AUDIT_ACTIONS as [AuditAction, ...AuditAction[]]);

/** Query string of GET /api/admin/audit: values arrive as strings. */
export const auditQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  action: auditAction.optional(),
});
export type AuditQueryDto = z.infer<typeof auditQuerySchema>;

const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string().describe('ISO 8601 time'),
  actor: z.string().describe('User name of the admin, or "parley" for the server itself'),
  action: auditAction,
  target: z.string().nullable().describe('The user name or socket id acted on'),
  details: z.record(z.string(), z.unknown()).describe('What changed; never a password, token or message text'),
  ip: z.string().nullable().describe('Where the admin acted from'),
}) satisfies z.ZodType<AuditEntry>;

export const auditPageResponseSchema = z.object({
  entries: z.array(auditEntrySchema),
  next_before: z.number().int().nullable().describe('Pass as `before` for the next (older) page; null at the end'),
});
