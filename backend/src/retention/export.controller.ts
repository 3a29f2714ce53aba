import { Controller, Get, Ip, Logger, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditActions, ErrorCodes } from '@parley/contract';
import { type ExportQueryDto, exportQuerySchema } from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError } from '../openapi/api-docs';
import { MessageExportService } from './message-export.service';

/** The compliance export: JSON Lines, streamed; its SHA-256 goes to the audit log. */
@Controller('api/admin/export')
export class ExportController {
  private readonly logger = new Logger(ExportController.name);

  constructor(
    private readonly exporter: MessageExportService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Authenticated('exportMessages')
  @ApiOperation({
    summary: 'Export messages as JSON Lines, oldest first',
    description: 'One ExportLine per message; deleted messages as tombstones without text. The audit entry messages.exported records the range, the count and the SHA-256 of the body.',
  })
  @ApiQuery({ name: 'conversation', required: false, type: String, description: "'group:<role>', 'channel:<name>', 'team:<role>:<guest>' or 'dm:<name>:<name>'; all when absent" })
  @ApiQuery({ name: 'after', required: false, type: String, description: 'ISO date or time: sent at or after' })
  @ApiQuery({ name: 'before', required: false, type: String, description: 'ISO date or time: sent before' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'JSON Lines', content: { 'application/x-ndjson': { schema: { type: 'string' } } } })
  @ApiError(400, [ErrorCodes.InvalidPayload], 'A query value is invalid')
  @ApiError(404, [ErrorCodes.NotFound], 'No such conversation')
  async export(@Query(new ZodValidationPipe(exportQuerySchema)) query: ExportQueryDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string, @Res() response: Response): Promise<void> {
    // Resolved before the first byte: an unknown conversation still gets a coded 404.
    const filter = await this.exporter.filterOf(query);
    response.status(200);
    response.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="parley-export-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl"`);
    response.setHeader('Cache-Control', 'no-store');
    // Express answers HEAD with the GET route: the headers say what a GET would get; nothing is exported.
    if (response.req.method === 'HEAD') return void response.end();
    response.flushHeaders();
    let summary;
    try {
      summary = await this.exporter.export(filter, response);
    } catch (error) {
      // The status is gone; cutting the connection is how the reader learns the export is incomplete.
      this.logger.error(`Export failed: ${String(error)}`);
      response.destroy();
      return;
    }
    // Recorded before the last byte is sent: whoever holds the whole file finds the export in the
    // audit log (read right after the download, the entry was sometimes not there yet).
    await this.audit.record(
      auth.user,
      AuditActions.MessagesExported,
      query.conversation ?? null,
      { conversation: query.conversation ?? null, after: query.after ?? null, before: query.before ?? null, count: summary.count, bytes: summary.bytes, sha256: summary.sha256, complete: summary.complete },
      clientIp(ip),
    );
    if (summary.complete) response.end();
  }
}
