import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DatabaseService } from './database.service';

@Injectable()
export class ReadMarkRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Moves a read mark forward; a mark never moves back (devices may report out of order). */
  async markRead(userId: number, conversation: string, lastReadId: number, now: number): Promise<void> {
    await this.database.db
      .insertInto('read_marks')
      .values({ user_id: userId, conversation, last_read_id: lastReadId, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['user_id', 'conversation']).doUpdateSet({
          last_read_id: sql<number>`case when excluded.last_read_id > read_marks.last_read_id then excluded.last_read_id else read_marks.last_read_id end`,
          updated_at: now,
        }),
      )
      .execute();
  }

  /** conversation key -> last read id, for every conversation the user has read. */
  async marksOf(userId: number): Promise<Map<string, number>> {
    const rows = await this.database.db
      .selectFrom('read_marks')
      .select(['conversation', 'last_read_id'])
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((row) => [row.conversation, Number(row.last_read_id)]));
  }
}
