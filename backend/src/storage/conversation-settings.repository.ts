import { Injectable } from '@nestjs/common';
import type { NotifyLevel } from '@parley/contract';
import { DatabaseService } from './database.service';

/** Per-user, per-conversation settings (today: notifications), keyed like read marks by storage key. */
@Injectable()
export class ConversationSettingsRepository {
  constructor(private readonly database: DatabaseService) {}

  async setNotify(userId: number, conversation: string, notify: NotifyLevel, now: number): Promise<void> {
    await this.database.db
      .insertInto('conversation_settings')
      .values({ user_id: userId, conversation, notify, updated_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'conversation']).doUpdateSet({ notify, updated_at: now }))
      .execute();
  }

  /** conversation key -> notify level, for every conversation the user set one on. */
  async notifyOf(userId: number): Promise<Map<string, NotifyLevel>> {
    const rows = await this.database.db
      .selectFrom('conversation_settings')
      .select(['conversation', 'notify'])
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((row) => [row.conversation, row.notify]));
  }
}
