import { Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { DatabaseService } from './database.service';
import type { BotTokenRow, Database, NewUserRow, UserRow } from './database.types';
import { DuplicateKeyError, isUniqueViolation } from './storage-errors';

/** A bot account and its live token, if it has one. */
export interface BotWithToken {
  user: UserRow;
  token: BotTokenRow | null;
}

/** What a new token row needs besides its bot. */
export interface NewBotToken {
  token_hash: string;
  created_at: number;
  created_by: string;
}

/** Bot accounts (users with `bot = 1`) and their API tokens, of which only hashes are stored. */
@Injectable()
export class BotRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /** The account and its first token in one transaction. Throws DuplicateKeyError when the name is taken. */
  async create(user: Omit<NewUserRow, 'bot' | 'password_hash'>, token: NewBotToken): Promise<BotWithToken> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const created = await trx.insertInto('users').values({ ...user, bot: 1, password_hash: null }).returningAll().executeTakeFirstOrThrow();
        return { user: created, token: await insertToken(trx, created.id, token) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError('users.username');
      throw error;
    }
  }

  /** Every bot that is not deleted, in user-name order, with its live token. */
  async list(): Promise<BotWithToken[]> {
    const users = await this.db.selectFrom('users').selectAll().where('bot', '=', 1).where('deleted_at', 'is', null).orderBy('username').execute();
    if (users.length === 0) return [];
    const tokens = await this.db
      .selectFrom('bot_tokens')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('user_id', 'in', users.map((user) => user.id))
      .execute();
    const byUser = new Map(tokens.map((token) => [token.user_id, token]));
    return users.map((user) => ({ user, token: byUser.get(user.id) ?? null }));
  }

  async liveToken(userId: number): Promise<BotTokenRow | null> {
    return (await this.db.selectFrom('bot_tokens').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst()) ?? null;
  }

  /**
   * Revokes the bot's live token (if any) and stores a new one, in one transaction: the old one
   * stops working as the new one starts. Returns the new token and the ids revoked.
   */
  async rotate(userId: number, token: NewBotToken, retried = false): Promise<{ token: BotTokenRow; revoked: number[] }> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const revoked = await revokeLive(trx, userId, token.created_at);
        return { token: await insertToken(trx, userId, token), revoked };
      });
    } catch (error) {
      // PostgreSQL: another rotation committed its token after this one's revoke looked. Once
      // more revokes that one; this rotation is then simply the later of the two.
      if (!retried && isUniqueViolation(error)) return this.rotate(userId, token, true);
      throw error;
    }
  }

  /** Revokes the bot's live token; returns the ids revoked (none if it had no live token). */
  revoke(userId: number, now: number): Promise<number[]> {
    return revokeLive(this.db, userId, now);
  }

  /** The live token with this hash and its bot, while the bot is enabled and not deleted. */
  async findActive(tokenHash: string): Promise<{ token: BotTokenRow; user: UserRow } | undefined> {
    const token = await this.db.selectFrom('bot_tokens').selectAll().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
    if (!token) return undefined;
    const user = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', token.user_id)
      .where('bot', '=', 1)
      .where('disabled', '=', 0)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return user ? { token, user } : undefined;
  }

  /** Whether a token still works: not revoked, its bot enabled and not deleted. */
  async isActive(id: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('bot_tokens')
      .innerJoin('users', 'users.id', 'bot_tokens.user_id')
      .select('bot_tokens.id')
      .where('bot_tokens.id', '=', id)
      .where('bot_tokens.revoked_at', 'is', null)
      .where('users.disabled', '=', 0)
      .where('users.deleted_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async touch(id: number, now: number): Promise<void> {
    await this.db.updateTable('bot_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}

async function insertToken(trx: Transaction<Database>, userId: number, token: NewBotToken): Promise<BotTokenRow> {
  return trx
    .insertInto('bot_tokens')
    .values({ user_id: userId, ...token, last_used_at: null, revoked_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function revokeLive(db: Pick<Transaction<Database>, 'updateTable'>, userId: number, now: number): Promise<number[]> {
  const rows = await db.updateTable('bot_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).returning('id').execute();
  return rows.map((row) => row.id);
}
