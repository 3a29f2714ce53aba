import { createHash } from 'node:crypto';
import { USERNAME_PATTERN } from '@parley/contract';

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
