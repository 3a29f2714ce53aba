import { z } from 'zod';

/** Lower-case so that 'Alice' and 'alice' are one account, as people expect on a LAN. */
export function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export const usernameSchema = z
  .string()
  .max(64)
  .transform(normalizeUsername)
  .pipe(
    z
      .string()
      .regex(USERNAME_PATTERN, 'must be 1-32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit'),
  );

export const displayNameSchema = z.string().trim().min(1).max(64);
export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256);
