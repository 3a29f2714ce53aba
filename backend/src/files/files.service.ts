import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ErrorCodes, formatFileSize, INLINE_IMAGE_TYPES, typeAllowed, type UploadedFile } from '@parley/contract';
import { MessageAccess } from '../chat/message-access.service';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import type { FileRow, UserRow } from '../storage/database.types';
import { FileRepository } from '../storage/file.repository';
import { MessageRepository } from '../storage/message.repository';
import { safeContentType, safeFileName } from './file-name';
import { FileStore } from './file-store';
import { ImageProcessor, type StoredBytes } from './image-processor';
import type { ReceivedFile } from './upload-storage';
import { uploadedFile } from './uploaded-file';

/** A file the asker may not fetch is answered as one that does not exist. */
export function unknownFile(id: string): ParleyError {
  return new ParleyError(ErrorCodes.UnknownFile, `No file ${id}`);
}

export interface Upload extends ReceivedFile {
  originalname: string;
  mimetype: string;
}

/**
 * Uploads (checked, images read and stripped of metadata, stored by content) and who may fetch
 * what: the uploader, until a message carries the file; then whoever may see that message.
 */
@Injectable()
export class FilesService {
  constructor(
    private readonly files: FileRepository,
    private readonly store: FileStore,
    private readonly images: ImageProcessor,
    private readonly access: MessageAccess,
    private readonly messages: MessageRepository,
    private readonly config: AppConfig,
  ) {}

  async accept(uploader: UserRow, upload: Upload): Promise<UploadedFile> {
    const temps = new Set([upload.path]);
    try {
      if (upload.size === 0) throw new ParleyError(ErrorCodes.InvalidFile, 'The file is empty');
      const { PARLEY_FILES_ALLOWED_TYPES: allowed, PARLEY_FILES_QUOTA_BYTES: quota, PARLEY_FILES_KEEP_IMAGE_METADATA: keep } = this.config.values;
      // The bytes decide for images (a script named .png is no image); the browser's word for the rest.
      const image = await this.images.process(upload, keep);
      if (image) {
        temps.add(image.file.path);
        if (image.thumbnail) temps.add(image.thumbnail.path);
      }
      const declared = safeContentType(upload.mimetype);
      const contentType = image?.content_type ?? (INLINE_IMAGE_TYPES.includes(declared) ? 'application/octet-stream' : declared);
      if (!typeAllowed(contentType, allowed)) {
        throw new ParleyError(ErrorCodes.FileTypeNotAllowed, `Files of type ${contentType} are not accepted here (allowed: ${allowed.join(', ')})`);
      }
      const file: StoredBytes = image?.file ?? upload;
      if (quota > 0) {
        const used = await this.files.bytesOf(uploader.id);
        if (used + file.size > quota) {
          throw new ParleyError(
            ErrorCodes.QuotaExceeded,
            `This would take your files to ${formatFileSize(used + file.size)}; the limit is ${formatFileSize(quota)} per person. Files go when their messages are deleted.`,
          );
        }
      }
      const row = {
        id: randomBytes(16).toString('base64url'),
        sha256: file.sha256,
        name: safeFileName(upload.originalname),
        size: file.size,
        content_type: contentType,
        uploader_id: uploader.id,
        created_at: Date.now(),
        width: image?.width ?? null,
        height: image?.height ?? null,
        thumb_sha256: image?.thumbnail?.sha256 ?? null,
        message_id: null,
      };
      // The row first, then the bytes: FileJanitor never takes a copy a row refers to.
      await this.files.insert(row);
      try {
        await this.store.put(file.path, file.sha256);
        if (image?.thumbnail) await this.store.put(image.thumbnail.path, image.thumbnail.sha256);
      } catch (error) {
        await this.files.remove(row.id);
        throw error;
      }
      return uploadedFile(row);
    } finally {
      // Whatever was not moved into place (the original when a stripped copy was kept, or all on failure).
      await Promise.all([...temps].map((path) => this.store.discard(path)));
    }
  }

  /** The file, if this user may fetch it; UNKNOWN_FILE otherwise. */
  async readable(viewer: UserRow, id: string): Promise<FileRow> {
    const row = await this.files.findById(id);
    if (!row) throw unknownFile(id);
    if (row.message_id === null) {
      if (row.uploader_id === viewer.id) return row;
      throw unknownFile(id);
    }
    const message = await this.messages.findById(row.message_id);
    if (!message || message.deleted_at !== null || !(await this.access.canSee(viewer, message))) throw unknownFile(id);
    return row;
  }

  pathOf(sha256: string): string {
    return this.store.pathOf(sha256);
  }
}
