import { Injectable } from '@nestjs/common';
import { AuthService, type AuthContext } from '../auth/auth.service';
import { AppConfig } from '../config/app-config';
import { ErrorCodes, normalizeUsername } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { OpenSignupLimiter } from '../rate-limit/open-signup-limiter.service';
import { UserRegistryService, type VerifiedConnection } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { UsersService } from '../users/users.service';
import type { VerifyUserDto } from '@parley/contract/schemas';

/**
 * Decides verify_user. A claim is only ever accepted when it matches the socket's session, or,
 * with PARLEY_AUTH=open, names a staff or client account that has no password (a new name creates
 * it, within PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE per address). Anything else
 * marks the socket NOT AUTHORISED and it gets no role.
 */
@Injectable()
export class VerificationService {
  constructor(
    private readonly registry: UserRegistryService,
    private readonly users: UsersService,
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly signups: OpenSignupLimiter,
  ) {}

  async verify(socketId: string, auth: AuthContext | null, claim: VerifyUserDto): Promise<VerifiedConnection> {
    let user: UserRow;
    try {
      user = await this.identify(socketId, auth, claim);
    } catch (error) {
      this.registry.refuse(socketId, claim.user_type, claim.user_name);
      throw error;
    }
    const verified = this.registry.verify(socketId, user);
    if (!verified) throw new ParleyError(ErrorCodes.NotAuthorised, 'The connection closed while verifying');
    return verified;
  }

  private async identify(socketId: string, auth: AuthContext | null, claim: VerifyUserDto): Promise<UserRow> {
    if (auth) {
      // The session was checked at connect; it may have been revoked or expired since.
      if (auth.sessionId !== null && !(await this.auth.isSessionActive(auth.sessionId))) {
        throw new ParleyError(ErrorCodes.NotAuthorised, 'This session has ended: sign in again');
      }
      let user = auth.user;
      if (auth.botTokenId !== null) {
        if (!(await this.auth.isBotTokenActive(auth.botTokenId))) {
          throw new ParleyError(ErrorCodes.NotAuthorised, 'This bot token was revoked or its bot disabled');
        }
        // A person's role change ends their sessions; a bot's leaves its token working, so the
        // row read at connect may hold a role the bot no longer has: verify against today's.
        const current = await this.users.findById(auth.user.id);
        if (!current || current.disabled) throw new ParleyError(ErrorCodes.NotAuthorised, 'This bot token was revoked or its bot disabled');
        user = current;
      }
      if (user.role === claim.user_type && user.username === normalizeUsername(claim.user_name)) {
        return user;
      }
      throw new ParleyError(
        ErrorCodes.NotAuthorised,
        `This connection is signed in as ${user.role} ${user.username}`,
      );
    }
    if (this.config.values.PARLEY_AUTH === 'open') {
      if (claim.user_type === 'staff' || claim.user_type === 'client') {
        // Only a name never seen before costs from the address's allowance.
        const ip = this.registry.get(socketId)?.ip ?? '';
        return this.users.findOrCreateOpenAccount(claim.user_name, claim.user_type, () => this.signups.admitNewAccount(ip));
      }
      if (claim.user_type === 'admin') {
        throw new ParleyError(ErrorCodes.NotAuthorised, 'Admins must sign in with a password');
      }
      throw new ParleyError(ErrorCodes.NotAuthorised, 'user_type must be admin, staff or client');
    }
    throw new ParleyError(ErrorCodes.NotAuthorised, 'Sign in first: this connection has no session');
  }
}
