import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import type { FileStore } from './file-store';

/** What the engine adds to multer's file: where the bytes are, how many, and their hash. */
export interface ReceivedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * A multer storage engine that streams the upload to a private temp file while hashing it, so
 * a 100 MB file never sits in memory and needs no second read for its SHA-256. multer stops
 * the stream at its fileSize limit (LIMIT_FILE_SIZE) and calls _removeFile on any failure.
 */
export class HashingDiskStorage implements StorageEngine {
  constructor(private readonly store: FileStore) {}

  _handleFile(_req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File> & ReceivedFile) => void): void {
    const { path, stream } = this.store.tempFile();
    const hash = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    pipeline(file.stream, counter, stream).then(
      () => callback(null, { path, size, sha256: hash.digest('hex') }),
      (error: unknown) => {
        void this.store.discard(path);
        callback(error);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    this.store.discard(file.path).then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }
}
