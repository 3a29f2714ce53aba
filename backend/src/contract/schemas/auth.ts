import { z } from 'zod';
import { ACCOUNT_SOURCES, type SignInMethods } from '../sign-in';
import { publicUserSchema } from './users';

export const loginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginDto = z.infer<typeof loginSchema>;

// ---- responses (the OpenAPI description is generated from these) ----

export const loginResponseSchema = z.object({
  user: publicUserSchema,
  token: z.string().describe('Send as `Authorization: Bearer <token>`; browsers get the same session as a cookie'),
  expires_at: z.iso.datetime(),
});
/** GET /api/me and PATCH /api/me: `source` says where the password lives (the account page's password form is for `local` only). */
export const meResponseSchema = z.object({ user: publicUserSchema, source: z.enum(ACCOUNT_SOURCES) });
export const signInMethodsSchema = z.object({
  password: z.literal(true),
  directory: z.boolean(),
  sso: z.object({ name: z.string(), start_url: z.string() }).nullable(),
}) satisfies z.ZodType<SignInMethods>;
/**
 * `expires_at`: when this session ends (it does not slide), null when nobody is signed in or for
 * a bot's token. The web app keeps what it saved for offline use no longer than that.
 */
export const sessionResponseSchema = z.object({ user: publicUserSchema.nullable(), expires_at: z.iso.datetime().nullable() });
