import { normalizeUsername, type Role, USERNAME_PATTERN } from '@parley/contract';
import type { Env } from '../../config/env.schema';

/** The settings that say how claims become a Parley account. */
export type ClaimSettings = Pick<
  Env,
  'PARLEY_OIDC_USERNAME_CLAIM' | 'PARLEY_OIDC_ROLE_CLAIM' | 'PARLEY_OIDC_ADMIN_GROUP' | 'PARLEY_OIDC_STAFF_GROUP' | 'PARLEY_OIDC_CLIENT_GROUP'
>;

/** `oidc:<issuer> <sub>` (UsersTable.external_id): a provider's subject never changes, its user names may. */
export const oidcExternalId = (issuer: string, sub: string) => `oidc:${issuer} ${sub}`;

/** The Parley user name in the username claim, or null when it is missing or not a valid Parley name. */
export function usernameFromClaims(claims: Readonly<Record<string, unknown>>, settings: ClaimSettings): string | null {
  const raw = claims[settings.PARLEY_OIDC_USERNAME_CLAIM];
  if (typeof raw !== 'string') return null;
  const username = normalizeUsername(raw);
  return USERNAME_PATTERN.test(username) ? username : null;
}

/** `name`, as a Parley display name (1-64 characters, no NUL), or the user name. */
export function displayNameFromClaims(claims: Readonly<Record<string, unknown>>, username: string): string {
  const name = typeof claims.name === 'string' ? claims.name.replaceAll('\0', '').trim().slice(0, 64).trim() : '';
  return name || username;
}

/**
 * The role the role claim (a string or a list of strings) maps to: admin over staff over
 * client, values compared exactly; null when it names no mapped group.
 */
export function roleFromClaims(claims: Readonly<Record<string, unknown>>, settings: ClaimSettings): Role | null {
  const raw = claims[settings.PARLEY_OIDC_ROLE_CLAIM];
  const values = new Set((Array.isArray(raw) ? raw : [raw]).filter((value): value is string => typeof value === 'string'));
  const mapping: Array<[Role, string | undefined]> = [
    ['admin', settings.PARLEY_OIDC_ADMIN_GROUP],
    ['staff', settings.PARLEY_OIDC_STAFF_GROUP],
    ['client', settings.PARLEY_OIDC_CLIENT_GROUP],
  ];
  return mapping.find(([, group]) => group !== undefined && values.has(group))?.[0] ?? null;
}
