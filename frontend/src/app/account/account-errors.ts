import { HttpErrorResponse } from '@angular/common/http';
import { ErrorCodes } from '@parley/contract';
import { describeUserError } from '../users/user-errors';

/** Status 0: the request never reached the server (offline, server down). */
export const UNREACHABLE = 'Not saved: the server cannot be reached.';

/** The API's error code, when the refusal has the usual {statusCode, code, message} body. */
export function errorCode(error: unknown): string | null {
  if (!(error instanceof HttpErrorResponse)) return null;
  const body = error.error as { code?: unknown } | null;
  return typeof body?.code === 'string' ? body.code : null;
}

/**
 * A refused change of one's own account in plain words. The server's messages are written for
 * people already; field problems get the form's labels through describeUserError.
 */
export function describeAccountError(error: unknown): string {
  if (!(error instanceof HttpErrorResponse)) return describeUserError(error);
  if (error.status === 0) return UNREACHABLE;
  const body = error.error as { message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : '';
  switch (errorCode(error)) {
    case ErrorCodes.WrongPassword:
      return message || 'Your current password is not right.';
    case ErrorCodes.WeakPassword:
      return `New password: ${message || 'too easy to guess.'}`;
    case ErrorCodes.RateLimited:
      return `${message || 'Too many tries.'} ${retryAfter(error)}`.trim();
    default:
      // DIRECTORY_ACCOUNT too: the server's sentence says where the password or name lives.
      return describeUserError(error);
  }
}

/** "Try again in 5 minutes." from Retry-After (seconds), or nothing when it is absent or a date. */
function retryAfter(error: HttpErrorResponse): string {
  const seconds = Number(error.headers.get('Retry-After'));
  if (!Number.isFinite(seconds) || seconds <= 0) return '';
  if (seconds < 60) return `Try again in ${Math.ceil(seconds)} seconds.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}
