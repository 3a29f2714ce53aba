import { type ErrorBody, type ErrorCode, ErrorCodes } from '@parley/contract';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCodes.InvalidPayload]: 400,
  [ErrorCodes.MessageTooLong]: 400,
  // Understood and well formed, but this server's rules (an extension's) do not take it.
  [ErrorCodes.MessageRefused]: 422,
  [ErrorCodes.InvalidCredentials]: 401,
  [ErrorCodes.Unauthenticated]: 401,
  [ErrorCodes.NotAuthorised]: 403,
  [ErrorCodes.AccountDisabled]: 403,
  [ErrorCodes.Forbidden]: 403,
  [ErrorCodes.NotFound]: 404,
  // Only REST bodies name recipients over HTTP (channel members): a bad request, not a missing path.
  [ErrorCodes.UnknownRecipient]: 400,
  [ErrorCodes.UsernameTaken]: 409,
  [ErrorCodes.WeakPassword]: 400,
  [ErrorCodes.LastAdmin]: 409,
  [ErrorCodes.SelfChange]: 409,
  [ErrorCodes.ChannelExists]: 409,
  [ErrorCodes.ChannelArchived]: 409,
  [ErrorCodes.InvalidQuery]: 400,
  // A file the asker may not fetch is answered as one that does not exist.
  [ErrorCodes.UnknownFile]: 404,
  [ErrorCodes.FileTooLarge]: 413,
  [ErrorCodes.QuotaExceeded]: 413,
  [ErrorCodes.FileTypeNotAllowed]: 415,
  [ErrorCodes.InvalidFile]: 400,
  [ErrorCodes.WrongPassword]: 400,
  [ErrorCodes.DirectoryAccount]: 409,
  [ErrorCodes.BotAccount]: 409,
  [ErrorCodes.DirectoryUnavailable]: 503,
  [ErrorCodes.WebhookAddressNotAllowed]: 400,
  [ErrorCodes.StorageFailed]: 503,
  [ErrorCodes.RateLimited]: 429,
  [ErrorCodes.ShuttingDown]: 503,
  [ErrorCodes.Internal]: 500,
};

/**
 * An expected failure with a stable code. Services throw it; the HTTP filter turns it into a
 * status and body, the socket filter into an error ack. Its message is safe to show a client.
 */
export class ParleyError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** With RATE_LIMITED: when the client may try again (REST sends it as Retry-After, in seconds). */
    readonly retryAfterMs?: number,
    /** The HTTP status when the route's shape decides it (an id in the path not found: 404), not the code. */
    private readonly status?: number,
  ) {
    super(message);
    this.name = 'ParleyError';
  }

  get httpStatus(): number {
    return this.status ?? HTTP_STATUS[this.code] ?? 400;
  }

  toBody(): ErrorBody {
    return this.retryAfterMs === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, retry_after_ms: this.retryAfterMs };
  }
}
