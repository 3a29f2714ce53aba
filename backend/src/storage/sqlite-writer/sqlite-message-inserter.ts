import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { MessageRow, NewMessageRow } from '../database.types';
import type { InsertedMessage } from '../message.repository';

/** The message columns an insert writes, in the order of its placeholders. */
export const INSERT_COLUMNS = [
  'client_id',
  'sender_id',
  'sender_username',
  'sender_role',
  'sender_socket',
  'target_kind',
  'target',
  'recipient_id',
  'conversation',
  'audience',
  'guest',
  'mentions',
  'body',
  'sent_at',
  'reply_to',
  'attachments',
  'sender_bot',
] as const;

export type InsertBatch = (messages: readonly NewMessageRow[]) => InsertedMessage[];

/**
 * MessageRepository.insertBatch for SQLite: statements prepared once, one synchronous IMMEDIATE
 * transaction per batch (one fsync for all: group commit), row by row so each row's id and
 * conflict are known. A message whose (sender, client_id) is stored already, or repeats one
 * earlier in the batch, is not stored again; its result is the first copy, marked duplicate.
 *
 * Self-contained on purpose (no imports, nothing from outside its body): the writer thread runs
 * it from its source text (SqliteWriterThread), so the one implementation serves both threads.
 * IMMEDIATE: the write lock is taken at BEGIN, waiting on busy_timeout while the other
 * connection writes; a deferred transaction that read first could fail instead (SQLITE_BUSY).
 */
export function sqliteMessageInserter(sqlite: SqliteDatabase, columns: readonly string[]): InsertBatch {
  const insert = sqlite.prepare(
    `insert into messages (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})
     on conflict (sender_id, client_id) do nothing returning *`,
  );
  const existing = sqlite.prepare('select * from messages where sender_id = ? and client_id = ?');
  const attach = sqlite.prepare(
    "update files set message_id = ? where message_id is null and id in (select json_extract(value, '$.id') from json_each(?))",
  );
  const batch = sqlite.transaction((messages: readonly NewMessageRow[]) => {
    const byKey = new Map<string, MessageRow>();
    return messages.map((message) => {
      const key = message.client_id == null ? null : `${message.sender_id}\u0000${message.client_id}`;
      const earlier = key === null ? undefined : byKey.get(key);
      if (earlier) return { row: earlier, duplicate: true };
      const values = columns.map((column) => (message as unknown as Record<string, unknown>)[column] ?? null);
      const row = insert.get(...values) as MessageRow | undefined;
      if (row) {
        if (key !== null) byKey.set(key, row);
        // Files go with their message in its transaction: from the commit on, whoever sees the
        // message may fetch them, and nobody before.
        if (row.attachments !== null) attach.run(row.id, row.attachments);
        return { row, duplicate: false };
      }
      const stored = existing.get(message.sender_id, message.client_id) as MessageRow;
      if (key !== null) byKey.set(key, stored);
      return { row: stored, duplicate: true };
    });
  });
  return (messages) => batch.immediate(messages);
}
