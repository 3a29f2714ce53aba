import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DatabaseService } from './database.service';
import type { FileRow, NewFileRow } from './database.types';

/**
 * Uploaded files' rows and the register of stored copies (file_blobs). The bytes themselves are
 * FileStore's; this knows which copies some row still refers to.
 */
@Injectable()
export class FileRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /**
   * The row and its copies' registrations, in one transaction, before the bytes are moved into
   * place: from here on the janitor sees the copies as referred to (FileJanitor, "why this order").
   */
  async insert(row: NewFileRow): Promise<void> {
    const now = row.created_at;
    const blobs = [row.sha256, ...(row.thumb_sha256 ? [row.thumb_sha256] : [])].map((sha256) => ({ sha256, created_at: now }));
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('file_blobs').values(blobs).onConflict((oc) => oc.column('sha256').doNothing()).execute();
      await trx.insertInto('files').values(row).execute();
    });
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('files').where('id', '=', id).execute();
  }

  async findById(id: string): Promise<FileRow | undefined> {
    return this.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByIds(ids: readonly string[]): Promise<FileRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('files').selectAll().where('id', 'in', ids).execute();
  }

  /** The message carrying each of these files by this sender under this client_id (a resend). */
  async resentWith(fileIds: readonly string[], senderId: number, clientId: string): Promise<Set<string>> {
    if (fileIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('files')
      .innerJoin('messages', 'messages.id', 'files.message_id')
      .select('files.id')
      .where('files.id', 'in', fileIds)
      .where('messages.sender_id', '=', senderId)
      .where('messages.client_id', '=', clientId)
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  /** Bytes of every file this person uploaded that is still stored. */
  async bytesOf(uploaderId: number): Promise<number> {
    const row = await this.db
      .selectFrom('files')
      .select(sql<number | string | null>`sum(size)`.as('total'))
      .where('uploader_id', '=', uploaderId)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** Removes uploads no message took before `cutoff`; answers how many. */
  async removeUnattachedBefore(cutoff: number): Promise<number> {
    const result = await this.db.deleteFrom('files').where('message_id', 'is', null).where('created_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Up to `limit` registered copies no row refers to (all of them when `among` is not given). */
  async orphanBlobs(limit: number, among?: readonly string[]): Promise<string[]> {
    if (among && among.length === 0) return [];
    let query = this.db
      .selectFrom('file_blobs')
      .select('sha256')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('files').select('id').whereRef('files.sha256', '=', 'file_blobs.sha256'))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('files').select('id').whereRef('files.thumb_sha256', '=', 'file_blobs.sha256'))))
      .limit(limit);
    if (among) query = query.where('sha256', 'in', among);
    return (await query.execute()).map((row) => row.sha256);
  }

  /** Unregisters a copy if still no row refers to it; answers whether it did. */
  async forgetIfOrphan(sha256: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('file_blobs')
      .where('sha256', '=', sha256)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('files').select('id').where('files.sha256', '=', sha256))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('files').select('id').where('files.thumb_sha256', '=', sha256))))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The copies these files' rows refer to (before the rows go). */
  async blobsOfMessage(messageId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('files').select(['sha256', 'thumb_sha256']).where('message_id', '=', messageId).execute();
    return rows.flatMap((row) => [row.sha256, ...(row.thumb_sha256 ? [row.thumb_sha256] : [])]);
  }
}
