import { Injectable } from '@nestjs/common';
import type { AuditRow, NewAuditRow } from './database.types';
import { DatabaseService } from './database.service';

export interface AuditQuery {
  /** Only entries with a smaller id (the next page back). */
  before?: number;
  limit: number;
  action?: string;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(entry: NewAuditRow): Promise<AuditRow> {
    return this.database.db.insertInto('audit_log').values(entry).returningAll().executeTakeFirstOrThrow();
  }

  /** Newest first. */
  async page(query: AuditQuery): Promise<AuditRow[]> {
    let select = this.database.db.selectFrom('audit_log').selectAll();
    if (query.before !== undefined) select = select.where('id', '<', query.before);
    if (query.action !== undefined) select = select.where('action', '=', query.action);
    return select.orderBy('id', 'desc').limit(query.limit).execute();
  }

  async latest(action: string): Promise<AuditRow | undefined> {
    const [row] = await this.page({ action, limit: 1 });
    return row;
  }
}
