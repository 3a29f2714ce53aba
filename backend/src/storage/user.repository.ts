import { Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { AccountSource, Role } from '@parley/contract';
import { DatabaseService } from './database.service';
import type { Database, NewUserRow, UserRow } from './database.types';
import { DuplicateKeyError, isUniqueViolation, NoAdminLeftError } from './storage-errors';

export interface UserPageQuery {
  /** Only names after this one (the last name of the previous page). */
  after?: string;
  limit: number;
  /** Only users whose name or display name contains this, ignoring case. */
  search?: string;
  /** Leave out disabled accounts. */
  enabledOnly?: boolean;
}

/** `text` as a LIKE pattern matching it anywhere, with LIKE's wildcards taken literally. */
const containsPattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface UserPatch {
  display_name?: string;
  role?: Role;
  /** Also clears directory_disabled unless the patch sets it: an admin's disabling or enabling is their own. */
  disabled?: boolean;
  password_hash?: string | null;
  external_id?: string | null;
  /** The directory sync disabled the account (see UsersTable.directory_disabled). */
  directory_disabled?: boolean;
}

@Injectable()
export class UserRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** Throws DuplicateKeyError when the user name is taken. */
  async create(user: NewUserRow): Promise<UserRow> {
    try {
      return await this.db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError('users.username');
      throw error;
    }
  }

  async findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByExternalId(externalId: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  }

  /** Enabled accounts from one source in user-name order after `after`: the directory sync's walk. */
  async enabledFromSource(source: AccountSource, after: string | null, limit: number): Promise<UserRow[]> {
    let select = this.db
      .selectFrom('users')
      .selectAll()
      .where('source', '=', source)
      .where('disabled', '=', 0)
      .where('deleted_at', 'is', null)
      .orderBy('username')
      .limit(limit);
    if (after !== null) select = select.where('username', '>', after);
    return select.execute();
  }

  /**
   * update(), only while the account still has the role and disabled state `expected`:
   * undefined when another node (or an admin) changed it first. Several nodes sync one
   * directory; this way one of them makes each change, and it alone records it.
   */
  async updateIf(id: number, expected: { role: Role; disabled: number }, patch: UserPatch, now: number): Promise<UserRow | undefined> {
    return updateUser(this.db, id, patch, now, expected);
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  /** One page of accounts in user-name order; deleted accounts are never listed. */
  async page(query: UserPageQuery): Promise<UserRow[]> {
    let select = this.db
      .selectFrom('users')
      .selectAll()
      .where('deleted_at', 'is', null)
      .orderBy('username')
      .limit(query.limit);
    if (query.after !== undefined) select = select.where('username', '>', query.after);
    if (query.enabledOnly) select = select.where('disabled', '=', 0);
    if (query.search) {
      const pattern = containsPattern(query.search);
      // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
      select = select.where(
        sql<boolean>`(lower(username) like ${pattern} escape '\\' or lower(display_name) like ${pattern} escape '\\')`,
      );
    }
    return select.execute();
  }

  /**
   * Deletes an account but keeps its row, renamed to `tombstone` and disabled: messages keep
   * their sender and recipient ids, and now carry the tombstone name instead of the old one,
   * so the old name can be given to someone else without them inheriting the history. The
   * user's read marks go; their sessions are revoked by the caller. With `keepAnAdmin` (the
   * account is an enabled admin) it is rolled back with NoAdminLeftError if no enabled admin
   * would remain, as in updateKeepingAnAdmin.
   */
  async softDelete(id: number, tombstone: string, now: number, keepAnAdmin = false): Promise<UserRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      if (keepAnAdmin) await this.lockEnabledAdmins(trx);
      await trx.updateTable('messages').set({ sender_username: tombstone }).where('sender_id', '=', id).execute();
      await trx
        .updateTable('messages')
        .set({ target: tombstone })
        .where('target_kind', '=', 'user')
        .where('recipient_id', '=', id)
        .execute();
      // As a team conversation's guest the old name is copied into every message of it.
      await trx
        .updateTable('messages')
        .set({ guest: tombstone })
        .where('target_kind', '=', 'team')
        .where('recipient_id', '=', id)
        .execute();
      // Mentions by the old name would otherwise count for whoever takes the name next.
      const before = await trx.selectFrom('users').select('username').where('id', '=', id).executeTakeFirst();
      if (before) {
        const [from, to] = [JSON.stringify(before.username), JSON.stringify(tombstone)];
        await trx
          .updateTable('messages')
          .set({ mentions: sql<string>`replace(mentions, ${from}, ${to})` })
          .where(sql<boolean>`mentions like ${`%${from.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`)
          .execute();
      }
      await trx.deleteFrom('read_marks').where('user_id', '=', id).execute();
      await trx.deleteFrom('conversation_settings').where('user_id', '=', id).execute();
      // A deleted account is in no channel: member lists and counts never show it.
      await trx.deleteFrom('channel_members').where('user_id', '=', id).execute();
      const deleted = await trx
        .updateTable('users')
        .set({
          username: tombstone,
          display_name: 'Deleted user',
          password_hash: null,
          disabled: 1,
          deleted_at: now,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (keepAnAdmin && (await countEnabledAdmins(trx)) === 0) throw new NoAdminLeftError();
      return deleted;
    });
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countEnabledAdmins(): Promise<number> {
    return countEnabledAdmins(this.db);
  }

  async update(id: number, patch: UserPatch, now: number): Promise<UserRow | undefined> {
    return updateUser(this.db, id, patch, now);
  }

  /**
   * update(), rolled back with NoAdminLeftError if afterwards no enabled admin remains. Two
   * admins demoting each other at once must not both succeed: on PostgreSQL the enabled admin
   * rows are locked first (FOR UPDATE), so the second transaction waits and then counts what
   * the first left; SQLite runs one write transaction at a time anyway.
   */
  async updateKeepingAnAdmin(id: number, patch: UserPatch, now: number): Promise<UserRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockEnabledAdmins(trx);
      const updated = await updateUser(trx, id, patch, now);
      if ((await countEnabledAdmins(trx)) === 0) throw new NoAdminLeftError();
      return updated;
    });
  }

  /** PostgreSQL: a concurrent change to the admins waits for this transaction (SQLite writes one at a time anyway). */
  private async lockEnabledAdmins(trx: Kysely<Database>): Promise<void> {
    if (this.database.dialect !== 'postgres') return;
    await trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).forUpdate().execute();
  }
}

async function countEnabledAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function updateUser(
  db: Kysely<Database>,
  id: number,
  patch: UserPatch,
  now: number,
  expected?: { role: Role; disabled: number },
): Promise<UserRow | undefined> {
  const { disabled, directory_disabled, ...rest } = patch;
  const directoryMark = directory_disabled ?? (disabled === undefined ? undefined : false);
  let update = db
    .updateTable('users')
    .set({
      ...rest,
      ...(disabled === undefined ? {} : { disabled: disabled ? 1 : 0 }),
      ...(directoryMark === undefined ? {} : { directory_disabled: directoryMark ? 1 : 0 }),
      updated_at: now,
    })
    .where('id', '=', id);
  if (expected) update = update.where('role', '=', expected.role).where('disabled', '=', expected.disabled);
  return update.returningAll().executeTakeFirst();
}
