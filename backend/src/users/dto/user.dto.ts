import { z } from 'zod';
import { ROLES } from '../../contract/roles';
import { displayNameSchema, passwordSchema, usernameSchema } from '../../auth/username';

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

export const usernameParamSchema = usernameSchema;
