import { Injectable, Logger } from '@nestjs/common';
import { SsoErrors } from '@parley/contract';
import { AuthService, type LoginResult } from '../../auth/auth.service';
import { AppConfig } from '../../config/app-config';
import type { UserRow } from '../../storage/database.types';
import { UserRepository } from '../../storage/user.repository';
import { DirectoryAccounts } from '../directory-accounts.service';
import { displayNameFromClaims, oidcExternalId, roleFromClaims, usernameFromClaims } from './oidc-claims';
import { OidcClient, type PendingSignIn, type ProvenIdentity } from './oidc-client.service';
import { SsoFailure } from './sso-failure';

/**
 * Single sign-on with an OpenID Connect provider, from the provider's answer to a Parley
 * session. The account is found by the provider's subject (`oidc:<issuer> <sub>`), else by the
 * user name claim; it is made at the first sign-in and its role and display name are read
 * again at every sign-in (a changed role ends the account's other sessions: DirectoryAccounts).
 * There is no periodic sync as for LDAP: a provider offers no standard way to list people, so
 * someone removed from every mapped group keeps the sessions they have until they expire, an
 * admin disables the account, or they try to sign in again (which disables it).
 */
@Injectable()
export class OidcSignIn {
  private readonly logger = new Logger('SingleSignOn');

  constructor(
    private readonly client: OidcClient,
    private readonly users: UserRepository,
    private readonly accounts: DirectoryAccounts,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  /**
   * A session for whoever the provider's answer at `callbackUrl` proves, if it belongs to the
   * sign-in this browser began (`pending`). Throws SsoFailure with the code the sign-in page shows.
   */
  async finish(callbackUrl: URL, pending: PendingSignIn | null): Promise<LoginResult> {
    if (!pending) throw new SsoFailure(SsoErrors.Expired, 'no sign-in is pending in this browser (no cookie, or it expired)');
    if (callbackUrl.searchParams.get('state') !== pending.state) throw new SsoFailure(SsoErrors.Expired, "the state does not match this browser's sign-in");
    const identity = await this.client.identify(callbackUrl, pending);
    const user = await this.account(identity);
    this.logger.log(`${user.username} signed in with single sign-on as ${user.role}`);
    return this.auth.startSession(user);
  }

  private async account({ issuer, sub, claims }: ProvenIdentity): Promise<UserRow> {
    const values = this.config.values;
    const externalId = oidcExternalId(issuer, sub);
    const known = await this.users.findByExternalId(externalId);
    const role = roleFromClaims(claims, values);
    if (!role) {
      // As the LDAP sign-in does: out of every group means out of Parley, on every device.
      if (known && !known.disabled) await this.accounts.remove(known, 'in_no_group');
      throw new SsoFailure(SsoErrors.NoRole, `${describe(sub, claims, values.PARLEY_OIDC_USERNAME_CLAIM)} has no ${values.PARLEY_OIDC_ROLE_CLAIM} value mapped to a role`);
    }
    // A known subject keeps its Parley name even if the provider's has changed (or become one Parley cannot hold).
    const username = known?.username ?? usernameFromClaims(claims, values);
    if (!username) {
      throw new SsoFailure(SsoErrors.NameUnavailable, `${describe(sub, claims, values.PARLEY_OIDC_USERNAME_CLAIM)}: the ${values.PARLEY_OIDC_USERNAME_CLAIM} claim is missing or not a valid Parley user name`);
    }
    const existing = known ?? (await this.users.findByUsername(username));
    // Someone else at this provider had the name (they were renamed or removed there): their
    // account, messages included, is not handed to whoever holds the name now. The same subject
    // found by name is not someone else: their other sign-in, finishing at the same moment, made
    // the account between the two lookups above.
    if (existing && !known && existing.external_id !== externalId && existing.external_id?.startsWith(oidcExternalId(issuer, ''))) {
      throw new SsoFailure(SsoErrors.NameUnavailable, `${username} belongs to another subject of this provider (${existing.external_id})`);
    }
    const person = { source: 'oidc', externalId, username, displayName: displayNameFromClaims(claims, username), role } as const;
    const user = await this.accounts.signedIn(person, existing);
    if (!user) {
      const why = existing ? `is already a ${existing.source} account; it is never taken over` : 'was taken by another account meanwhile';
      throw new SsoFailure(SsoErrors.NameUnavailable, `${username} ${why}`);
    }
    if (user.disabled) throw new SsoFailure(SsoErrors.Disabled, `${user.username} is disabled`);
    return user;
  }
}

/** Who the provider said it was, for the log. */
function describe(sub: string, claims: Readonly<Record<string, unknown>>, nameClaim: string): string {
  const name = claims[nameClaim];
  return `subject ${sub}${name === undefined ? '' : ` (${nameClaim} ${JSON.stringify(name).slice(0, 80)})`}`;
}
