import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { AuditActions, ErrorCodes } from '@parley/contract';
import {
  ANNOUNCEMENT_PAGE,
  announcementAcksResponseSchema,
  announcementIdParamSchema,
  announcementListResponseSchema,
  type AnnouncementPageQueryDto,
  announcementPageQuerySchema,
  announcementResponseSchema,
  announcementStatusListResponseSchema,
  type CreateAnnouncementDto,
  createAnnouncementSchema,
} from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { AnnouncementsService, OWN_ANNOUNCEMENTS_MAX } from './announcements.service';

/**
 * A person's announcements: post one (announce capability), list one's own, acknowledge. Guarded
 * per route: a class guard plus a route guard would run (and be documented) twice.
 */
@Controller('api/announcements')
export class AnnouncementsController {
  constructor(
    private readonly announcements: AnnouncementsService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @Authenticated('announce')
  @ApiOperation({ summary: 'Post an announcement', description: 'To the given roles, or to everyone; shown at once to those connected.' })
  @ApiJsonBody(createAnnouncementSchema)
  @ApiJsonResponse(201, 'Posted', announcementResponseSchema)
  async create(@Body(new ZodValidationPipe(createAnnouncementSchema)) body: CreateAnnouncementDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const announcement = await this.announcements.create(auth.user, body);
    // The text stays in the announcements table; the log says who posted which one to whom.
    await this.audit.record(auth.user, AuditActions.AnnouncementCreated, null, { id: announcement.id, roles: announcement.roles }, clientIp(ip));
    return { announcement };
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: `Announcements addressed to the caller's role, newest first (at most ${OWN_ANNOUNCEMENTS_MAX})` })
  @ApiJsonResponse(200, 'Each with when the caller acknowledged it, or null', announcementListResponseSchema)
  async list(@CurrentAuth() auth: AuthContext) {
    return { announcements: await this.announcements.listFor(auth.user) };
  }

  @Post(':id/ack')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge an announcement', description: 'Idempotent: a second call answers with the first acknowledgement.' })
  @ApiJsonResponse(200, 'Acknowledged', announcementResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The id is not a positive integer')
  @ApiError(404, [ErrorCodes.NotFound], 'No such announcement, or it is not addressed to the caller\'s role')
  async acknowledge(@Param('id', new ZodValidationPipe(announcementIdParamSchema)) id: number, @CurrentAuth() auth: AuthContext) {
    return { announcement: await this.announcements.acknowledge(auth.user, id) };
  }
}

/** What the admins see: every announcement with its counts, and who has acknowledged each. */
@Controller('api/admin/announcements')
@Authenticated('announce')
export class AnnouncementsAdminController {
  constructor(private readonly announcements: AnnouncementsService) {}

  @Get()
  @ApiOperation({ summary: 'Every announcement with its audience and acknowledged counts, newest first' })
  @ApiQuery({ name: 'before', required: false, type: Number, description: 'Only older ones (the last id of the previous page)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${ANNOUNCEMENT_PAGE.max}, default ${ANNOUNCEMENT_PAGE.default}` })
  @ApiJsonResponse(200, 'One page', announcementStatusListResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'A query value is invalid')
  async list(@Query(new ZodValidationPipe(announcementPageQuerySchema)) query: AnnouncementPageQueryDto) {
    return { announcements: await this.announcements.statusPage(query) };
  }

  @Get(':id/acks')
  @ApiOperation({ summary: 'Who of its audience (enabled accounts of its roles, now) has acknowledged it, and who has not' })
  @ApiJsonResponse(200, 'Both lists, in user-name order', announcementAcksResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The id is not a positive integer')
  @ApiError(404, [ErrorCodes.NotFound], 'No such announcement')
  async acks(@Param('id', new ZodValidationPipe(announcementIdParamSchema)) id: number) {
    return await this.announcements.acks(id);
  }
}
