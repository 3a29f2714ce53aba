import { Injectable } from '@nestjs/common';
import { AccountActivity } from '../auth/account-activity';
import { AuthService } from '../auth/auth.service';
import { NodeBus } from '../cluster/node-bus.service';
import { PasswordPolicy } from '../auth/password-policy.service';
import { PasswordService } from '../auth/password.service';
import { usernameFromClaim } from '../auth/username';
import { ErrorCodes, normalizeUsername, type Role, tombstoneName } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import type { UserRow } from '../storage/database.types';
import { DuplicateKeyError, NoAdminLeftError } from '../storage/storage-errors';
import { UserRepository, type UserPageQuery } from '../storage/user.repository';
import type { CreateUserDto, UpdateUserDto } from '@parley/contract/schemas';

/** How long a cached account is trusted without a change notice (see UsersService.remember). */
const CACHE_MS = 10_000;

/** Wrong current passwords an account may give changeOwnPassword per window, on one node. */
export const WRONG_PASSWORD_TRIES = 5;
export const WRONG_PASSWORD_WINDOW_MS = 15 * 60_000;

/** Between nodes: this account changed; drop any cached copy. */
export const USER_CHANGED = 'parley:user:changed';

/**
 * Accounts. Keeps a by-name cache so that routing a DM costs no database round trip; every
 * write goes through here and refreshes it, and tells the other nodes of a cluster to forget
 * their copy (a disabled account must not stay usable on another node).
 */
