import { Injectable } from '@nestjs/common';
import { PasswordPolicy } from '../auth/password-policy.service';
import { PasswordService } from '../auth/password.service';
import { AuditActions, normalizeUsername } from '@parley/contract';
import { AuditRepository } from '../storage/audit.repository';
import type { UserRow } from '../storage/database.types';
import { SessionRepository } from '../storage/session.repository';
import { UserRepository } from '../storage/user.repository';

/** A failure the command reports in one line, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * `npm run admin` exit codes: one meaning per code across every command, so a script can tell
 * them apart (README, "The admin command line"; docs/deployment.md); never renumbered. `check`
 * reports the problems it finds with `failed`.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  noSuchUser: 3,
  weakPassword: 4,
  /** migrate --status: migrations are pending. */
  pendingMigrations: 5,
  /** The database was migrated by a newer Parley (migrate, migrate --status, reset-password). */
  newerDatabase: 6,
  /** restore: the database or files folder holds data, and --force was not given. */
  targetNotEmpty: 7,
  /** restore: the backup's checksums or manifest do not match (truncated, altered, not a backup). */
  damagedBackup: 8,
  /** restore: a Parley server answers on PARLEY_PORT. */
  serverRunning: 9,
  /** restore: a sound backup this Parley cannot restore (newer format or schema, other database kind). */
  incompatibleBackup: 10,
} as const;

/** The account that must always be able to get back in. */
const ADMIN = 'admin';

/**
 * Gets someone back in when no admin can sign in (every admin password lost, or the last admin
 * disabled by hand in the database): works on the database directly, with or without a server.
 */
@Injectable()
export class AccountRecoveryService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly audit: AuditRepository,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicy,
  ) {}

  /**
   * Sets a new password (the given one, or a generated one), enables the account, makes `admin`
   * an admin again (creating it if it is gone) and ends every session of the user. Returns the
   * password to show.
   */
  async resetPassword(rawName: string, given: string | null): Promise<{ user: UserRow; password: string }> {
    const username = normalizeUsername(rawName);
    let user = await this.users.findByUsername(username);
    // A deleted account (its row kept under a tombstone name) stays deleted: bringing it back
    // would make an account no list shows and no REST route can name.
    if (user?.deleted_at != null) user = undefined;
    if (!user && username !== ADMIN) throw new CliError(`No user named ${username}`, EXIT.noSuchUser);
    // A bot has no password by design (a token is its only way in): giving it one would open a
    // second door no admin page shows.
    if (user?.bot) {
      throw new CliError(`${username} is a bot: it signs in with its API token, never a password (rotate the token on the Users page)`, EXIT.noSuchUser);
    }
    const inputs = [username, user?.display_name ?? ''];
    const password = given ?? (await this.policy.generate(inputs));
    const verdict = await this.policy.check(password, inputs);
    if (!verdict.ok) throw new CliError(`That password is too easy to guess: ${verdict.feedback}`, EXIT.weakPassword);
    const now = Date.now();
    const passwordHash = await this.passwords.hash(password);
    if (user) {
      user = (await this.users.update(user.id, { password_hash: passwordHash, disabled: false, ...(username === ADMIN ? { role: 'admin' } : {}) }, now))!;
    } else {
      user = await this.users.create({ username, display_name: 'Administrator', role: 'admin', password_hash: passwordHash, created_at: now, updated_at: now });
    }
    // A running server refuses the old sessions at their next request; open sockets of the user
    // close when they reconnect or the session check next runs.
    const revoked = await this.sessions.revokeAllForUser(user.id, now);
    await this.audit.insert({
      at: now,
      actor_id: null,
      actor_username: 'command line',
      action: AuditActions.UserRecovered,
      target: user.username,
      details: JSON.stringify({ enabled: true, role: user.role, sessions_ended: revoked.length }),
      ip: null,
    });
    return { user, password };
  }
}
