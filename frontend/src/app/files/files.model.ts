import { type Attachment, INLINE_IMAGE_TYPES, type UploadedFile } from '@parley/contract';

/**
 * The box a thumbnail takes in a conversation: the server's thumbnails are at most 320 px a
 * side, and 240 px high keeps a tall photo from filling a laptop's message list.
 */
export const THUMBNAIL_BOX = { width: 320, height: 240 } as const;

/** What a message carries for an upload (the hash stays with the uploader). */
export function toAttachment({ sha256: _, ...file }: UploadedFile): Attachment {
  return file;
}

/** Shown as a picture (a thumbnail, opening the full image) rather than as a file to download. */
export function isInlineImage(file: Attachment): boolean {
  return INLINE_IMAGE_TYPES.includes(file.content_type) && !!file.thumbnail_url;
}

/**
 * The thumbnail's width and height attributes: the picture's proportions scaled down (never up)
 * to fit THUMBNAIL_BOX, so the row has its final height before the image arrives and the list
 * does not jump. Null when the server did not say the dimensions.
 */
export function thumbnailSize(file: Pick<Attachment, 'width' | 'height'>, box = THUMBNAIL_BOX): { width: number; height: number } | null {
  const { width, height } = file;
  if (!width || !height) return null;
  const scale = Math.min(1, box.width / width, box.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A Material Symbols name for a file card, by the file's type. */
export function fileIcon(contentType: string): string {
  const [kind, subtype = ''] = contentType.toLowerCase().split('/');
  if (kind === 'image') return 'image';
  if (kind === 'video') return 'movie';
  if (kind === 'audio') return 'audio_file';
  if (subtype === 'pdf') return 'picture_as_pdf';
  if (/zip|compressed|x-tar|gzip|x-7z/.test(subtype)) return 'folder_zip';
  if (/spreadsheet|excel|csv/.test(subtype)) return 'table_chart';
  if (/presentation|powerpoint/.test(subtype)) return 'slideshow';
  if (kind === 'text' || /document|msword|json|xml/.test(subtype)) return 'description';
  return 'draft';
}