@Injectable()
export class UsersService {
  private readonly byName = new Map<string, { user: UserRow; until: number }>();
  /** Wrong current passwords per account on this node, for changeOwnPassword. */
  private readonly wrongTries = new Map<number, { count: number; since: number }>();

  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicy,
    private readonly auth: AuthService,
    private readonly bus: NodeBus,
    private readonly activity: AccountActivity,
  ) {
    bus.subscribe(USER_CHANGED, (payload) => this.byName.delete(String((payload as { username: unknown }).username)));
  }

  /** After a change made elsewhere (the directory sync): this node's cache and the others' forget the old copy. */
  noteChanged(user: UserRow): void {
    this.changed(user);
  }

  private changed(user: UserRow): void {
    this.remember(user);
    this.bus.publish(USER_CHANGED, { username: user.username });
  }

  /**
   * Cached for a few seconds only: `npm run admin` changes accounts in the database behind a
   * running server's back, and without Redis nothing tells this node; a restored account must
   * not stay unreachable until a restart.
   */
  private remember(user: UserRow): void {
    this.byName.set(user.username, { user, until: Date.now() + CACHE_MS });
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const name = normalizeUsername(username);
    const cached = this.byName.get(name);
    if (cached && cached.until > Date.now()) return cached.user;
    const user = await this.users.findByUsername(name);
    if (user) this.remember(user);
    return user;
  }

  findById(id: number): Promise<UserRow | undefined> {
    return this.users.findById(id);
  }

  /** One page of accounts in user-name order; `nextAfter` is the cursor for the next, or null at the end. */
  async page(query: UserPageQuery): Promise<{ users: UserRow[]; nextAfter: string | null }> {
    // One row past the page tells whether another follows.
    const rows = await this.users.page({ ...query, limit: query.limit + 1 });
    const users = rows.slice(0, query.limit);
    return { users, nextAfter: rows.length > query.limit ? users[users.length - 1].username : null };
  }

  count(): Promise<number> {
    return this.users.count();
  }

  async create(dto: CreateUserDto): Promise<UserRow> {
    const taken = () => new ParleyError(ErrorCodes.UsernameTaken, `The user name ${dto.username} is taken`);
    if (await this.findByUsername(dto.username)) throw taken();
    await this.policy.assertStrong(dto.password, [dto.username, dto.display_name ?? '']);
    const now = Date.now();
    try {
      const user = await this.users.create({
        username: dto.username,
        display_name: dto.display_name ?? dto.username,
        role: dto.role,
        password_hash: await this.passwords.hash(dto.password),
        created_at: now,
        updated_at: now,
      });
      this.remember(user);
      this.activity.emit('created', user);
      return user;
    } catch (error) {
      // Two admins created the same name at once.
      if (error instanceof DuplicateKeyError) throw taken();
      throw error;
    }
  }

  /**
   * A prototype-style account for PARLEY_AUTH=open: created on first use with no password.
   * Refuses a name that belongs to a password account or to another role: open mode must
   * never hand those out. `beforeCreate` runs only when the name is new and may throw to refuse.
   */
  async findOrCreateOpenAccount(rawName: string, role: Role, beforeCreate: () => void = () => {}): Promise<UserRow> {
    const username = usernameFromClaim(rawName);
    const existing = await this.findByUsername(username);
    if (existing) return this.checkOpenAccount(existing, role);
    beforeCreate();
    const now = Date.now();
    try {
      const user = await this.users.create({
        username,
        display_name: rawName.trim().slice(0, 64) || username,
        role,
        password_hash: null,
        created_at: now,
        updated_at: now,
      });
      this.remember(user);
      this.activity.emit('created', user);
      return user;
    } catch (error) {
      // Two sockets may race to create the same name; then the other one's account stands.
      if (!(error instanceof DuplicateKeyError)) throw error;
      const winner = await this.users.findByUsername(username);
      if (!winner) throw error;
      this.remember(winner);
      return this.checkOpenAccount(winner, role);
    }
  }

  private checkOpenAccount(existing: UserRow, role: Role): UserRow {
    // A directory or single sign-on account has no Parley password either, and is no open account;
    // nor is a bot, which only its token signs in.
    if (existing.password_hash !== null || existing.source !== 'local' || existing.bot) {
      throw new ParleyError(ErrorCodes.NotAuthorised, 'This account has a password: sign in first');
    }
    if (existing.role !== role) {
      throw new ParleyError(ErrorCodes.NotAuthorised, `${existing.username} is not a ${role} account`);
    }
    if (existing.disabled) throw new ParleyError(ErrorCodes.AccountDisabled, 'This account is disabled');
    return existing;
  }

  /** `actor` is the admin making the change, when there is one: they may not lock themselves out. */
  async update(username: string, dto: UpdateUserDto, actor?: UserRow): Promise<UserRow> {
    const user = await this.require(username);
    // The directory's groups decide these accounts' roles; a change here would be undone by the next sync.
    if (dto.role !== undefined && dto.role !== user.role && user.source !== 'local') assertLocal(user, 'role');
    if (dto.display_name !== undefined && dto.display_name !== user.display_name) assertLocal(user, 'name');
    const removesAnAdmin = await this.assertKeepsAnAdmin(user, dto, actor);
    let updated: UserRow;
    try {
      updated = removesAnAdmin
        ? (await this.users.updateKeepingAnAdmin(user.id, dto, Date.now()))!
        : (await this.users.update(user.id, dto, Date.now()))!;
    } catch (error) {
      // Another admin was removed between the check above and this change.
      if (error instanceof NoAdminLeftError) throw lastAdmin(user.username);
      throw error;
    }
    this.changed(updated);
    // A new role changes which rooms the user's sockets belong in; disabling ends access.
    if (dto.disabled === true) await this.auth.signOutEverywhere(user.id, 'disabled');
    else if (dto.role !== undefined && dto.role !== user.role) await this.auth.signOutEverywhere(user.id, 'role_changed');
    if (dto.disabled === true && !user.disabled) this.activity.emit('disabled', updated);
    return updated;
  }

  /**
   * Refuses a change that would take away an enabled admin when it is the actor's own account
   * (SELF_CHANGE) or the last one (LAST_ADMIN), so nobody needs the database to get back in.
   * Returns whether the change removes an enabled admin: the write must then go through
   * UserRepository.updateKeepingAnAdmin (or, for a deletion, re-count in its transaction), as
   * this check alone can race with another admin's change.
   */
  async assertKeepsAnAdmin(
    target: UserRow,
    change: { disabled?: boolean; role?: Role; deleted?: boolean },
    actor?: UserRow,
  ): Promise<boolean> {
    const removes =
      target.role === 'admin' &&
      !target.disabled &&
      (change.deleted === true || change.disabled === true || (change.role !== undefined && change.role !== 'admin'));
    if (!removes) return false;
    if (actor?.id === target.id) {
      throw new ParleyError(
        ErrorCodes.SelfChange,
        'You may not disable, demote or delete your own admin account; ask another admin',
      );
    }
    if ((await this.users.countEnabledAdmins()) <= 1) throw lastAdmin(target.username);
    return true;
  }

  /**
   * One's own password, proven by the current one. Every other session of the account ends (a
   * password someone else learnt stops working everywhere); the one asking stays signed in.
   * Wrong guesses are limited per account (WRONG_PASSWORD_TRIES per WRONG_PASSWORD_WINDOW_MS), so a
   * stolen session cannot be used to find the password.
   */
  async changeOwnPassword(user: UserRow, sessionId: number | null, current: string, next: string): Promise<void> {
    assertNotBot(user, 'password');
    assertLocal(user, 'password');
    const now = Date.now();
    const tries = this.wrongTries.get(user.id);
    if (tries && now - tries.since < WRONG_PASSWORD_WINDOW_MS && tries.count >= WRONG_PASSWORD_TRIES) {
      const wait = tries.since + WRONG_PASSWORD_WINDOW_MS - now;
      throw new ParleyError(ErrorCodes.RateLimited, `Too many wrong passwords; try again in ${Math.ceil(wait / 60_000)} min`, wait);
    }
    if (!(await this.passwords.verify(current, user.password_hash))) {
      const fresh = !tries || now - tries.since >= WRONG_PASSWORD_WINDOW_MS;
      this.wrongTries.set(user.id, fresh ? { count: 1, since: now } : { count: tries.count + 1, since: tries.since });
      throw new ParleyError(
        ErrorCodes.WrongPassword,
        user.password_hash === null ? 'This account has no password to change; an administrator sets its first one' : 'The current password is not right',
      );
    }
    this.wrongTries.delete(user.id);
    await this.policy.assertStrong(next, [user.username, user.display_name]);
    const updated = (await this.users.update(user.id, { password_hash: await this.passwords.hash(next) }, Date.now()))!;
    this.changed(updated);
    await this.auth.signOutOtherSessions(user.id, sessionId, 'password_changed');
  }

  /** One's own display name; a directory or single sign-on account's comes from there (each sign-in takes it again). */
  async changeOwnDisplayName(user: UserRow, displayName: string): Promise<UserRow> {
    assertNotBot(user, 'name');
    assertLocal(user, 'name');
    return this.update(user.username, { display_name: displayName });
  }

  async resetPassword(username: string, password: string): Promise<UserRow> {
    const user = await this.require(username);
    assertNotBot(user, 'password');
    assertLocal(user, 'password');
    await this.policy.assertStrong(password, [user.username, user.display_name]);
    const updated = (await this.users.update(user.id, { password_hash: await this.passwords.hash(password) }, Date.now()))!;
    this.changed(updated);
    await this.auth.signOutEverywhere(user.id, 'password_reset');
    return updated;
  }

  /**
   * Deletes an account for good (see UserRepository.softDelete): its sessions end and its
   * sockets close on every node; its messages stay, under a tombstone name; its name is free
   * again. Returns the account as it was, for the audit log.
   */
  async delete(username: string, actor: UserRow): Promise<UserRow> {
    const user = await this.require(username);
    if (user.id === actor.id) throw new ParleyError(ErrorCodes.SelfChange, 'You may not delete your own account; another admin must');
    const removesAnAdmin = await this.assertKeepsAnAdmin(user, { deleted: true }, actor);
    let deleted: UserRow | undefined;
    try {
      deleted = await this.users.softDelete(user.id, tombstoneName(user.id), Date.now(), removesAnAdmin);
    } catch (error) {
      // Another admin was removed between the check above and this deletion.
      if (error instanceof NoAdminLeftError) throw lastAdmin(user.username);
      throw error;
    }
    // Another admin deleted it a moment ago.
    if (!deleted) throw new ParleyError(ErrorCodes.NotFound, `No user named ${user.username}`);
    this.byName.delete(user.username);
    this.bus.publish(USER_CHANGED, { username: user.username });
    await this.auth.signOutEverywhere(user.id, 'deleted');
    return user;
  }

  async signOutEverywhere(username: string): Promise<void> {
    await this.auth.signOutEverywhere((await this.require(username)).id, 'signed_out');
  }

  private async require(username: string): Promise<UserRow> {
    const user = await this.findByUsername(username);
    if (!user) throw new ParleyError(ErrorCodes.NotFound, `No user named ${normalizeUsername(username)}`);
    return user;
  }
}

