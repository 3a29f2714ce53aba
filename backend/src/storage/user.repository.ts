import { Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Role } from '../contract/roles';
import { DatabaseService } from './database.service';
import type { Database, NewUserRow, UserRow } from './database.types';
import { DuplicateKeyError, isUniqueViolation, NoAdminLeftError } from './storage-errors';

export interface UserPatch {
  display_name?: string;
  role?: Role;
  disabled?: boolean;
  password_hash?: string | null;
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

  async findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  async list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('username').execute();
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
      if (this.database.dialect === 'postgres') {
        await trx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).forUpdate().execute();
      }
      const updated = await updateUser(trx, id, patch, now);
      if ((await countEnabledAdmins(trx)) === 0) throw new NoAdminLeftError();
      return updated;
    });
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

async function updateUser(db: Kysely<Database>, id: number, patch: UserPatch, now: number): Promise<UserRow | undefined> {
  const { disabled, ...rest } = patch;
  return db
    .updateTable('users')
    .set({
      ...rest,
      ...(disabled === undefined ? {} : { disabled: disabled ? 1 : 0 }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
