import { z } from 'zod';
import { MAX_ATTACHMENTS } from '../files';
import { NOTIFY_LEVELS } from '../mentions';
import { REACTION_EMOJI } from '../reactions';
import { SEARCH_ORDERS, SEARCH_PAGE, SEARCH_QUERY_MAX_CHARS } from '../search';

/**
 * Socket payload schemas: the edge where untrusted input becomes typed. Objects are parsed
 * into fresh objects holding only the known keys, so `__proto__` and extra keys never travel
 * further. Limits here are about shape; the message-size limit is configurable and checked
 * by SendMessagePipe. The wire types in ../events.ts are inferred from these, so a
 * payload's type and its validator cannot drift apart.
 */
/** Half of a UTF-16 surrogate pair with no other half: not Unicode text. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * PostgreSQL cannot store U+0000 in text; refusing it here keeps one bad row out of a batch.
 * A lone surrogate would be stored as U+FFFD: the text would change, and two different
 * client_ids could become one (the second message then taken for a resend of the first).
 */
export const text = () =>
  z
    .string()
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters')
    .refine((value) => !LONE_SURROGATE.test(value), 'must be Unicode text (a lone surrogate is not)');

export const verifyUserSchema = z.object({
  user_type: text().max(64),
  user_name: text().max(64),
});
export type VerifyUserDto = z.infer<typeof verifyUserSchema>;

export const messageId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** POST /api/files's ids: 128 random bits, base64url. */
export const fileId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'must be a file id from POST /api/files');

export const sendMessageSchema = z
  .object({
    // May be empty only when files go with it.
    message: text(),
    recipients: text().min(1).max(128),
    client_id: text().min(1).max(64).optional(),
    /** The id of the message this one answers, in the same conversation. */
    reply_to: messageId.min(1).optional(),
    /** Files from POST /api/files, in the order they are shown; each one once. */
    attachments: z
      .array(fileId)
      .max(MAX_ATTACHMENTS)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name a file twice')
      .optional(),
  })
  .refine((dto) => dto.message !== '' || (dto.attachments?.length ?? 0) > 0, { path: ['message'], message: 'must not be empty' });
export type SendMessageDto = z.infer<typeof sendMessageSchema>;

/** The new text is checked against the size limit by the handler, as send_message's is. */
export const editMessageSchema = z.object({
  id: messageId.min(1),
  message: text().min(1, 'must not be empty'),
});
export type EditMessageDto = z.infer<typeof editMessageSchema>;

export const deleteMessageSchema = z.object({ id: messageId.min(1) });
export type DeleteMessageDto = z.infer<typeof deleteMessageSchema>;

export const reactSchema = z.object({
  id: messageId.min(1),
  emoji: z.enum(REACTION_EMOJI),
  on: z.boolean(),
});
export type ReactDto = z.infer<typeof reactSchema>;

/**
 * A page size the client asks for; more than the server's maximum is lowered to it (not
 * refused), so a client written for a larger page keeps working and pages on with `more`.
 */
export const pageLimit = (page: { default: number; max: number }) =>
  z
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .default(page.default)
    .transform((limit) => Math.min(limit, page.max));

export const SYNC_PAGE = { default: 100, max: 500 } as const;
export const syncSchema = z.object({
  since: messageId,
  limit: pageLimit(SYNC_PAGE),
});
export type SyncDto = z.infer<typeof syncSchema>;

export const HISTORY_PAGE = { default: 50, max: 200 } as const;
export const historySchema = z.object({
  conversation: text().min(1).max(128),
  before: messageId.optional(),
  limit: pageLimit(HISTORY_PAGE),
});
export type HistoryDto = z.infer<typeof historySchema>;

export const conversationSchema = z.object({ conversation: text().min(1).max(128) });
export type ConversationDto = z.infer<typeof conversationSchema>;

export const setNotifySchema = z.object({ conversation: text().min(1).max(128), notify: z.enum(NOTIFY_LEVELS) });
export type SetNotifyDto = z.infer<typeof setNotifySchema>;

export const markReadSchema = z.object({ conversation: text().min(1).max(128), up_to: messageId });
export type MarkReadDto = z.infer<typeof markReadSchema>;

/** Optional as a whole: older clients send nothing or {} and get the newest page. */
export const conversationsPageSchema = z.object({
  /** Only conversations whose newest message id is below this (the previous page's last). */
  before: messageId.optional(),
});
export const conversationsSchema = z.preprocess((payload) => payload ?? {}, conversationsPageSchema);
export type ConversationsDto = z.infer<typeof conversationsSchema>;

export const DIRECTORY_PAGE = { default: 100, max: 200 } as const;
/** Optional as a whole: older clients send nothing or {}. */
export const directoryPageSchema = z.object({
  /** Only names after this one (next_after of the previous page). */
  after: text().min(1).max(64).optional(),
  /** Only people whose name or display name contains this, ignoring case. */
  q: text().max(64).optional(),
  limit: pageLimit(DIRECTORY_PAGE),
});
export const directorySchema = z.preprocess((payload) => payload ?? {}, directoryPageSchema);
export type DirectoryDto = z.infer<typeof directorySchema>;

/** A date (YYYY-MM-DD, a day at `tz`) or an ISO 8601 time, for search's before / after / on. */
const searchDate = text().max(40);
/** The fields of search, shared by the socket event and GET /api/search (which coerces numbers). */
export const searchFields = {
  q: text().max(SEARCH_QUERY_MAX_CHARS).default(''),
  in: text().min(1).max(128).optional(),
  from: text().min(1).max(64).optional(),
  before: searchDate.optional(),
  after: searchDate.optional(),
  on: searchDate.optional(),
  cursor: text().min(1).max(64).optional(),
  order: z.enum(SEARCH_ORDERS).default('newest'),
};
/** Minutes east of UTC, as the browser's clock is: bare dates are days there. */
const timeZoneOffset = z.number().int().min(-840).max(840).default(0);
export const searchSchema = z.object({
  ...searchFields,
  limit: pageLimit(SEARCH_PAGE),
  tz: timeZoneOffset,
});
export type SearchDto = z.infer<typeof searchSchema>;
