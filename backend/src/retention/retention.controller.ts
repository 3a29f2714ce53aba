import { Body, Controller, Get, Ip, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AuditActions, ErrorCodes } from '@parley/contract';
import { retentionResponseSchema, type SetRetentionDto, setRetentionSchema } from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { RetentionSettingsService } from './retention-settings.service';

/** How long messages are kept: the global default and the per-conversation overrides. */
@Controller('api/admin/retention')
@Authenticated('manageRetention')
export class RetentionController {
  constructor(
    private readonly settings: RetentionSettingsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'PARLEY_RETENTION_DAYS and every per-conversation override' })
  @ApiJsonResponse(200, 'The default and the overrides', retentionResponseSchema)
  async current() {
    return this.settings.current();
  }

  @Put()
  @ApiOperation({
    summary: "Set or clear one conversation's retention",
    description: 'days: keep that many days; 0 keeps them forever; null removes the override. The retention job applies it on its next pass.',
  })
  @ApiJsonBody(setRetentionSchema)
  @ApiJsonResponse(200, 'The default and the overrides, after the change', retentionResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such conversation (its role, channel or people do not exist)')
  async set(@Body(new ZodValidationPipe(setRetentionSchema)) body: SetRetentionDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    await this.settings.set(body, auth.user);
    await this.audit.record(auth.user, AuditActions.RetentionChanged, body.conversation, { days: body.days }, clientIp(ip));
    return this.settings.current();
  }
}
