import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCodes, formatFileSize } from '@parley/contract';
import { FileStore as TusFileStore } from '@tus/file-store';
import { Server as TusServer, type Upload as TusUpload } from '@tus/server';
import type { ServerRequest } from 'srvx';
import { NodeRequest, sendNodeResponse } from 'srvx/node';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import type { UserRow } from '../storage/database.types';
import { FileRepository } from '../storage/file.repository';
import { FilesService } from './files.service';
import { FileStore } from './file-store';

export const RESUMABLE_UPLOADS_PATH = '/api/uploads';
/** An upload not finished within a day is dropped (its part with it). */
export const RESUMABLE_EXPIRY_MS = 24 * 3_600_000;

/** The signed-in user, put on the Node request by the controller (after its guard) for tus's hooks. */
const UPLOADER = Symbol('parley.uploader');
type WithUploader = IncomingMessage & { [UPLOADER]?: UserRow };

/** tus answers its own refusals with a status and a text; Parley's clients read the same JSON as everywhere. */
interface TusError {
  status_code: number;
  body: string;
}

function errorBody(status: number, code: string, message: string): TusError {
  return { status_code: status, body: JSON.stringify({ statusCode: status, code, message }) };
}

function fromParley(error: ParleyError): TusError {
  return errorBody(error.httpStatus, error.code, error.message);
}

/**
 * Resumable uploads: the tus 1.0 protocol (@tus/server) at /api/uploads, for the web app and any
 * tus client. A dropped connection or a reload resumes where the bytes stopped instead of
 * starting again. Parts are kept in `<files dir>/uploads` (shared by every node with the folder);
 * each belongs to the user who created it, and nobody else can see, continue or cancel it (404).
 * When the last byte arrives the file goes through FilesService.accept, as a multipart upload
 * does, and the final PATCH answers the same UploadedFile JSON (200), or its coded refusal.
 */
