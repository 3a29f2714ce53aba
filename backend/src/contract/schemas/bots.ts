import { z } from 'zod';
import { ROLES } from '../roles';
import { displayNameSchema, usernameSchema } from './fields';
import { publicUserSchema } from './users';

/** POST /api/admin/bots: a bot is an account of a role with no password, signed in by its token. */
export const createBotSchema = z.strictObject({
  username: usernameSchema,
  display_name: displayNameSchema.optional(),
  role: z.enum(ROLES),
});
export type CreateBotDto = z.infer<typeof createBotSchema>;

// ---- responses (the OpenAPI description is generated from these) ----

/** The bot's working token, never its value (only its hash is stored); null when it has none. */
const botTokenStateSchema = z
  .object({
    created_at: z.iso.datetime(),
    created_by: z.string().describe('The admin who created or rotated it'),
    last_used_at: z.iso.datetime().nullable().describe('Last request or connection with it, to the minute; null if never'),
  })
  .nullable();

export const botSchema = publicUserSchema.extend({
  disabled: z.boolean(),
  created_at: z.iso.datetime(),
  token: botTokenStateSchema,
});
export type Bot = z.infer<typeof botSchema>;

export const botListResponseSchema = z.object({ bots: z.array(botSchema) });
export const botResponseSchema = z.object({ bot: botSchema });
/** Creation and rotation: the only answers that carry the token itself. */
export const botTokenResponseSchema = z.object({
  bot: botSchema,
  token: z.string().describe('The new API token (parley_bot_…), shown this once: send it as Authorization: Bearer, or as the socket.io auth token'),
});
