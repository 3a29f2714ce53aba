import type { Bot } from '@parley/contract/schemas';
import type { BotWithToken } from '../storage/bot.repository';
import { toPublicUser } from '../users/user.mapper';

const iso = (ms: number) => new Date(ms).toISOString();

/** A bot as an admin sees it: the account and its token's state, never the token (only its hash is kept). */
export function toBot({ user, token }: BotWithToken): Bot {
  return {
    ...toPublicUser(user),
    disabled: user.disabled === 1,
    created_at: iso(user.created_at),
    token: token && {
      created_at: iso(token.created_at),
      created_by: token.created_by,
      last_used_at: token.last_used_at === null ? null : iso(token.last_used_at),
    },
  };
}
