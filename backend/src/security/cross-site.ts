import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCodes } from '@parley/contract';
import type { AllowedHosts } from './allowed-hosts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `application/json` or a `+json` type; HTML forms can send neither. */
function isJson(contentType: string): boolean {
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return essence === 'application/json' || /^application\/[\w.-]+\+json$/.test(essence);
}

/**
 * Refuses state-changing requests a page on another site could make a browser send, before
 * any body is parsed and whatever cookies they carry (sign-in has none yet, and a forged
 * sign-in would swap the victim's session for the attacker's):
 * - 403 when the browser says the request comes from another site: `Sec-Fetch-Site:
 *   cross-site`, or an Origin that is not Parley's own (PARLEY_CORS_ORIGINS opens socket.io
 *   only: REST has no CORS, so those pages could never read an answer anyway);
 * - 415 for a body that is not JSON. Forms and no-preflight fetches can only send
 *   form, multipart or text bodies; JSON from another origin needs a CORS preflight, which
 *   Parley never grants.
 * Clients without Origin or Sec-Fetch-Site (scripts, curl) are not browsers and pass.
 */
export function refuseCrossSiteWrites(hosts: AllowedHosts, options: { multipartPaths?: readonly string[]; tusPrefix?: string } = {}): RequestHandler {
  // Uploads are multipart. A form on another site could post one too, so these paths rely on
  // the other two checks: the Origin / Sec-Fetch-Site refusal here and the CSRF token (which a
  // cookie-authenticated upload must carry like every other write).
  const multipart = new Set((options.multipartPaths ?? []).map((path) => path.toLowerCase()));
  return (request: Request, response: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(request.method)) return next();
    const origin = request.headers.origin;
    if (request.headers['sec-fetch-site'] === 'cross-site' || (origin !== undefined && !hosts.isOwnOrigin(origin, request.headers.host))) {
      response.status(403).json({
        statusCode: 403,
        code: ErrorCodes.CrossSiteRejected,
        message: 'Requests that change something must come from Parley’s own pages',
      });
      return;
    }
    const type = request.headers['content-type'];
    const length = request.headers['content-length'];
    const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    const multipartAllowed = multipart.has(request.path.toLowerCase()) && /^multipart\/form-data\s*;/i.test(type ?? '');
    // tus sends a resumable upload's bytes as application/offset+octet-stream, guarded the same way.
    const tusAllowed = options.tusPrefix !== undefined && request.path.toLowerCase().startsWith(`${options.tusPrefix}/`) && /^application\/offset\+octet-stream\s*$/i.test(type ?? '');
    if ((type !== undefined || hasBody) && !isJson(type ?? '') && !multipartAllowed && !tusAllowed) {
      response.status(415).json({
        statusCode: 415,
        code: ErrorCodes.UnsupportedMediaType,
        message: multipart.has(request.path.toLowerCase())
          ? 'Send the file as multipart/form-data (field `file`)'
          : 'Send the body as JSON (Content-Type: application/json)',
      });
      return;
    }
    next();
  };
}
