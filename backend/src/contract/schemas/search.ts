import { z } from 'zod';
import { SEARCH_PAGE, type SearchAck } from '../search';
import { ROLES } from '../roles';
import { searchFields, type SearchDto } from './socket';

/** Query string of GET /api/search: the socket event's fields, with numbers arriving as strings. */
export const searchQuerySchema = z.strictObject({
  ...searchFields,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .default(SEARCH_PAGE.default)
    .transform((limit) => Math.min(limit, SEARCH_PAGE.max)),
  tz: z.coerce.number().int().min(-840).max(840).default(0),
}) satisfies z.ZodType<SearchDto, unknown>;

const searchResultSchema = z.object({
  id: z.number().int(),
  conversation: z.string().describe("As the caller names it: 'group:staff', 'user:sam', 'channel:ops', 'team:staff:cleo'"),
  sender: z.string().describe("The sender's user name"),
  sender_role: z.enum(ROLES),
  sent_at: z.string().describe('ISO 8601 time'),
  snippet: z.string().describe("The message, or the part around its first match ('…' where cut)"),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])).describe('[start, end) UTF-16 offsets of the matches in snippet'),
  edited: z.literal(true).optional(),
});

export const searchResponseSchema = z.object({
  results: z.array(searchResultSchema),
  next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null at the end'),
}) satisfies z.ZodType<Omit<SearchAck, 'results'> & { results: unknown[] }>;
