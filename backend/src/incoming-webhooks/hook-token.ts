import { randomBytes } from 'node:crypto';

/**
 * Incoming-webhook tokens: `parley_hook_` and 256 random bits in base64url, the only secret in
 * the hook's URL. The prefix lets secret scanners and people recognise one pasted where it
 * should not be. Stored as SHA-256 only (hashSessionToken), like bot and session tokens.
 */
export const HOOK_TOKEN_PREFIX = 'parley_hook_';

export function newHookToken(): string {
  return `${HOOK_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The public path a hook posts to; also what the HTTP log shows instead of it (`/api/hooks/…`). */
export const HOOKS_PATH = '/api/hooks';
