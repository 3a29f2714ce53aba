import { Body, Controller, Delete, Get, Ip, Param, Post, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditActions, ErrorCodes } from '@parley/contract';
import {
  type CreateIncomingWebhookDto,
  createIncomingWebhookSchema,
  incomingWebhookCreatedResponseSchema,
  incomingWebhookIdParamSchema,
  incomingWebhookListResponseSchema,
  incomingWebhookSchema,
} from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { publicOrigin } from '../common/public-origin';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AppConfig } from '../config/app-config';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { HOOKS_PATH } from './hook-token';
import { IncomingWebhooksService } from './incoming-webhooks.service';

/** Incoming webhooks (README "Integrations"): admins create secret URLs that post as a bot, and revoke them. */
@Controller('api/admin/incoming-webhooks')
@Authenticated('manageWebhooks')
export class IncomingWebhooksController {
  constructor(
    private readonly service: IncomingWebhooksService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every incoming webhook, revoked ones too, newest first (never their tokens)' })
  @ApiJsonResponse(200, 'The incoming webhooks', incomingWebhookListResponseSchema)
  async list() {
    return { hooks: await this.service.list() };
  }

  @Post()
  @ApiOperation({ summary: 'Create an incoming webhook', description: 'Posts as the bot into the conversation; answers its secret URL, this once.' })
  @ApiJsonBody(createIncomingWebhookSchema)
  @ApiJsonResponse(201, 'The hook and its URL', incomingWebhookCreatedResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.UnknownRecipient], 'A field is malformed, or the conversation names nothing the bot may post to')
  // One 403 entry per route in OpenAPI: this one also says what Authenticated's would (the capability).
  @ApiError(403, [ErrorCodes.Forbidden], 'Signed in, but the role lacks the manageWebhooks capability (admins only by default); or the permission table does not let the bot post to that group, or the bot is not in that public channel')
  @ApiError(404, [ErrorCodes.NotFound], 'No bot by that name')
  @ApiError(409, [ErrorCodes.ChannelArchived], 'The channel is archived')
  async create(@Body(new ZodValidationPipe(createIncomingWebhookSchema)) body: CreateIncomingWebhookDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string, @Req() request: Request) {
    const { hook, token } = await this.service.create(body, auth.user);
    await this.audit.record(auth.user, AuditActions.IncomingWebhookCreated, `incoming_webhook:${hook.id}`, { bot: hook.bot, conversation: hook.conversation, name: hook.name }, clientIp(ip));
    return { hook, url: `${publicOrigin(this.config.values.PARLEY_PUBLIC_URL, request)}${HOOKS_PATH}/${token}` };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an incoming webhook', description: 'Its URL answers 404 from now on; the hook stays listed, revoked.' })
  @ApiJsonResponse(200, 'Revoked', incomingWebhookSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The id is not a number')
  @ApiError(404, [ErrorCodes.NotFound], 'No such hook, or it was revoked already')
  async revoke(@Param('id', new ZodValidationPipe(incomingWebhookIdParamSchema)) id: number, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const hook = await this.service.revoke(id);
    await this.audit.record(auth.user, AuditActions.IncomingWebhookRevoked, `incoming_webhook:${id}`, { bot: hook.bot, conversation: hook.conversation, name: hook.name }, clientIp(ip));
    return hook;
  }
}
