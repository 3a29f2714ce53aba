/**
 * Files: what POST /api/files answers, what a message carries for each attached file, and the
 * line a client that knows nothing of attachments (the prototype's pages) reads instead.
 */

/** POST /api/files answers this: the upload, not yet attached to a message. */
export interface UploadedFile {
  /** Opaque and unguessable (128 random bits); the file's address under /api/files/. */
  id: string;
  /** The name it was uploaded with, made safe (no path, no control characters). */
  name: string;
  /** Bytes. */
  size: number;
  /** From the file's own bytes where they say (a PNG is image/png whatever its name). */
  content_type: string;
  /** Hex SHA-256 of the bytes as stored (after location metadata is removed from an image). */
  sha256: string;
  /** Images Parley could read: pixels. */
  width?: number;
  height?: number;
  /** Images: a small preview, GET /api/files/:id/thumbnail. */
  thumbnail_url?: string;
}

/** One file of a message (WireMessage.attachments). */
export interface Attachment {
  id: string;
  name: string;
  size: number;
  content_type: string;
  width?: number;
  height?: number;
  /** Images only. */
  thumbnail_url?: string;
}

/** What verify_user's ack says of the server's file limits, so a client refuses before uploading. */
export interface FileLimits {
  /** PARLEY_FILES_MAX_BYTES. */
  max_bytes: number;
  /** PARLEY_FILES_ALLOWED_TYPES: `*`, `image/*`, `application/pdf`, … */
  allowed_types: string[];
}

/** Whether a type matches an allowed-types list (`*`, `image/*`, `application/pdf`). */
export function typeAllowed(type: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1))));
}

/**
 * What the server would answer for a file it could know from outside: too large, or of a type it
 * does not take (as the browser names it; the server reads images' own bytes, so an image it
 * would take is never refused here). null: send it.
 */
export function refusedBeforeUpload(file: { size: number; type: string }, limits: FileLimits): string | null {
  if (file.size > limits.max_bytes) return `Files may be at most ${formatFileSize(limits.max_bytes)}`;
  const type = file.type.toLowerCase();
  if (type !== '' && !type.startsWith('image/') && !typeAllowed(type, limits.allowed_types)) {
    return `Files of type ${type} are not accepted here (allowed: ${limits.allowed_types.join(', ')})`;
  }
  return null;
}

/** Files one message may carry. */
export const MAX_ATTACHMENTS = 10;

/** Longest file name kept, in characters; longer ones are shortened keeping the extension. */
export const FILE_NAME_MAX_CHARS = 200;

/**
 * Image types a browser shows inline (and Parley makes a thumbnail of). SVG is not one: it can
 * carry script, so it is always downloaded.
 */
export const INLINE_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export function fileUrl(id: string): string {
  return `/api/files/${encodeURIComponent(id)}`;
}

export function thumbnailUrl(id: string): string {
  return `${fileUrl(id)}/thumbnail`;
}

/** 1 KB = 1000 bytes, as file managers on every desktop now count. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The line naming one file, as a client without attachment support shows it. */
export function attachmentLine(file: Pick<Attachment, 'name' | 'size'>): string {
  return `📎 ${file.name} (${formatFileSize(file.size)})`;
}

/**
 * A message's `message` field: its text, then a line per file. Clients that read `attachments`
 * show the text without these lines (textWithoutAttachmentLines); the prototype's pages and any
 * other client see what was shared.
 */
export function withAttachmentLines(text: string, files: readonly Pick<Attachment, 'name' | 'size'>[]): string {
  if (files.length === 0) return text;
  const lines = files.map(attachmentLine).join('\n');
  return text === '' ? lines : `${text}\n${lines}`;
}

/** The text a sender typed, from a `message` built by withAttachmentLines. */
export function textWithoutAttachmentLines(message: string, files: readonly Pick<Attachment, 'name' | 'size'>[]): string {
  if (files.length === 0) return message;
  const lines = files.map(attachmentLine).join('\n');
  if (message === lines) return '';
  return message.endsWith(`\n${lines}`) ? message.slice(0, -(lines.length + 1)) : message;
}
