import { HttpClient, HttpErrorResponse, HttpEventType } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import type { Subscription } from 'rxjs';
import { ErrorCodes, type FileLimits, MAX_ATTACHMENTS, refusedBeforeUpload, type UploadedFile } from '@parley/contract';
import { ID_GENERATOR } from '../core/tokens';
import { CHUNK_BYTES, ResumableUploader, type UploadFailure } from './resumable-uploader';

/**
 * Files larger than one tus chunk go up resumably (ResumableUploader): a dropped connection costs
 * at most a chunk. Smaller ones in one request, which a retry simply sends again.
 */
export const RESUMABLE_FROM_BYTES = CHUNK_BYTES;

/** uploading → uploaded (or failed); uploaded → sending once the message carrying it is on its way. */
export type UploadState = 'uploading' | 'uploaded' | 'failed' | 'sending';

/** One file picked, dropped or pasted into a composer, as its card shows it. */
export interface Upload {
  /** This page's own name for it (the server's id comes only with the answer). */
  key: string;
  name: string;
  size: number;
  /** As the browser says, until the server's answer says what the file is. */
  type: string;
  state: UploadState;
  /** Share of the bytes sent, 0 to 1. */
  progress: number;
  /** The server's answer, once uploaded. */
  file?: UploadedFile;
  /** Why it failed, in the server's words when it gave a reason. */
  error?: string;
  /** The failure was the network's (or the server's load), not a refusal: trying again may work. */
  retryable?: boolean;
}

interface DraftFiles {
  uploads: Upload[];
  /** Said when more files were picked than one message carries. */
  notice: string | null;
}

const NO_FILES: DraftFiles = { uploads: [], notice: null };

/**
 * The files being prepared for each conversation's next message, beside its text (DraftStore):
 * switching to another conversation and back finds them, still uploading or done. Each file is
 * uploaded at once (POST /api/files, or resumably over tus when large) so Send has only ids to send. Kept in memory for this page,
 * per user: a File cannot be stored, and an upload never sent is removed by the server after a day.
 * HttpClient sends the XSRF-TOKEN cookie back as X-XSRF-TOKEN, like every other write.
 */
@Injectable({ providedIn: 'root' })
export class UploadStore {
  private readonly http = inject(HttpClient);
  private readonly resumable = inject(ResumableUploader);
  private readonly newId = inject(ID_GENERATOR);
  private readonly drafts = signal<ReadonlyMap<string, DraftFiles>>(new Map());
  /**
   * The server's limits from verify_user (ChatStore sets them): a file they refuse fails on its
   * card at once, in the server's words, rather than after its bytes went up (and a body the
   * server refuses before reading can look to the browser like a dropped connection).
   */
  readonly limits = signal<FileLimits | null>(null);
  /** What each upload needs that is not state: the file (for Retry) and the request (for Cancel). */
  private readonly running = new Map<string, { file: File; request?: Subscription }>();

  uploads(user: string, conversation: string): readonly Upload[] {
    return this.drafts().get(draftKey(user, conversation))?.uploads ?? NO_FILES.uploads;
  }

  notice(user: string, conversation: string): string | null {
    return this.drafts().get(draftKey(user, conversation))?.notice ?? null;
  }

  /** Starts uploading each file; past MAX_ATTACHMENTS cards, the rest are left out and the notice says so. */
  add(user: string, conversation: string, files: readonly File[]): void {
    const key = draftKey(user, conversation);
    const room = Math.max(0, MAX_ATTACHMENTS - this.uploads(user, conversation).length);
    const taken = files.slice(0, room);
    const left = files.length - taken.length;
    const limits = this.limits();
    const added = taken.map((file): Upload => {
      const refused = limits ? refusedBeforeUpload(file, limits) : null;
      const card = { key: this.newId(), name: file.name, size: file.size, type: file.type };
      return refused === null ? { ...card, state: 'uploading', progress: 0 } : { ...card, state: 'failed', progress: 0, error: refused, retryable: false };
    });
    this.change(key, (draft) => ({
      uploads: [...draft.uploads, ...added],
      notice: left === 0 ? null : `One message carries at most ${MAX_ATTACHMENTS} files: ${left} ${left === 1 ? 'was' : 'were'} not added.`,
    }));
    added.forEach((upload, i) => {
      if (upload.state === 'uploading') this.start(upload.key, taken[i]);
    });
  }

  /** Cancels an upload still running (the request is aborted) or removes a card. */
  remove(user: string, conversation: string, uploadKey: string): void {
    this.running.get(uploadKey)?.request?.unsubscribe();
    this.running.delete(uploadKey);
    this.change(draftKey(user, conversation), (draft) => ({ uploads: draft.uploads.filter((u) => u.key !== uploadKey), notice: null }));
  }

