/**
 * Where an account comes from (docs/architecture.md, "Company directory"):
 * - `local`: created in Parley (an admin, the first-start admin, or open mode); Parley keeps its password;
 * - `ldap`: the company directory (LDAP / Active Directory) holds its password, name and role;
 * - `oidc`: a single sign-on provider (OpenID Connect) signs it in; it has no Parley password.
 */
export const ACCOUNT_SOURCES = ['local', 'ldap', 'oidc'] as const;
export type AccountSource = (typeof ACCOUNT_SOURCES)[number];

/** Single sign-on's two browser routes live under this path (`/start`, `/callback`). */
export const OIDC_PATH = '/api/auth/oidc';

/** GET /api/auth/methods: what the sign-in page offers. */
export interface SignInMethods {
  /** A user name and password form (always; with a directory, directory passwords work in it). */
  password: true;
  /** PARLEY_LDAP_URL is set: directory accounts sign in with their directory password. */
  directory: boolean;
  /** PARLEY_OIDC_ISSUER is set: "Sign in with <name>" starts at `start_url`. */
  sso: { name: string; start_url: string } | null;
}

/**
 * Why a single sign-on came back without a session: /login?sso_error=<code>. The sign-in page
 * shows SSO_ERROR_MESSAGES[code]; the details are in the server log.
 */
export const SsoErrors = {
  /** The provider refused, or the person cancelled there. */
  Refused: 'refused',
  /** The answer did not match this browser's sign-in (expired, replayed, another tab's). */
  Expired: 'expired',
  /** The provider gave no role claim Parley maps to admin, staff or client. */
  NoRole: 'no_role',
  /** The provider's user name is not a valid Parley name, or a local account has it. */
  NameUnavailable: 'name_unavailable',
  /** The account exists in Parley but an admin disabled it. */
  Disabled: 'disabled',
  /** The provider could not be reached or answered something Parley could not use. */
  Unavailable: 'unavailable',
} as const;
export type SsoError = (typeof SsoErrors)[keyof typeof SsoErrors];

export const SSO_ERROR_MESSAGES: Record<SsoError, string> = {
  refused: 'Single sign-on was cancelled or refused. Try again, or sign in with a user name and password.',
  expired: 'That sign-in took too long or was started in another tab. Please try again.',
  no_role: 'Your account is not in any group that may use Parley. Ask your administrator to add you.',
  name_unavailable: 'Your single sign-on user name cannot be used in Parley (another account has it, or it has characters Parley does not allow). Ask your administrator.',
  disabled: 'Your Parley account is disabled. Ask your administrator.',
  unavailable: 'The single sign-on provider could not be reached. Try again later, or sign in with a user name and password.',
};
