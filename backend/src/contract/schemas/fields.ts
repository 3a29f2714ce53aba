import { z } from 'zod';
import { normalizeUsername, USERNAME_PATTERN, USERNAME_RULE } from '../username';

export const usernameSchema = z.string().max(64).transform(normalizeUsername).pipe(z.string().regex(USERNAME_PATTERN, USERNAME_RULE));

export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256);