  retry(uploadKey: string): void {
    const file = this.running.get(uploadKey)?.file;
    if (!file) return;
    this.patch(uploadKey, { state: 'uploading', progress: 0, error: undefined, retryable: undefined });
    this.start(uploadKey, file);
  }

  /**
   * The files ready to go with the message being sent, now marked as sending: they stay on
   * their cards (without Remove) until release(), and a second Send does not take them again.
   */
  take(user: string, conversation: string): UploadedFile[] {
    const ready = this.uploads(user, conversation).filter((u) => u.state === 'uploaded' && u.file);
    for (const upload of ready) this.patch(upload.key, { state: 'sending' });
    return ready.map((u) => u.file!);
  }

  /** The message carrying these files was answered: it holds them now (sent, or with its own Retry). */
  release(user: string, conversation: string, fileIds: readonly string[]): void {
    const gone = this.uploads(user, conversation).filter((u) => u.file && fileIds.includes(u.file.id));
    for (const upload of gone) this.running.delete(upload.key);
    this.change(draftKey(user, conversation), (draft) => ({ ...draft, uploads: draft.uploads.filter((u) => !gone.includes(u)) }));
  }

  /** A conversation got a new id (a channel renamed): its files go with it, as its text does. */
  move(user: string, from: string, to: string): void {
    const draft = this.drafts().get(draftKey(user, from));
    if (!draft) return;
    this.drafts.update((drafts) => {
      const next = new Map(drafts);
      next.delete(draftKey(user, from));
      next.set(draftKey(user, to), draft);
      return next;
    });
  }

  private start(uploadKey: string, file: File): void {
    if (file.size > RESUMABLE_FROM_BYTES) {
      const request = this.resumable.upload(file).subscribe({
        next: (event) =>
          this.patch(uploadKey, event.kind === 'progress' ? { progress: event.total > 0 ? event.sent / event.total : 0 } : { state: 'uploaded', progress: 1, file: event.file }),
        error: (failed: UploadFailure) => this.patch(uploadKey, { state: 'failed', ...resumableFailure(failed) }),
      });
      this.running.set(uploadKey, { file, request });
      return;
    }
    const form = new FormData();
    form.append('file', file, file.name);
    const request = this.http.post<UploadedFile>('/api/files', form, { reportProgress: true, observe: 'events' }).subscribe({
      next: (event) => {
        if (event.type === HttpEventType.UploadProgress && event.total) {
          this.patch(uploadKey, { progress: event.loaded / event.total });
        } else if (event.type === HttpEventType.Response && event.body) {
          this.patch(uploadKey, { state: 'uploaded', progress: 1, file: event.body });
        }
      },
      error: (error: unknown) => this.patch(uploadKey, { state: 'failed', ...failure(error) }),
    });
    this.running.set(uploadKey, { file, request });
  }

  /** Changes an upload in whichever draft holds it now (its channel may have been renamed meanwhile). */
  private patch(uploadKey: string, change: Partial<Upload>): void {
    const key = [...this.drafts()].find(([, draft]) => draft.uploads.some((u) => u.key === uploadKey))?.[0];
    if (key === undefined) return;
    this.change(key, (draft) => ({ ...draft, uploads: draft.uploads.map((u) => (u.key === uploadKey ? { ...u, ...change } : u)) }));
  }

  private change(key: string, change: (draft: DraftFiles) => DraftFiles): void {
    this.drafts.update((drafts) => {
      const next = new Map(drafts);
      const changed = change(drafts.get(key) ?? NO_FILES);
      if (changed.uploads.length === 0 && changed.notice === null) next.delete(key);
      else next.set(key, changed);
      return next;
    });
  }
}

function draftKey(user: string, conversation: string): string {
  return JSON.stringify([user, conversation]);
}

/** A refusal in the server's own words; a network failure (or an overloaded server) may be tried again. */
function failure(error: unknown): Pick<Upload, 'error' | 'retryable'> {
  if (!(error instanceof HttpErrorResponse)) return { error: 'Not uploaded: something went wrong.', retryable: true };
  if (error.status === 0) return { error: 'Not uploaded: the server cannot be reached. Check the connection and try again.', retryable: true };
  const body = error.error as { code?: unknown; message?: unknown } | null;
  if (body && typeof body.message === 'string') return { error: body.message, retryable: body.code === ErrorCodes.RateLimited };
  return { error: `Not uploaded: the server answered ${error.status}.`, retryable: error.status >= 500 || error.status === 429 };
}

/** The same for a resumable upload: it retried by itself before giving up, and Retry goes on from where it stopped. */
function resumableFailure(failed: UploadFailure): Pick<Upload, 'error' | 'retryable'> {
  if (failed.code === 'NETWORK') return { error: `Not uploaded: ${failed.message}.`, retryable: true };
  return { error: failed.message, retryable: failed.code === ErrorCodes.RateLimited };
}
