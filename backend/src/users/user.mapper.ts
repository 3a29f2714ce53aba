import type { PublicUser } from '@parley/contract';
import type { UserRow } from '../storage/database.types';
import type { AdminUser } from '@parley/contract/schemas';

export function toPublicUser(user: UserRow): PublicUser {
  return { username: user.username, display_name: user.display_name, role: user.role };
}

/** What an admin sees in the user list. */
export function toAdminUser(user: UserRow): AdminUser {
  return {
    ...toPublicUser(user),
    disabled: user.disabled === 1,
    source: user.source,
    has_password: user.password_hash !== null,
    bot: user.bot === 1,
    created_at: new Date(user.created_at).toISOString(),
    updated_at: new Date(user.updated_at).toISOString(),
  };
}
