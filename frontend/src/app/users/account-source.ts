import type { AccountSource } from '@parley/contract';

/** The users table's short word for where an account comes from. */
export const SOURCE_LABELS: Record<AccountSource, string> = {
  local: 'Local',
  ldap: 'Directory',
  oidc: 'Single sign-on',
};

/** The same, in full, with what it means for the admin: the tooltip and what a screen reader says. */
export const SOURCE_DESCRIPTIONS: Record<AccountSource, string> = {
  local: 'Account made in Parley; Parley keeps its password',
  ldap: 'Account from the company directory (LDAP): its password, name and role are managed there',
  oidc: 'Account from single sign-on (OpenID Connect): it signs in there, and its role comes from its groups there',
};

/** Why the edit dialog's role cannot be changed: the next sign-in or directory sync would undo it. */
export const ROLE_SOURCE_HINTS: Record<Exclude<AccountSource, 'local'>, string> = {
  ldap: "The role comes from the account's groups in the directory.",
  oidc: "The role comes from the account's single sign-on groups.",
};

/** Why the edit dialog's display name cannot be changed: the next sign-in or directory sync would undo it. */
export const NAME_SOURCE_HINTS: Record<Exclude<AccountSource, 'local'>, string> = {
  ldap: 'The name comes from the company directory.',
  oidc: 'The name comes from single sign-on.',
};
