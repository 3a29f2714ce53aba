import { z } from 'zod';
import { usernameSchema } from './fields';
import { text } from './socket';

/*
 * Incoming webhooks (admin REST, and the public POST /api/hooks/<token>). A hook is bound to
 * one conversation, named by its conversation id as the web app names it ('group:staff',
 * 'channel:ops', 'user:sam', 'team:staff:cleo'), and posts as one bot.
 */

/** POST /api/admin/incoming-webhooks. */
export const createIncomingWebhookSchema = z.strictObject({
  bot: usernameSchema.describe('The bot account it posts as (POST /api/admin/bots)'),
  conversation: text().min(1).max(200).describe("Where it posts: 'group:<role>', 'channel:<name>', 'user:<name>' or 'team:<role>:<guest>'"),
  name: z.string().trim().max(100).optional().describe('A note for admins: what posts through it'),
});
export type CreateIncomingWebhookDto = z.infer<typeof createIncomingWebhookSchema>;

/**
 * POST /api/hooks/<token>: only the text (and a client_id for retries). Strict, so a body that
 * tries to choose its recipients is refused rather than silently posted elsewhere.
 */
export const incomingWebhookPostSchema = z.strictObject({
  text: text().min(1, 'must not be empty'),
  client_id: text().min(1).max(64).optional().describe('A resend with the same client_id is stored and delivered once'),
});
export type IncomingWebhookPostDto = z.infer<typeof incomingWebhookPostSchema>;

export const incomingWebhookIdParamSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

// ---- responses (the OpenAPI description is generated from these) ----

export const incomingWebhookSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  bot: z.string().describe('The bot it posts as'),
  conversation: z.string(),
  created_at: z.iso.datetime(),
  created_by: z.string(),
  last_used_at: z.iso.datetime().nullable().describe('Last message posted through it; null if never'),
  revoked_at: z.iso.datetime().nullable(),
});
export const incomingWebhookListResponseSchema = z.object({ hooks: z.array(incomingWebhookSchema) });
export const incomingWebhookCreatedResponseSchema = z.object({
  hook: incomingWebhookSchema,
  url: z.string().describe('The secret URL (…/api/hooks/parley_hook_…), shown this once'),
});
