import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';
import type { IncomingWebhookRow, UserRow } from './database.types';

/** A hook with the user name of the bot it posts as. */
export type IncomingWebhookWithBot = IncomingWebhookRow & { bot_username: string };

/** Incoming webhooks (migration 0015); only their tokens' hashes are stored. */
@Injectable()
export class IncomingWebhookRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  async create(row: Omit<IncomingWebhookRow, 'id' | 'revoked_at' | 'last_used_at'>): Promise<IncomingWebhookRow> {
    return this.db.insertInto('incoming_webhooks').values(row).returningAll().executeTakeFirstOrThrow();
  }

  /** Every hook, revoked ones too (newest first), with its bot's name. */
  async list(): Promise<IncomingWebhookWithBot[]> {
    return this.db
      .selectFrom('incoming_webhooks')
      .innerJoin('users', 'users.id', 'incoming_webhooks.bot_user_id')
      .selectAll('incoming_webhooks')
      .select('users.username as bot_username')
      .orderBy('incoming_webhooks.id', 'desc')
      .execute();
  }

  async findById(id: number): Promise<IncomingWebhookWithBot | undefined> {
    return this.db
      .selectFrom('incoming_webhooks')
      .innerJoin('users', 'users.id', 'incoming_webhooks.bot_user_id')
      .selectAll('incoming_webhooks')
      .select('users.username as bot_username')
      .where('incoming_webhooks.id', '=', id)
      .executeTakeFirst();
  }

  /** The live hook with this token hash and its bot, while the bot is a bot, enabled and not deleted. */
  async findActive(tokenHash: string): Promise<{ hook: IncomingWebhookRow; bot: UserRow } | undefined> {
    const hook = await this.db.selectFrom('incoming_webhooks').selectAll().where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
    if (!hook) return undefined;
    const bot = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', hook.bot_user_id)
      .where('bot', '=', 1)
      .where('disabled', '=', 0)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return bot ? { hook, bot } : undefined;
  }

  /** Revokes a live hook; false when there is none by that id (or it was revoked already). */
  async revoke(id: number, now: number): Promise<boolean> {
    const rows = await this.db.updateTable('incoming_webhooks').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).returning('id').execute();
    return rows.length > 0;
  }

  async touch(id: number, now: number): Promise<void> {
    await this.db.updateTable('incoming_webhooks').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}
