import { z } from 'zod';
import { AUDIT_ACTIONS } from '../../contract/audit';

/** Query string of GET /api/admin/audit: values arrive as strings. */
export const auditQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  action: z.enum(AUDIT_ACTIONS as [string, ...string[]]).optional(),
});
export type AuditQueryDto = z.infer<typeof auditQuerySchema>;
