import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';
import type { MessageRow } from './database.types';

export interface ExportFilter {
  /** The storage key; all conversations when absent. */
  conversation?: string;
  /** Epoch ms: sent at or after. */
  after?: number;
  /** Epoch ms: sent before. */
  before?: number;
}

/** The export's reads: pages of stored messages in id order (oldest first), walked by id. */
@Injectable()
export class MessageExportRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Up to `limit` messages matching `filter` with an id above `afterId`, in id order. */
  async pageAfter(filter: ExportFilter, afterId: number, limit: number): Promise<MessageRow[]> {
    let query = this.database.db.selectFrom('messages').selectAll().where('id', '>', afterId);
    if (filter.conversation !== undefined) query = query.where('conversation', '=', filter.conversation);
    if (filter.after !== undefined) query = query.where('sent_at', '>=', filter.after);
    if (filter.before !== undefined) query = query.where('sent_at', '<', filter.before);
    return query.orderBy('id').limit(limit).execute();
  }
}
