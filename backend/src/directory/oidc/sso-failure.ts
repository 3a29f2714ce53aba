import type { SsoError } from '@parley/contract';

/**
 * A single sign-on that ends without a session. The browser gets only `code` (the sign-in page
 * explains it: SSO_ERROR_MESSAGES); `reason` is for the server log.
 */
export class SsoFailure extends Error {
  constructor(
    readonly code: SsoError,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SsoFailure';
  }
}
