import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { Authenticated } from '../auth/session.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditService } from './audit.service';
import { AUDIT_ACTIONS, ErrorCodes } from '@parley/contract';
import { ApiError, ApiJsonResponse } from '../openapi/api-docs';
import { auditPageResponseSchema, type AuditQueryDto, auditQuerySchema } from '@parley/contract/schemas';

/** The audit log, newest first, paged backwards with `before`. */
@Controller('api/admin/audit')
@Authenticated('readAuditLog')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit log of admin actions, newest first' })
  @ApiQuery({ name: 'before', required: false, type: Number, description: 'Only entries with a smaller id (next_before of the previous page)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1 to 200, default 50' })
  @ApiQuery({ name: 'action', required: false, enum: AUDIT_ACTIONS })
  @ApiJsonResponse(200, 'One page of entries', auditPageResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'A query value is invalid')
  async list(@Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQueryDto) {
    const entries = await this.audit.page(query);
    // A full page may have more behind it; the client asks again with before = next_before.
    return { entries, next_before: entries.length === query.limit ? entries[entries.length - 1].id : null };
  }
}
