import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Lower-case so that 'Alice' and 'alice' are one account, as people expect on a LAN. */
export function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/**
 * A valid user name for whatever a prototype page claims ("John Smith" -> "john-smith",
 * "José" -> "jose"): open mode accepted any name, so it must still map every name to an account.
 * Names with no Latin letters or digits get a stable hash-based name.
 */
export function usernameFromClaim(claim: string): string {
  const slug = claim
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 32)
    .replace(/[-._]+$/g, '');
  if (USERNAME_PATTERN.test(slug)) return slug;
  return `user-${createHash('sha256').update(claim.trim()).digest('hex').slice(0, 10)}`;
}

export const usernameSchema = z
  .string()
  .max(64)
  .transform(normalizeUsername)
  .pipe(
    z
      .string()
      .regex(USERNAME_PATTERN, 'must be 1-32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit'),
  );

export const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
export const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256);
