import type { Request } from 'express';

/**
 * Where people and scripts reach Parley: PARLEY_PUBLIC_URL's origin behind a proxy, else the
 * address this request was sent to (its Host passed the allow-list; its scheme is the proxy's
 * when trusted). For absolute URLs Parley hands out: a sign-on redirect, a webhook's URL.
 */
export function publicOrigin(publicUrl: string | undefined, request: Request): string {
  return publicUrl ? new URL(publicUrl).origin : `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}
