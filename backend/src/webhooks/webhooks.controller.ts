import { Body, Controller, Delete, Get, HttpCode, Ip, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AuditActions, ErrorCodes } from '@parley/contract';
import {
  type CreateWebhookDto,
  createWebhookSchema,
  type UpdateWebhookDto,
  updateWebhookSchema,
  type WebhookDeliveriesQueryDto,
  webhookDeliveriesQuerySchema,
  webhookDeliveriesResponseSchema,
  webhookDeliveryAnswerSchema,
  webhookDeliveryIdParamSchema,
  webhookIdParamSchema,
  webhookListResponseSchema,
  webhookResponseSchema,
  webhookWithSecretResponseSchema,
} from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { WebhookRegistry } from './webhook-registry.service';

const idParam = new ZodValidationPipe(webhookIdParamSchema);
const NOT_ALLOWED = 'The URL is not allowed by PARLEY_WEBHOOK_ALLOWED_HOSTS (or the list is empty); the message says which host or address';

/** Outgoing webhooks (README "Integrations"): admins register receivers and watch deliveries. */
@Controller('api/admin/webhooks')
@Authenticated('manageWebhooks')
export class WebhooksController {
  constructor(
    private readonly registry: WebhookRegistry,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every outgoing webhook, with its delivery counts and last attempt' })
  @ApiJsonResponse(200, 'The webhooks (never their secrets)', webhookListResponseSchema)
  async list() {
    return { webhooks: await this.registry.list() };
  }

  @Post()
  @ApiOperation({ summary: 'Register an outgoing webhook', description: 'Answers its signing secret, this once.' })
  @ApiJsonBody(createWebhookSchema)
  @ApiJsonResponse(201, 'The webhook and its secret', webhookWithSecretResponseSchema)
  @ApiError(400, [ErrorCodes.WebhookAddressNotAllowed], NOT_ALLOWED)
  @ApiError(404, [ErrorCodes.NotFound], 'A named conversation does not exist')
  async create(@Body(new ZodValidationPipe(createWebhookSchema)) body: CreateWebhookDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const created = await this.registry.create(body, auth.user);
    await this.audit.record(auth.user, AuditActions.WebhookCreated, `webhook:${created.webhook.id}`, this.details(created.webhook), clientIp(ip));
    return created;
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a webhook's URL, events, conversations, note or enabled state" })
  @ApiJsonBody(updateWebhookSchema)
  @ApiJsonResponse(200, 'The webhook after the change', webhookResponseSchema)
  @ApiError(400, [ErrorCodes.WebhookAddressNotAllowed], NOT_ALLOWED)
  @ApiError(404, [ErrorCodes.NotFound], 'No such webhook, or a named conversation does not exist')
  async update(@Param('id', idParam) id: number, @Body(new ZodValidationPipe(updateWebhookSchema)) body: UpdateWebhookDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const webhook = await this.registry.update(id, body);
    await this.audit.record(auth.user, AuditActions.WebhookChanged, `webhook:${id}`, { changed: Object.keys(body), ...this.details(webhook) }, clientIp(ip));
    return webhook;
  }

  @Post(':id/secret')
  @HttpCode(200)
  @ApiOperation({ summary: "Replace a webhook's signing secret", description: 'The old secret stops signing at once; answers the new one, this once.' })
  @ApiJsonResponse(200, 'The webhook and its new secret', webhookWithSecretResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such webhook')
  async rotate(@Param('id', idParam) id: number, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const rotated = await this.registry.rotateSecret(id);
    await this.audit.record(auth.user, AuditActions.WebhookSecretRotated, `webhook:${id}`, { url: rotated.webhook.url }, clientIp(ip));
    return rotated;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a webhook and its deliveries (pending ones are never sent)' })
  @ApiJsonResponse(204, 'Removed')
  @ApiError(404, [ErrorCodes.NotFound], 'No such webhook')
  async remove(@Param('id', idParam) id: number, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const removed = await this.registry.remove(id);
    await this.audit.record(auth.user, AuditActions.WebhookDeleted, `webhook:${id}`, { url: removed.url }, clientIp(ip));
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook's deliveries, newest first: status, attempts, last error, next attempt" })
  @ApiJsonResponse(200, 'The deliveries', webhookDeliveriesResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such webhook')
  async deliveries(@Param('id', idParam) id: number, @Query(new ZodValidationPipe(webhookDeliveriesQuerySchema)) query: WebhookDeliveriesQueryDto) {
    return { deliveries: await this.registry.deliveries(id, query) };
  }

  @Post(':id/deliveries/:delivery/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Try a delivery again now', description: 'Its attempts start over; the same delivery id, so a receiver that saw it drops the repeat.' })
  @ApiJsonResponse(200, 'The delivery, pending', webhookDeliveryAnswerSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No such webhook or delivery')
  async retry(
    @Param('id', idParam) id: number,
    @Param('delivery', new ZodValidationPipe(webhookDeliveryIdParamSchema)) deliveryId: string,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
  ) {
    const delivery = await this.registry.retry(id, deliveryId);
    await this.audit.record(auth.user, AuditActions.WebhookDeliveryRetried, `webhook:${id}`, { delivery: delivery.id, message_id: delivery.message_id }, clientIp(ip));
    return { delivery };
  }

  /** What the audit log keeps of a webhook: never its secret. */
  private details(webhook: { url: string; events: string[]; conversations: string[] | null; enabled: boolean }) {
    return { url: webhook.url, events: webhook.events, conversations: webhook.conversations, enabled: webhook.enabled };
  }
}
