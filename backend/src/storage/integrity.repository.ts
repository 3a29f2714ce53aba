import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DatabaseService } from './database.service';
import type { Database } from './database.types';

/**
 * Every table Parley's latest schema has, as a Record so that adding a table to Database without
 * listing it here fails the type check. 'sqlite-only': SQLite only (PostgreSQL's search index is a
 * GIN index on messages, built by SearchIndexBuilder, with no table of its own).
 */
const TABLES: Record<keyof Database, true | 'sqlite-only'> = {
  users: true,
  sessions: true,
  messages: true,
  read_marks: true,
  audit_log: true,
  server_secrets: true,
  channels: true,
  channel_members: true,
  announcements: true,
  announcement_acks: true,
  conversation_settings: true,
  message_reactions: true,
  retention_overrides: true,
  search_backfill: 'sqlite-only',
  files: true,
  file_blobs: true,
  webhooks: true,
  webhook_deliveries: true,
  bot_tokens: true,
  incoming_webhooks: true,
  schema_history: true,
};

export interface TableReport {
  table: string;
  rows: number | null;
  /** Why it could not be read (missing, permission, damaged), or null. */
  error: string | null;
}

/**
 * The read-only queries of `npm run admin -- check` (cli/integrity-check.service.ts). Nothing here
 * writes, so the check runs beside a live server.
 */
@Injectable()
export class IntegrityRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * SQLite's own verdict on the file: every page, index and constraint (`PRAGMA integrity_check`;
   * `quick_check` skips checking that indexes match their tables). ['ok'] when sound.
   */
  sqliteIntegrity(): string[] {
    try {
      const rows = this.sqlite().pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((row) => row.integrity_check);
    } catch (error) {
      // Damage bad enough that the check itself stops (SQLITE_CORRUPT) is its verdict too.
      return [error instanceof Error ? error.message : String(error)];
    }
  }

  /** Rows whose foreign key points at no row (SQLite enforces them only on writes made with foreign_keys on). */
  sqliteForeignKeyViolations(): { table: string; rowid: number | null; parent: string }[] {
    return this.sqlite().pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string }[];
  }

  /** Each table the latest schema has, read in full (count(*)): missing or unreadable ones carry their error. */
  async tables(): Promise<TableReport[]> {
    const names = Object.entries(TABLES)
      .filter(([, where]) => where === true || this.database.dialect === 'sqlite')
      .map(([name]) => name);
    const reports: TableReport[] = [];
    for (const table of names) {
      try {
        const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(this.database.db);
        reports.push({ table, rows: Number(rows[0].n), error: null });
      } catch (error) {
        reports.push({ table, rows: null, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return reports;
  }

  /**
   * Hashes that `files` rows name (a file or an image's preview) with no file_blobs row: the
   * janitor, which works from file_blobs, would never know of their copy on disk.
   */
  async filesWithoutBlobRow(): Promise<string[]> {
    const rows = await sql<{ sha256: string }>`
      select distinct f.sha256 from (select sha256 from files union select thumb_sha256 as sha256 from files where thumb_sha256 is not null) f
      where not exists (select 1 from file_blobs b where b.sha256 = f.sha256)
      order by f.sha256`.execute(this.database.db);
    return rows.rows.map((row) => row.sha256);
  }

  /** Every stored copy, with the size a `files` row records for it (a preview has none). */
  async blobs(): Promise<{ sha256: string; size: number | null }[]> {
    const rows = await sql<{ sha256: string; size: number | string | null }>`
      select b.sha256, (select max(f.size) from files f where f.sha256 = b.sha256) as size
      from file_blobs b order by b.sha256`.execute(this.database.db);
    return rows.rows.map((row) => ({ sha256: row.sha256, size: row.size === null ? null : Number(row.size) }));
  }

  private sqlite() {
    if (!this.database.sqlite) throw new Error('SQLite checks on a PostgreSQL database');
    return this.database.sqlite;
  }
}
