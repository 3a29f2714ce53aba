import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ErrorCodes, SEARCH_ORDERS, SEARCH_PAGE } from '@parley/contract';
import { type SearchDto, searchQuerySchema, searchResponseSchema } from '@parley/contract/schemas';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ReadGate } from '../rate-limit/read-gate.service';
import { ApiError, ApiJsonResponse } from '../openapi/api-docs';
import { SearchService } from './search.service';

/** GET /api/search: the socket event `search` over HTTP, for scripts and other clients. */
@Controller('api/search')
@Authenticated()
export class SearchController {
  constructor(
    private readonly search: SearchService,
    private readonly gate: ReadGate,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Search the messages the caller may read',
    description: 'Words (parts of words match, case and accents ignored), "quoted phrases" and filters from:, in:, before:, after:, on:. Newest first unless order=relevance.',
  })
  @ApiQuery({ name: 'q', required: false, description: 'e.g. `deploy "release notes" from:sam in:#ops after:2026-01-31`' })
  @ApiQuery({ name: 'in', required: false, description: "A conversation: 'staff', 'group:staff', '#channel', '@sam', 'user:sam', 'team:staff:cleo'" })
  @ApiQuery({ name: 'from', required: false, description: 'A sender’s user name' })
  @ApiQuery({ name: 'before', required: false, description: 'YYYY-MM-DD (that day excluded) or an ISO 8601 time' })
  @ApiQuery({ name: 'after', required: false, description: 'YYYY-MM-DD (that day excluded) or an ISO 8601 time' })
  @ApiQuery({ name: 'on', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'tz', required: false, type: Number, description: 'Minutes east of UTC that bare dates are read in; default 0' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${SEARCH_PAGE.max}, default ${SEARCH_PAGE.default}` })
  @ApiQuery({ name: 'cursor', required: false, description: 'next_cursor of the previous page' })
  @ApiQuery({ name: 'order', required: false, enum: SEARCH_ORDERS })
  @ApiJsonResponse(200, 'One page of results', searchResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.InvalidQuery, ErrorCodes.UnknownRecipient], 'A field is malformed, the query cannot be run, or in: names no conversation the caller may read')
  @ApiError(403, [ErrorCodes.Forbidden], 'in: names a conversation the caller may not read')
  @ApiError(429, [ErrorCodes.RateLimited], 'The caller already has PARLEY_READS_IN_FLIGHT reads in progress (socket or REST); Retry-After says when to resend')
  async find(@Query(new ZodValidationPipe(searchQuerySchema)) query: SearchDto, @CurrentAuth() auth: AuthContext) {
    // Each search may scan thousands of candidates: it takes one of the user's read slots.
    return this.gate.restRead(auth, () => this.search.search(auth.user, query));
  }
}
