import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { ExportLine } from '@parley/contract';
import type { ExportQueryDto } from '@parley/contract/schemas';
import type { MessageRow } from '../storage/database.types';
import { type ExportFilter, MessageExportRepository } from '../storage/message-export.repository';
import { MessageRepository } from '../storage/message.repository';
import { ConversationNames, conversationNameOf } from './conversation-names.service';

/** Messages read and written per step: the export's memory is about one page, whatever its size. */
export const EXPORT_PAGE = 1_000;

export interface ExportSummary {
  count: number;
  bytes: number;
  /** SHA-256 (hex) of exactly the bytes written (handed to the connection, if incomplete). */
  sha256: string;
  /** False when the reader went away before the end. */
  complete: boolean;
}

/**
 * The compliance export: every matching message as one JSON line, oldest first, read a page at a
 * time by id and written only as fast as the reader takes it (a full socket buffer waits for
 * 'drain'), so memory stays flat however large the export. A reader that disconnects stops the walk.
 */
@Injectable()
export class MessageExportService {
  constructor(
    private readonly pages: MessageExportRepository,
    private readonly messages: MessageRepository,
    private readonly names: ConversationNames,
  ) {}

  /** The query as storage filters on it; NOT_FOUND for an unknown conversation. */
  async filterOf(query: ExportQueryDto): Promise<ExportFilter> {
    return {
      conversation: query.conversation === undefined ? undefined : await this.names.toKey(query.conversation),
      after: query.after === undefined ? undefined : Date.parse(query.after),
      before: query.before === undefined ? undefined : Date.parse(query.before),
    };
  }

  async export(filter: ExportFilter, out: Writable): Promise<ExportSummary> {
    const hash = createHash('sha256');
    let count = 0;
    let bytes = 0;
    let afterId = 0;
    for (;;) {
      const rows = await this.pages.pageAfter(filter, afterId, EXPORT_PAGE);
      if (rows.length === 0) break;
      const reactions = await this.messages.reactionsOf(rows.filter((row) => row.deleted_at === null).map((row) => row.id));
      const chunk = rows.map((row) => `${JSON.stringify(toExportLine(row, reactions.get(row.id)))}\n`).join('');
      hash.update(chunk);
      bytes += Buffer.byteLength(chunk);
      count += rows.length;
      if (!(await writeOrWait(out, chunk))) return { count, bytes, sha256: hash.digest('hex'), complete: false };
      afterId = rows[rows.length - 1].id;
      if (rows.length < EXPORT_PAGE) break;
    }
    return { count, bytes, sha256: hash.digest('hex'), complete: true };
  }
}

/**
 * Writes `chunk`; when the stream's buffer is full, waits for it to drain. False if the stream
 * closed (the reader went away): then the chunk was not delivered.
 */
export function writeOrWait(out: Writable, chunk: string): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return Promise.resolve(false);
  if (out.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (drained: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(drained);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/** A stored message as one export line: a tombstone keeps who and when, never the text. */
export function toExportLine(row: MessageRow, reactions?: ExportLine['reactions']): ExportLine {
  const line: ExportLine = {
    id: row.id,
    conversation: conversationNameOf(row),
    sent_at: new Date(row.sent_at).toISOString(),
    sender_name: row.sender_username,
    sender_role: row.sender_role,
    target_kind: row.target_kind,
    target: row.target,
    message: row.deleted_at === null ? row.body : '',
  };
  if (row.guest !== null) line.guest = row.guest;
  if (row.edited_at !== null) line.edited_at = new Date(row.edited_at).toISOString();
  if (row.deleted_at !== null) line.deleted = true;
  if (row.reply_to !== null) line.reply_to = row.reply_to;
  if (reactions && reactions.length > 0) line.reactions = reactions;
  if (row.attachments !== null) line.attachments = JSON.parse(row.attachments) as ExportLine['attachments'];
  return line;
}
