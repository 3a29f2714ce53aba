import { Injectable } from '@nestjs/common';
import { type Attachment, ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import type { UserRow } from '../storage/database.types';
import { FileRepository } from '../storage/file.repository';
import { attachmentOf } from '../files/uploaded-file';

/**
 * The files a message may carry: each one its sender uploaded and no message has taken yet (or,
 * for a resend with the same client_id, the message that took it). Anything else is answered as
 * for a file that does not exist, so an id confirms nothing about someone else's upload.
 */
@Injectable()
export class MessageAttachments {
  constructor(private readonly files: FileRepository) {}

  /** What the message shows of them (null for none), or UNKNOWN_FILE naming the first that fails. */
  async attachable(sender: UserRow, ids: readonly string[] | undefined, clientId: string | undefined): Promise<string | null> {
    if (!ids || ids.length === 0) return null;
    const rows = new Map((await this.files.findByIds(ids)).map((row) => [row.id, row]));
    const taken = ids.filter((id) => rows.get(id)?.message_id != null);
    const resent = clientId === undefined ? new Set<string>() : await this.files.resentWith(taken, sender.id, clientId);
    const attachments: Attachment[] = ids.map((id) => {
      const row = rows.get(id);
      if (!row || row.uploader_id !== sender.id || (row.message_id !== null && !resent.has(id))) {
        throw new ParleyError(ErrorCodes.UnknownFile, `No file ${id} to attach: upload it first (POST /api/files); a file goes with one message`);
      }
      return attachmentOf(row);
    });
    return JSON.stringify(attachments);
  }
}