@Injectable()
export class ResumableUploads implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ResumableUploads.name);
  private readonly tus: TusServer;
  private readonly parts: TusFileStore;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly files: FilesService,
    private readonly repository: FileRepository,
    store: FileStore,
    private readonly config: AppConfig,
  ) {
    this.parts = new TusFileStore({ directory: join(store.root, 'uploads'), expirationPeriodInMilliseconds: RESUMABLE_EXPIRY_MS });
    this.tus = new TusServer({
      path: RESUMABLE_UPLOADS_PATH,
      datastore: this.parts,
      maxSize: config.values.PARLEY_FILES_MAX_BYTES,
      relativeLocation: true,
      // Parley's own X-Forwarded-* trust (PARLEY_TRUST_PROXY) is Express's; tus would believe anyone.
      respectForwardedHeaders: false,
      // No Access-Control-Allow-Origin (tus's default is `*`): only Parley's own pages upload.
      allowedOrigins: () => false,
      onUploadCreate: (req, upload) => this.create(req, upload),
      onIncomingRequest: (req, id) => this.assertOwner(req, id),
      onUploadFinish: (req, upload) => this.finish(req, upload),
      onResponseError: (_req, error) => this.translate(error),
    });
  }

  async handle(request: IncomingMessage, response: ServerResponse, uploader: UserRow): Promise<void> {
    (request as WithUploader)[UPLOADER] = uploader;
    // tus.handle() with one step between: its own refusals (a missing Tus-Resumable, a malformed
    // header) are plain text; every Parley refusal is JSON with a code, these too.
    let answer = await this.tus.handleWeb(new NodeRequest({ req: request, res: response }));
    if (answer.status >= 400) answer = await this.asParleyError(answer);
    await sendNodeResponse(response, answer);
  }

  private async asParleyError(answer: Response): Promise<Response> {
    const text = await answer.text();
    const { status_code, body } = text.startsWith('{') ? { status_code: answer.status, body: text } : this.translate({ status_code: answer.status, body: text });
    const headers = new Headers(answer.headers);
    headers.set('Content-Type', 'application/json; charset=utf-8');
    headers.delete('Content-Length');
    return new Response(body, { status: status_code, headers });
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.removeExpired().catch((error: unknown) => this.logger.warn(`Expired uploads not removed: ${String(error)}`)), RESUMABLE_EXPIRY_MS / 24);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Parts nobody finished within RESUMABLE_EXPIRY_MS; answers how many went. */
  async removeExpired(): Promise<number> {
    return this.parts.deleteExpired();
  }

  private uploaderOf(req: ServerRequest): UserRow {
    const user = (req.runtime?.node?.req as WithUploader | undefined)?.[UPLOADER];
    // The controller sets it before tus runs; without it nothing here may proceed.
    if (!user) throw errorBody(401, ErrorCodes.Unauthenticated, 'Sign in first');
    return user;
  }

  private async create(req: ServerRequest, upload: TusUpload): Promise<{ metadata: Record<string, string | null> }> {
    const user = this.uploaderOf(req);
    const quota = this.config.values.PARLEY_FILES_QUOTA_BYTES;
    if (upload.size === undefined) throw errorBody(400, ErrorCodes.InvalidFile, 'Say the size first (Upload-Length); deferred lengths are not taken');
    if (quota > 0) {
      const used = await this.repository.bytesOf(user.id);
      if (used + upload.size > quota) {
        throw fromParley(new ParleyError(ErrorCodes.QuotaExceeded, `This would take your files to ${formatFileSize(used + upload.size)}; the limit is ${formatFileSize(quota)} per person`));
      }
    }
    return { metadata: { ...upload.metadata, owner: String(user.id) } };
  }

  /** Someone else's upload, or none: the same 404. */
  private async assertOwner(req: ServerRequest, id: string): Promise<void> {
    const user = this.uploaderOf(req);
    if (req.method === 'POST' || req.method === 'OPTIONS') return;
    const upload = await this.parts.getUpload(id).catch(() => null);
    if (!upload || upload.metadata?.owner !== String(user.id)) throw errorBody(404, ErrorCodes.UnknownFile, `No upload ${id}`);
  }

  private async finish(req: ServerRequest, upload: TusUpload): Promise<{ status_code: number; headers: Record<string, string>; body: string }> {
    const user = this.uploaderOf(req);
    const path = join(this.parts.directory, upload.id);
    try {
      const stored = await this.files.accept(user, {
        path,
        size: upload.offset,
        sha256: await sha256Of(path),
        originalname: upload.metadata?.filename ?? upload.metadata?.name ?? '',
        mimetype: upload.metadata?.filetype ?? upload.metadata?.type ?? '',
      });
      return { status_code: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(stored) };
    } catch (error) {
      if (error instanceof ParleyError) throw fromParley(error);
      this.logger.error(`A finished upload could not be stored: ${String(error)}`);
      throw errorBody(503, ErrorCodes.StorageFailed, 'The file could not be stored; send it again');
    } finally {
      // accept() moved or removed the bytes; tus's record of the part goes too.
      await rm(`${path}.json`, { force: true });
      await rm(path, { force: true });
    }
  }

  private translate(error: Error | TusError): TusError {
    if (!('status_code' in error)) {
      this.logger.error(`Resumable upload failed: ${String(error)}`);
      return errorBody(500, ErrorCodes.Internal, 'The upload failed on the server; send it again');
    }
    // Already ours (thrown by a hook above).
    if (error.body.startsWith('{')) return error;
    const message = error.body.trim() || 'The upload request is not one this server takes';
    if (error.status_code === 413) return errorBody(413, ErrorCodes.FileTooLarge, `Files may be at most ${formatFileSize(this.config.values.PARLEY_FILES_MAX_BYTES)}`);
    if (error.status_code === 404 || error.status_code === 410) return errorBody(404, ErrorCodes.UnknownFile, 'No such upload (finished, cancelled or expired)');
    return errorBody(error.status_code, ErrorCodes.InvalidFile, message);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
