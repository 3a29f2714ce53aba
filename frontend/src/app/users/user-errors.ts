import { HttpErrorResponse } from '@angular/common/http';
import { ErrorCodes } from '@parley/contract';
import { errorMessage } from '../core/auth.service';

/** The form's names for the API's fields. */
const FIELD_LABELS: Record<string, string> = {
  username: 'User name',
  display_name: 'Display name',
  role: 'Role',
  password: 'Password',
  // The account page's own password change (POST /api/me/password).
  current_password: 'Current password',
  new_password: 'New password',
  disabled: 'Status',
};

/** DIRECTORY_ACCOUNT without the server's sentence (a proxy's page, say). */
export const DIRECTORY_ACCOUNT = 'This account comes from the company directory or single sign-on: change it there.';

/**
 * A refused user change in plain words: field problems named by their label ("User name: must
 * be 1-32 characters ..."), never the API's "Invalid payload: username: ...".
 */
export function describeUserError(error: unknown): string {
  if (!(error instanceof HttpErrorResponse)) return errorMessage(error);
  const body = error.error as { code?: unknown; message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : '';
  switch (body?.code) {
    case ErrorCodes.InvalidPayload:
      return fieldProblems(message);
    case ErrorCodes.UsernameTaken:
      return 'User name: that name is already taken; choose another.';
    case ErrorCodes.WeakPassword:
      return `Password: ${message || 'too easy to guess.'}`;
    case ErrorCodes.DirectoryAccount:
      // The server's sentence names what is kept elsewhere and where ("sam's role comes from their groups in ...").
      return message || DIRECTORY_ACCOUNT;
    default:
      // LAST_ADMIN, SELF_CHANGE, NOT_FOUND... are written for people already.
      return errorMessage(error);
  }
}

/** "Invalid payload: username: must be ...; password: must be ..." → "User name: must be .... Password: must be ...." */
function fieldProblems(message: string): string {
  const detail = message.replace(/^Invalid payload:\s*/, '');
  const parts = detail
    .split('; ')
    .map((part) => {
      const match = /^([a-z_]+): (.*)$/.exec(part);
      if (!match) return null;
      const label = FIELD_LABELS[match[1]];
      return label ? `${label}: ${match[2].replace(/\.?$/, '.')}` : null;
    })
    .filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' ') : 'Some fields are not valid; check them and try again.';
}
