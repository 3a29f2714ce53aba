import { z } from 'zod';
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
export const meResponseSchema = z.object({ user: publicUserSchema });
export const sessionResponseSchema = z.object({ user: publicUserSchema.nullable() });