const SOURCE_NAMES = { ldap: 'the company directory', oidc: 'the single sign-on provider' } as const;

/** Refuses a change to what a directory or single sign-on account takes from its source. */
function assertLocal(user: UserRow, what: 'password' | 'name' | 'role'): void {
  if (user.source === 'local') return;
  const where = SOURCE_NAMES[user.source];
  const message = {
    password: `${user.username}'s password lives in ${where}: change it there`,
    name: `${user.username}'s name comes from ${where}: change it there`,
    role: `${user.username}'s role comes from their groups in ${where}: change the groups there`,
  }[what];
  throw new ParleyError(ErrorCodes.DirectoryAccount, message);
}

/**
 * Refuses a password for a bot (a password would let its name sign in on the sign-in page) and
 * a bot's change of its own name (an admin names it: people must be able to trust the badge's name).
 */
function assertNotBot(user: UserRow, what: 'password' | 'name'): void {
  if (!user.bot) return;
  const message = {
    password: `${user.username} is a bot: it has no password and signs in with its API token (rotate it on the admin page)`,
    name: `${user.username} is a bot: an admin changes its name`,
  }[what];
  throw new ParleyError(ErrorCodes.BotAccount, message);
}

function lastAdmin(username: string): ParleyError {
  return new ParleyError(
    ErrorCodes.LastAdmin,
    `${username} is the last enabled admin; make another account an admin first`,
  );
}
