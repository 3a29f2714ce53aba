import { Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { SsoErrors } from '@parley/contract';
import { AppConfig } from '../../config/app-config';
import { SsoFailure } from './sso-failure';

/** What the browser carries from the start of a sign-in to its callback (PendingSignInCookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  /** The PKCE code verifier; only its S256 challenge went to the provider. */
  verifier: string;
}

/** The provider's word about who signed in: its issuer and the claims (ID token, then userinfo). */
export interface ProvenIdentity {
  issuer: string;
  sub: string;
  claims: Readonly<Record<string, unknown>>;
}

/** Seconds Parley waits for the provider (discovery, token, userinfo) before telling the browser it is unavailable. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * Parley as an OpenID Connect relying party (openid-client): the authorization code flow with
 * PKCE (S256), state and nonce. The provider's metadata is discovered at the first sign-in and
 * kept; a failed discovery is tried again at the next one, so Parley starts while the provider
 * is down. An http:// issuer is allowed (LAN providers often are) with a warning: its tokens
 * cross the network in clear.
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger('SingleSignOn');
  private discovered: Promise<oidc.Configuration> | null = null;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.values.PARLEY_OIDC_ISSUER !== undefined;
  }

  /** Where to send the browser, and what it must bring back to the callback. */
  async authorizationUrl(redirectUri: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const configuration = await this.configuration();
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.config.values.PARLEY_OIDC_SCOPES,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url, pending };
  }

  /**
   * Checks the provider's answer at `callbackUrl` (the redirect URI with the answer's query)
   * against `pending`, trades the code for tokens and returns the ID token's claims, completed
   * from the userinfo endpoint when the user name or role claim is not in the ID token (many
   * providers put only `sub` there). Throws SsoFailure: `refused` when the provider (or the
   * person) said no, `unavailable` for anything else the provider got wrong or could not answer.
   */
  async identify(callbackUrl: URL, pending: PendingSignIn): Promise<ProvenIdentity> {
    const configuration = await this.configuration();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        pkceCodeVerifier: pending.verifier,
      });
      const idToken = tokens.claims()!; // expectedNonce makes the library insist on an ID token
      let claims: Record<string, unknown> = idToken;
      const { PARLEY_OIDC_USERNAME_CLAIM: nameClaim, PARLEY_OIDC_ROLE_CLAIM: roleClaim } = this.config.values;
      if ((claims[nameClaim] === undefined || claims[roleClaim] === undefined) && configuration.serverMetadata().userinfo_endpoint) {
        const userinfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
        claims = { ...idToken, ...userinfo };
      }
      return { issuer: idToken.iss, sub: idToken.sub, claims };
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) {
        const reason = `the provider answered ${error.error}${error.error_description ? ` (${error.error_description.slice(0, 200)})` : ''}`;
        throw new SsoFailure(error.error === 'access_denied' ? SsoErrors.Refused : SsoErrors.Unavailable, reason);
      }
      throw new SsoFailure(SsoErrors.Unavailable, `the provider's answer could not be used: ${describe(error)}`);
    }
  }

  /** The provider's metadata and Parley's client settings; discovered once, again after a failure. */
  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = null;
      throw new SsoFailure(SsoErrors.Unavailable, `discovery at ${this.config.values.PARLEY_OIDC_ISSUER} failed: ${describe(error)}`);
    });
    return this.discovered;
  }

  private async discover(): Promise<oidc.Configuration> {
    const values = this.config.values;
    const issuer = new URL(values.PARLEY_OIDC_ISSUER!);
    const insecure = issuer.protocol === 'http:';
    const options = { timeout: PROVIDER_TIMEOUT_SECONDS, execute: insecure ? [oidc.allowInsecureRequests] : [] };
    const discovered = await oidc.discovery(issuer, values.PARLEY_OIDC_CLIENT_ID!, undefined, oidc.None(), options);
    const metadata = discovered.serverMetadata();
    const configuration = new oidc.Configuration(metadata, values.PARLEY_OIDC_CLIENT_ID!, values.PARLEY_OIDC_CLIENT_SECRET, clientAuthentication(metadata, values.PARLEY_OIDC_CLIENT_SECRET));
    configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
    if (insecure) {
      oidc.allowInsecureRequests(configuration);
      this.logger.warn(`PARLEY_OIDC_ISSUER is http:// (${issuer.origin}): codes and tokens cross the network unencrypted; use https:// outside a trusted LAN`);
    }
    this.logger.log(`Single sign-on provider discovered: ${metadata.issuer}`);
    return configuration;
  }
}

/**
 * A confidential client sends its secret the way the provider prefers: HTTP Basic when the
 * provider lists it or lists nothing (RFC 8414's default), else in the form body. A public
 * client (no secret) proves itself with PKCE alone.
 */
function clientAuthentication(metadata: oidc.ServerMetadata, secret: string | undefined): oidc.ClientAuth {
  if (secret === undefined) return oidc.None();
  const methods = metadata.token_endpoint_auth_methods_supported;
  return !methods || methods.includes('client_secret_basic') ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
}

/** One line for the log: the library's message and code, never a stack. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${typeof code === 'string' ? ` [${code}]` : ''}${cause}`;
}
