import { Controller, Get, Query } from '@nestjs/common';
import { Authenticated } from '../auth/session.guard';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuditService } from './audit.service';
import { auditQuerySchema, type AuditQueryDto } from './dto/audit-query.dto';

/** The audit log, newest first, paged backwards with `before`. */
@Controller('api/admin/audit')
@Authenticated('readAuditLog')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQueryDto) {
    const entries = await this.audit.page(query);
    // A full page may have more behind it; the client asks again with before = next_before.
    return { entries, next_before: entries.length === query.limit ? entries[entries.length - 1].id : null };
  }
}
