import { z } from 'zod';
import type { PublicUser } from '../protocol';
import { ROLES } from '../roles';
import { ACCOUNT_SOURCES } from '../sign-in';
import { displayNameSchema, passwordSchema, usernameSchema } from './fields';

export const createUserSchema = z.strictObject({
  username: usernameSchema,
  display_name: displayNameSchema.optional(),
  role: z.enum(ROLES),
  password: passwordSchema,
});
export type CreateUserDto = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .strictObject({
    display_name: displayNameSchema.optional(),
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type UpdateUserDto = z.infer<typeof updateUserSchema>;

export const resetPasswordSchema = z.strictObject({ password: passwordSchema });
export type ResetPasswordDto = z.infer<typeof resetPasswordSchema>;

/** POST /api/me/password: one's own password, proven by the current one. */
export const changePasswordSchema = z.strictObject({
  // Checked against the stored hash, not the rule: an old password may predate the rule.
  current_password: z.string().min(1).max(1024),
  new_password: passwordSchema,
});
export type ChangePasswordDto = z.infer<typeof changePasswordSchema>;

/** PATCH /api/me: what a person may change of their own account. */
export const updateMeSchema = z.strictObject({ display_name: displayNameSchema });
export type UpdateMeDto = z.infer<typeof updateMeSchema>;

export const usernameParamSchema = usernameSchema;

export const USER_PAGE = { default: 100, max: 500 } as const;
/** Query string of GET /api/users: values arrive as strings. */
export const userListQuerySchema = z.strictObject({
  after: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(USER_PAGE.max).default(USER_PAGE.default),
  q: z.string().trim().max(64).optional(),
});
export type UserListQueryDto = z.infer<typeof userListQuerySchema>;

// ---- responses (the OpenAPI description is generated from these) ----

export const publicUserSchema = z.object({
  username: z.string(),
  display_name: z.string(),
  role: z.enum(ROLES),
}) satisfies z.ZodType<PublicUser>;

/** What an admin sees of an account. */
export const adminUserSchema = publicUserSchema.extend({
  disabled: z.boolean(),
  source: z.enum(ACCOUNT_SOURCES).describe('local: Parley keeps the password; ldap: the company directory; oidc: single sign-on'),
  has_password: z.boolean().describe('false for an open-mode account that never had a password'),
  bot: z.boolean().describe('A bot account (POST /api/admin/bots): no password, signed in by its API token'),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

export const userResponseSchema = z.object({ user: adminUserSchema });
export const userListResponseSchema = z.object({
  users: z.array(adminUserSchema),
  next_after: z.string().nullable().describe('Pass as `after` for the next page; null at the end'),
});
