import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ErrorCodes, formatFileSize } from '@parley/contract';
import type { Request, Response } from 'express';
import multer from 'multer';
import { from, type Observable, switchMap } from 'rxjs';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { FileStore } from './file-store';
import { HashingDiskStorage } from './upload-storage';

/** How much of an upload each stream step carries. */
const STREAM_PIECE_BYTES = 1024 * 1024;
/** Headers and boundaries of a multipart body around the file: generous, and still a bound. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Reads a multipart upload (one file, in the field `file`) to a temp file with multer and
 * HashingDiskStorage, as Nest's FileInterceptor would, but with Parley's coded errors for each
 * way an upload goes wrong, and a body announced larger than the limit refused before it is read.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly middleware: ReturnType<multer.Multer['single']>;
  private readonly maxBytes: number;

  constructor(store: FileStore, config: AppConfig) {
    this.maxBytes = config.values.PARLEY_FILES_MAX_BYTES;
    // multer 2 passes these two to busboy; @types/multer does not list them yet.
    const options: multer.Options & { highWaterMark: number; fileHwm: number } = {
      storage: new HashingDiskStorage(store),
      // Browsers send file names as raw UTF-8; multer's default would read them as Latin-1.
      defParamCharset: 'utf8',
      // Larger pieces than busboy's 16 KB defaults: fewer stream turns per 100 MB (bench "files").
      highWaterMark: STREAM_PIECE_BYTES,
      fileHwm: STREAM_PIECE_BYTES,
      limits: { fileSize: this.maxBytes, files: 1, fields: 10, parts: 12, fieldSize: 1024, headerPairs: 50 },
    };
    this.middleware = multer(options).single('file');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > this.maxBytes + MULTIPART_OVERHEAD_BYTES) {
      // Said before the body is read; the connection is closed after the answer so the rest is not.
      response.setHeader('Connection', 'close');
      throw this.tooLarge();
    }
    const received = new Promise<void>((resolve, reject) => {
      this.middleware(request, response, (error: unknown) => (error ? reject(this.translate(error)) : resolve()));
    });
    return from(received).pipe(
      switchMap(() => {
        if (!request.file) throw new ParleyError(ErrorCodes.InvalidFile, 'Send the file as multipart/form-data in the field `file`');
        return next.handle();
      }),
    );
  }

  private tooLarge(): ParleyError {
    return new ParleyError(ErrorCodes.FileTooLarge, `Files may be at most ${formatFileSize(this.maxBytes)}`);
  }

  private translate(error: unknown): ParleyError {
    if (error instanceof multer.MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') return this.tooLarge();
      return new ParleyError(ErrorCodes.InvalidFile, 'Send one file, as multipart/form-data in the field `file`');
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return new ParleyError(ErrorCodes.StorageFailed, 'The server has no room for this file now; tell an administrator');
    if (typeof code === 'string' && code.startsWith('E')) return new ParleyError(ErrorCodes.StorageFailed, 'The file could not be stored; send it again');
    // busboy's parse errors. Headers with control characters (a file name with one) are refused
    // by busboy as malformed; browsers send most control characters in names as they are.
    if (error instanceof Error && error.message === 'Malformed part header') {
      return new ParleyError(ErrorCodes.InvalidFile, 'The upload’s headers are malformed (a file name with control characters?); rename the file and send it again');
    }
    // Otherwise a body cut off or not multipart at all.
    return new ParleyError(ErrorCodes.InvalidFile, 'The upload was cut off or is not multipart/form-data; send it again');
  }
}
