import { z } from 'zod';
import { ROLES } from '../roles';
import { HISTORY_PAGE, messageId, text } from './socket';

/*
 * Messages over REST (POST /api/messages, GET /api/conversations/:id/messages): the socket's
 * send_message and history for scripts and bots. The send body is send_message's own schema
 * (sendMessageSchema, in ./socket), so the two cannot drift apart.
 */

/** A conversation id in the path: the forms `history` takes (contract/conversation-id.ts). */
export const conversationIdParamSchema = text().min(1).max(128);

/** Query string of GET /api/conversations/:id/messages: history's fields, numbers arriving as strings. */
export const historyQuerySchema = z.strictObject({
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE.max).default(HISTORY_PAGE.default),
});
export type HistoryQueryDto = z.infer<typeof historyQuerySchema>;

// ---- responses (the OpenAPI description is generated from these) ----

/** send_message's ack, as the REST answer. */
export const sendMessageResponseSchema = z.object({
  ok: z.literal(true),
  id: messageId,
  sent_at: z.iso.datetime(),
  client_id: z.string().nullable(),
  duplicate: z.boolean().describe('true: a message with this client_id was stored before; this is its id, and nothing was sent again'),
  message: z.string().optional().describe('The text as stored, when an extension changed it (e.g. masked a word); absent when it is what was sent'),
});

/** A message as every read sends it (WireMessage); the optional fields are described in docs/protocol.md. */
const wireMessageSchema = z.looseObject({
  message: z.string(),
  sender: z.string(),
  sender_name: z.string(),
  id: messageId,
  sent_at: z.iso.datetime(),
  sender_role: z.enum(ROLES),
  target_kind: z.enum(['group', 'user', 'team', 'channel']),
  target: z.string(),
  client_id: z.string().nullable(),
  sender_bot: z.literal(true).optional(),
});

/** history's ack, as the REST answer. */
export const historyResponseSchema = z.object({
  ok: z.literal(true),
  messages: z.array(wireMessageSchema).describe('Oldest first'),
  more: z.boolean().describe('Older messages exist: ask again with before = the oldest id here'),
  receipts: z.array(z.object({ conversation: z.string(), user_name: z.string(), up_to: messageId })),
});
