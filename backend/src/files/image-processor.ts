import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '@parley/contract';
import sharp from 'sharp';
import { ParleyError } from '../common/parley-error';
import { PRIVATE_FILE_MODE } from '../storage/data-file-modes';
import { FileStore } from './file-store';

// Each upload is read once; libvips' cache would only hold memory between uploads.
sharp.cache(false);

/** Formats shown inline in the web app (contract INLINE_IMAGE_TYPES), by sharp's name. */
const INLINE_FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
/** Other image formats sharp recognises: named by their bytes, served as downloads only. */
const OTHER_FORMATS: Record<string, string> = {
  svg: 'image/svg+xml',
  tiff: 'image/tiff',
  heif: 'image/heif',
  avif: 'image/avif',
  jp2: 'image/jp2',
  jxl: 'image/jxl',
};

/**
 * Larger images are refused: decoding one takes width × height × 4 bytes (200 MB here), and a
 * small file can claim huge dimensions (a decompression bomb). 50 megapixels is more than a
 * phone or office camera takes.
 */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** The thumbnail's longest side in pixels: twice the 160 px the web app shows, for sharp screens. */
export const THUMBNAIL_SIZE = 320;

export interface StoredBytes {
  path: string;
  size: number;
  sha256: string;
}

export interface ImageResult {
  content_type: string;
  /** Inline formats only. */
  width?: number;
  height?: number;
  /** The bytes to keep: the upload, or a copy without metadata. */
  file: StoredBytes;
  thumbnail?: StoredBytes;
}

/**
 * What Parley learns from an image's own bytes, with sharp (libvips): its real type, its size
 * in pixels, a thumbnail, and a copy without EXIF/XMP/IPTC metadata (camera, location) unless
 * PARLEY_FILES_KEEP_IMAGE_METADATA. Not an image: null, and the file is kept as it came.
 */
@Injectable()
export class ImageProcessor {
  constructor(private readonly store: FileStore) {}

  async process(upload: StoredBytes, keepMetadata: boolean): Promise<ImageResult | null> {
    let meta: sharp.Metadata;
    try {
      // Reads the header only; without a pixel limit, so a bomb is measured here, not taken for no image.
      meta = await sharp(upload.path, { limitInputPixels: false }).metadata();
    } catch {
      return null;
    }
    const format = meta.format as string;
    const inline = INLINE_FORMATS[format];
    if (!inline) return OTHER_FORMATS[format] ? { content_type: OTHER_FORMATS[format], file: upload } : null;
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    const frames = meta.pages ?? 1;
    if (!width || !height || width * height * frames > MAX_IMAGE_PIXELS) {
      throw new ParleyError(
        ErrorCodes.InvalidFile,
        `The image is ${meta.width ?? '?'}×${meta.height ?? '?'} pixels${frames > 1 ? ` in ${frames} frames` : ''}; images may have at most ${MAX_IMAGE_PIXELS / 1_000_000} million pixels`,
      );
    }
    try {
      const hasMetadata = meta.exif !== undefined || meta.xmp !== undefined || meta.iptc !== undefined;
      const file = !keepMetadata && hasMetadata ? await this.withoutMetadata(upload.path, format) : upload;
      return { content_type: inline, width, height, file, thumbnail: await this.thumbnail(file.path) };
    } catch (error) {
      if (error instanceof ParleyError) throw error;
      // The header read but the pixels do not (truncated, corrupt): stored as a plain file.
      return { content_type: 'application/octet-stream', file: upload };
    }
  }

  private options(): sharp.SharpOptions {
    return { limitInputPixels: MAX_IMAGE_PIXELS, animated: true, failOn: 'error' };
  }

  /** The same picture turned upright, with its colour profile and nothing else of the metadata. */
  private async withoutMetadata(path: string, format: string): Promise<StoredBytes> {
    let image = sharp(path, this.options()).autoOrient().keepIccProfile();
    // Quality 92 (JPEG, WebP) is visually the same as a camera's own; PNG and GIF stay lossless.
    if (format === 'jpeg') image = image.jpeg({ quality: 92 });
    else if (format === 'webp') image = image.webp({ quality: 92 });
    else if (format === 'png') image = image.png();
    else image = image.gif();
    return this.save(await image.toBuffer());
  }

  private async thumbnail(path: string): Promise<StoredBytes> {
    const buffer = await sharp(path, { ...this.options(), animated: false })
      .autoOrient()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return this.save(buffer);
  }

  private async save(buffer: Buffer): Promise<StoredBytes> {
    const path = this.store.tempPath();
    await writeFile(path, buffer, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    return { path, size: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') };
  }
}
