import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LoginThrottle } from '../rate-limit/login-throttle.service';
import { ErrorCodes, normalizeUsername, type SessionEndReason } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import type { UserRow } from '../storage/database.types';
import { BotRepository } from '../storage/bot.repository';
import { SessionRepository } from '../storage/session.repository';
import { UserRepository } from '../storage/user.repository';
import { AccountActivity } from './account-activity';
import { AccountEvents } from './account-events';
import { isBotToken } from './bot-token';
import { PasswordService } from './password.service';
import { hashSessionToken, newSessionToken } from './session-token';

export interface AuthContext {
  user: UserRow;
  /** null for an open-mode socket, which has no session to revoke. */
  sessionId: number | null;
  /** When the session ends (epoch ms); null without a session. */
  expiresAt: number | null;
  /** The bot API token that authenticated this (no session then); null for people. */
  botTokenId: number | null;
}

/** A token's last use is written at most this often: a bot posting every second costs one write a minute. */
const TOKEN_USE_RESOLUTION_MS = 60_000;

/**
 * A directory that checks passwords of accounts Parley does not keep one for (the company's
 * LDAP; see DirectoryModule, which registers itself with useDirectory at start). `signIn`
 * answers the account signed in (created or brought up to date from the directory), or null
 * for a wrong password, an unknown person or one in no mapped group; it throws
 * DIRECTORY_UNAVAILABLE when the directory cannot be reached.
 */
export interface PasswordDirectory {
  signIn(username: string, password: string, existing: UserRow | undefined): Promise<UserRow | null>;
}

export interface LoginResult {
  user: UserRow;
  token: string;
  expiresAt: number;
}

@Injectable()
export class AuthService {
  /** Compared against when the user does not exist, so timing does not reveal valid names. */
  private dummyHash: Promise<string> | null = null;
  private directory: PasswordDirectory | null = null;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly passwords: PasswordService,
    private readonly events: AccountEvents,
    private readonly throttle: LoginThrottle,
    private readonly config: AppConfig,
    private readonly activity: AccountActivity,
    private readonly bots: BotRepository,
  ) {}

  /**
   * A wrong password, an unknown name and a disabled account all get one answer (401), so the
   * answer never tells whether a guessed password was right (issue 10, finding 7). `device` is
   * the id of a device cookie verified for this name, which takes the attempt out of the
   * per-address and per-account limits (finding 4).
   */
  async login(username: string, password: string, ip: string, device: string | null = null): Promise<LoginResult> {
    const attempt = this.throttle.begin(username, ip, device);
    const name = normalizeUsername(username);
    const user = await this.users.findByUsername(name);
    // A local account (the break-glass admin among them) never asks the directory, so it signs
    // in while the directory is down; a name Parley does not know may be a directory person.
    const signedIn =
      this.directory && (!user || user.source === 'ldap')
        ? await this.directory.signIn(name, password, user)
        : await this.checkLocalPassword(user, password);
    if (!signedIn || signedIn.disabled) throw new ParleyError(ErrorCodes.InvalidCredentials, 'Wrong user name or password');
    this.throttle.succeeded(attempt);
    return this.startSession(signedIn);
  }

  /** Who else checks passwords: the company directory (DirectoryModule) registers itself here. */
  useDirectory(directory: PasswordDirectory): void {
    this.directory = directory;
  }

  private async checkLocalPassword(user: UserRow | undefined, password: string): Promise<UserRow | null> {
    const hash = user?.password_hash ?? (await (this.dummyHash ??= this.passwords.hash('not a password')));
    const valid = await this.passwords.verify(password, hash);
    // A bot never has a password; refused here too, so a hash written behind Parley's back signs nothing in.
    return user && user.password_hash && !user.bot && valid ? user : null;
  }

  /** A new session for someone already proven (a password, the directory, single sign-on). */
  async startSession(user: UserRow): Promise<LoginResult> {
    const token = newSessionToken();
    const now = Date.now();
    const expiresAt = now + this.config.values.PARLEY_SESSION_TTL_HOURS * 3_600_000;
    await this.sessions.create({ token_hash: hashSessionToken(token), user_id: user.id, created_at: now, expires_at: expiresAt });
    this.activity.emit('signed_in', user);
    return { user, token, expiresAt };
  }

  /**
   * The signed-in user behind a token, or null if it is unknown, revoked, expired or disabled.
   * A bot's API token (by its prefix) authenticates as the bot, with no session.
   */
  async authenticate(token: string): Promise<AuthContext | null> {
    if (isBotToken(token)) return this.authenticateBot(token);
    const found = await this.sessions.findActive(hashSessionToken(token), Date.now());
    if (!found || found.user.disabled) return null;
    return { user: found.user, sessionId: found.session.id, expiresAt: found.session.expires_at, botTokenId: null };
  }

  private async authenticateBot(token: string): Promise<AuthContext | null> {
    const found = await this.bots.findActive(hashSessionToken(token));
    if (!found) return null;
    const now = Date.now();
    if (found.token.last_used_at === null || now - found.token.last_used_at >= TOKEN_USE_RESOLUTION_MS) await this.bots.touch(found.token.id, now);
    return { user: found.user, sessionId: null, expiresAt: null, botTokenId: found.token.id };
  }

  /** Whether a bot token still works (not revoked, its bot enabled): checked again at verify_user. */
  isBotTokenActive(tokenId: number): Promise<boolean> {
    return this.bots.isActive(tokenId);
  }

  isSessionActive(sessionId: number): Promise<boolean> {
    return this.sessions.isActive(sessionId, Date.now());
  }

  /**
   * Ends one session and closes its sockets. `reason` when an administrator ended it (the
   * roster's Disconnect ends that device's session); none for the user's own sign-out.
   */
  async logout(sessionId: number, reason?: SessionEndReason): Promise<void> {
    await this.sessions.revoke(sessionId, Date.now());
    this.events.emit({ kind: 'sessions-revoked', sessionIds: [sessionId], reason });
  }

  /** Ends every other session of a user and their sockets, keeping `keep` (the one asking). */
  async signOutOtherSessions(userId: number, keep: number | null, reason: SessionEndReason): Promise<void> {
    const revoked = await this.sessions.revokeOthersOfUser(userId, keep, Date.now());
    if (revoked.length > 0) this.events.emit({ kind: 'sessions-revoked', sessionIds: revoked, reason });
  }

  /** Ends every session and connection of a user (disable, password reset, role change, admin sign-out). */
  async signOutEverywhere(userId: number, reason: SessionEndReason): Promise<void> {
    const revoked = await this.sessions.revokeAllForUser(userId, Date.now());
    // One event for both: the sockets are told the reason once, then all of them close.
    this.events.emit({ kind: 'user-changed', userId, sessionIds: revoked, reason });
  }
}
