import { type Attachment, thumbnailUrl, type UploadedFile } from '@parley/contract';
import type { FileRow } from '../storage/database.types';

/** POST /api/files's answer for a stored row. */
export function uploadedFile(row: Omit<FileRow, 'message_id'>): UploadedFile {
  return { ...attachmentOf(row), sha256: row.sha256 };
}

/** What a message carrying the file shows of it (WireMessage.attachments). */
export function attachmentOf(row: Omit<FileRow, 'message_id'>): Attachment {
  const file: Attachment = { id: row.id, name: row.name, size: row.size, content_type: row.content_type };
  if (row.width !== null && row.height !== null) {
    file.width = row.width;
    file.height = row.height;
  }
  if (row.thumb_sha256 !== null) file.thumbnail_url = thumbnailUrl(row.id);
  return file;
}
