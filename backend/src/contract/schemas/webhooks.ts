import { z } from 'zod';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENTS, type WebhookDeliveryStatus, type WebhookEvent } from '../webhooks';

/*
 * Outgoing webhooks (admin REST). Conversations are named as in retention and export
 * ('group:staff', 'channel:ops', 'team:staff:cleo', 'dm:amy:sam'): a DM's messages go out only
 * to a webhook that names that DM.
 */

const webhookEvent = z.enum(WEBHOOK_EVENTS as [WebhookEvent, ...WebhookEvent[]], {
  error: `events: each one of ${WEBHOOK_EVENTS.join(', ')}`,
});
const deliveryStatus = z.enum(WEBHOOK_DELIVERY_STATUSES as [WebhookDeliveryStatus, ...WebhookDeliveryStatus[]]);

const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'url: must be an http:// or https:// URL' })
  .max(2000)
  .describe('Where deliveries are POSTed; its host must be allowed by PARLEY_WEBHOOK_ALLOWED_HOSTS');
const events = z.array(webhookEvent).min(1).max(WEBHOOK_EVENTS.length).describe(`Which events to send: ${WEBHOOK_EVENTS.join(', ')}`);
const conversations = z
  .array(z.string().min(1).max(200))
  .min(1)
  .max(100)
  .nullable()
  .describe("Only these conversations ('group:<role>', 'channel:<name>', 'team:<role>:<guest>', 'dm:<name>:<name>'); null or absent: every conversation but direct messages");
const description = z.string().trim().max(200).describe('A note for admins: what receives it');

/** POST /api/admin/webhooks. */
export const createWebhookSchema = z.strictObject({
  url: webhookUrl,
  events,
  conversations: conversations.optional(),
  description: description.optional(),
  enabled: z.boolean().optional().describe('Default true; a disabled webhook queues nothing and sends nothing'),
});
export type CreateWebhookDto = z.infer<typeof createWebhookSchema>;

/** PATCH /api/admin/webhooks/:id: any of the fields. */
export const updateWebhookSchema = z
  .strictObject({ url: webhookUrl, events, conversations, description, enabled: z.boolean() })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'give at least one of url, events, conversations, description, enabled');
export type UpdateWebhookDto = z.infer<typeof updateWebhookSchema>;

const deliveryCounts = z.object({
  pending: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
});

export const webhookResponseSchema = z.object({
  id: z.number().int(),
  url: z.string(),
  events: z.array(webhookEvent),
  conversations: z.array(z.string()).nullable(),
  description: z.string(),
  enabled: z.boolean(),
  created_at: z.string(),
  created_by: z.string(),
  secret_rotated_at: z.string().nullable(),
  deliveries: deliveryCounts.describe('Deliveries kept (the last 7 days), by status'),
  last_delivery: z
    .object({ status: deliveryStatus, at: z.string(), error: z.string().nullable() })
    .nullable()
    .describe('The newest delivery attempted, or null before the first'),
});

/** The answer to a creation and a rotation: the only ones that carry the secret. */
export const webhookWithSecretResponseSchema = z.object({
  webhook: webhookResponseSchema,
  secret: z.string().describe('The signing secret; shown only now'),
});

export const webhookListResponseSchema = z.object({ webhooks: z.array(webhookResponseSchema) });

/** Query of GET /api/admin/webhooks/:id/deliveries. */
export const webhookDeliveriesQuerySchema = z.strictObject({
  status: deliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type WebhookDeliveriesQueryDto = z.infer<typeof webhookDeliveriesQuerySchema>;

export const webhookDeliveryResponseSchema = z.object({
  id: z.string().describe('As X-Parley-Delivery and the body\'s id'),
  event: webhookEvent,
  message_id: z.number().int(),
  status: deliveryStatus,
  attempts: z.number().int(),
  created_at: z.string(),
  last_attempt_at: z.string().nullable(),
  next_attempt_at: z.string().nullable().describe('When pending: the next try'),
  last_status: z.number().int().nullable().describe("The receiver's last HTTP status, if it answered"),
  last_error: z.string().nullable(),
  delivered_at: z.string().nullable(),
});

export const webhookDeliveriesResponseSchema = z.object({ deliveries: z.array(webhookDeliveryResponseSchema) });
export const webhookDeliveryAnswerSchema = z.object({ delivery: webhookDeliveryResponseSchema });

export const webhookIdParamSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const webhookDeliveryIdParamSchema = z.uuid();
