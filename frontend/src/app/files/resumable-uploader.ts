import { HttpXsrfTokenExtractor } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { ErrorBody, UploadedFile } from '@parley/contract';
import { Observable } from 'rxjs';
import { type DetailedError, Upload } from 'tus-js-client';

/** Where tus uploads go (docs/protocol.md, "Resumable uploads"). */
export const RESUMABLE_UPLOADS_URL = '/api/uploads';
/**
 * Each PATCH carries this much: after a dropped connection at most this is sent again, and one
 * chunk in flight is all a slow link holds up. 8 MB takes a second or two on office Wi-Fi.
 */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * Waits before each retry after a network failure: quick at first (a blip), then up to a
 * minute (a laptop moving between access points), after which the upload says it failed.
 */
export const RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000, 10_000, 20_000, 30_000, 60_000];

export type ResumableEvent = { kind: 'progress'; sent: number; total: number } | { kind: 'done'; file: UploadedFile };

/** Why an upload stopped: the server's own code and words, or NETWORK when there was no answer. */
export interface UploadFailure {
  code: ErrorBody['code'] | 'NETWORK';
  message: string;
}

/**
 * Uploads a file with the tus protocol (tus-js-client): in chunks, going on from the last byte
 * the server has after a dropped connection (retrying by itself), and after a reload when the
 * same file is picked again (its URL is kept in localStorage under the file's fingerprint).
 * Unsubscribing cancels the upload and asks the server to drop what it has.
 */
@Injectable({ providedIn: 'root' })
export class ResumableUploader {
  private readonly xsrf = inject(HttpXsrfTokenExtractor);

  upload(file: File): Observable<ResumableEvent> {
    return new Observable<ResumableEvent>((subscriber) => {
      let finished = false;
      // The session cookie goes with every request; a write also needs the CSRF token, which
      // HttpClient would add itself but tus-js-client's own XHRs do not.
      const token = this.xsrf.getToken();
      const upload = new Upload(file, {
        endpoint: RESUMABLE_UPLOADS_URL,
        chunkSize: CHUNK_BYTES,
        retryDelays: RETRY_DELAYS_MS,
        metadata: { filename: file.name, filetype: file.type },
        headers: token ? { 'X-XSRF-TOKEN': token } : {},
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        // A refusal (4xx: too large, not allowed, not yours) stays one; only silence and 5xx are retried.
        onShouldRetry: (error) => {
          const status = error.originalResponse?.getStatus() ?? 0;
          return status === 0 || status >= 500 || status === 409 || status === 423;
        },
        onProgress: (sent, total) => subscriber.next({ kind: 'progress', sent, total }),
        onSuccess: ({ lastResponse }) => {
          finished = true;
          subscriber.next({ kind: 'done', file: JSON.parse(lastResponse.getBody()) as UploadedFile });
          subscriber.complete();
        },
        onError: (error) => {
          finished = true;
          subscriber.error(uploadFailure(error));
        },
      });
      void upload.findPreviousUploads().then(
        (previous) => {
          if (finished || subscriber.closed) return;
          if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        },
        () => upload.start(),
      );
      return () => {
        // Cancelled: the part on the server goes too (a finished upload is left alone).
        if (!finished) void upload.abort(true).catch(() => undefined);
      };
    });
  }
}

/** The server's coded refusal when it answered, else a network failure in words a person can act on. */
export function uploadFailure(error: Error | DetailedError): UploadFailure {
  const response = 'originalResponse' in error ? error.originalResponse : null;
  if (response) {
    try {
      const body = JSON.parse(response.getBody()) as Partial<ErrorBody>;
      if (body.code && body.message) return { code: body.code, message: body.message };
    } catch {
      // Not Parley's JSON (a proxy's page): fall through to the status.
    }
    return { code: 'NETWORK', message: `The server answered ${response.getStatus()}; try again` };
  }
  return { code: 'NETWORK', message: 'The connection dropped and did not come back; try again when you are online' };
}
