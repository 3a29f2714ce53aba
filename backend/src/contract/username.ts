/** Lower-case so that 'Alice' and 'alice' are one account, as people expect on a LAN. */
export function normalizeUsername(name: string): string {
  return name.trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;
export const USERNAME_RULE = 'must be 1-32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit';
