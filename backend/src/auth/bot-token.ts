import { randomBytes } from 'node:crypto';

/**
 * Bot API tokens: `parley_bot_` and 256 random bits in base64url. The prefix lets a token be
 * told from a session token without a lookup (AuthService.authenticate asks the right table),
 * and lets secret scanners and people recognise one pasted where it should not be. Stored as
 * SHA-256 only, like session tokens (hashSessionToken): 256 random bits need no slow hash.
 */
export const BOT_TOKEN_PREFIX = 'parley_bot_';

export function newBotToken(): string {
  return `${BOT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isBotToken(token: string): boolean {
  return token.startsWith(BOT_TOKEN_PREFIX);
}
