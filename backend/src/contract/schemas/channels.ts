import { z } from 'zod';
import { CHANNEL_NAME_RULE, CHANNEL_TOPIC_MAX, CHANNEL_VISIBILITIES, type ChannelInfo, type ChannelMember, isChannelName } from '../channels';
import { ROLES } from '../roles';
import { usernameSchema } from './fields';

/** REST bodies for /api/channels. Names are lower-cased first, as user names are. */
export const channelNameSchema = z
  .string()
  .max(64)
  .transform((name) => name.trim().toLowerCase())
  .pipe(z.string().refine(isChannelName, CHANNEL_NAME_RULE));

const topicSchema = z
  .string()
  .trim()
  .max(CHANNEL_TOPIC_MAX)
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

export const createChannelSchema = z.strictObject({
  name: channelNameSchema,
  topic: topicSchema.optional(),
  visibility: z.enum(CHANNEL_VISIBILITIES),
  /** Invited at creation; the creator is always a member. */
  members: z.array(usernameSchema).max(500).optional(),
});
export type CreateChannelDto = z.infer<typeof createChannelSchema>;

export const updateChannelSchema = z
  .strictObject({
    name: channelNameSchema.optional(),
    topic: topicSchema.optional(),
    archived: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type UpdateChannelDto = z.infer<typeof updateChannelSchema>;

export const addChannelMemberSchema = z.strictObject({ username: usernameSchema });
export type AddChannelMemberDto = z.infer<typeof addChannelMemberSchema>;

/** A channel name in a path: any existing one (no role names), checked like a new one. */
export const channelNameParamSchema = channelNameSchema;

// ---- responses ----

export const channelInfoSchema = z.object({
  conversation: z.string(),
  name: z.string(),
  topic: z.string(),
  visibility: z.enum(CHANNEL_VISIBILITIES),
  builtin: z.boolean(),
  archived: z.boolean(),
  member: z.boolean(),
  manageable: z.boolean(),
  member_count: z.number().int(),
  created_by: z.string().nullable(),
  created_at: z.iso.datetime(),
}) satisfies z.ZodType<ChannelInfo>;

export const channelResponseSchema = z.object({ channel: channelInfoSchema });
export const channelListResponseSchema = z.object({ channels: z.array(channelInfoSchema) });
export const channelMemberSchema = z.object({
  username: z.string(),
  display_name: z.string(),
  role: z.enum(ROLES),
  online: z.boolean(),
}) satisfies z.ZodType<ChannelMember>;
export const channelMembersResponseSchema = z.object({ members: z.array(channelMemberSchema) });
