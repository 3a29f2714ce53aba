import { Body, Controller, Headers, Injectable, Ip, Param, Post, type PipeTransform, Res } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCodes, type SendMessageAck } from '@parley/contract';
import { type IncomingWebhookPostDto, incomingWebhookPostSchema, sendMessageResponseSchema } from '@parley/contract/schemas';
import { assertMessageSize } from '../chat/send-message.pipe';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AppConfig } from '../config/app-config';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { IncomingWebhooksService } from './incoming-webhooks.service';

/** The body's schema plus PARLEY_MAX_MESSAGE_BYTES, as SendMessagePipe checks send_message. */
@Injectable()
class HookPostPipe implements PipeTransform<unknown, IncomingWebhookPostDto> {
  private readonly schema = new ZodValidationPipe(incomingWebhookPostSchema);
  constructor(private readonly config: AppConfig) {}

  transform(value: unknown): IncomingWebhookPostDto {
    const dto = this.schema.transform(value);
    assertMessageSize(dto.text, this.config.values.PARLEY_MAX_MESSAGE_BYTES);
    return dto;
  }
}

/**
 * POST /api/hooks/<token>: public (no session, so no CSRF token either); the token in the path is
 * the credential, and the HTTP log never shows it (logging/http-logger.middleware.ts).
 */
@Controller('api/hooks')
export class HooksController {
  constructor(private readonly service: IncomingWebhooksService) {}

  @Post(':token')
  @ApiOperation({
    summary: 'Post through an incoming webhook',
    description: 'Public: the token is the credential. Posts `text` as the hook’s bot into the hook’s conversation (the body cannot choose another), with send_message’s checks and answer.',
  })
  @ApiParam({ name: 'token', description: 'parley_hook_…, from the URL shown when the hook was created' })
  @ApiJsonBody(incomingWebhookPostSchema)
  @ApiJsonResponse(201, 'Stored and delivered', sendMessageResponseSchema)
  @ApiJsonResponse(200, 'A resend: the first message with this client_id, not sent again', sendMessageResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.MessageTooLong, ErrorCodes.UnknownRecipient], 'The body is malformed (any field but text and client_id included), the text too long, or the conversation is gone')
  @ApiError(403, [ErrorCodes.Forbidden], 'The permission table no longer lets the bot post there')
  @ApiError(404, [ErrorCodes.NotFound], 'No live hook with this token (unknown or revoked), or its bot is disabled or deleted')
  @ApiError(409, [ErrorCodes.ChannelArchived], 'The channel is archived')
  @ApiError(422, [ErrorCodes.MessageRefused], 'An extension refused the message')
  @ApiError(429, [ErrorCodes.RateLimited], 'More than 10 posts a second (20 at once) through this hook; Retry-After says when to resend')
  @ApiError(503, [ErrorCodes.StorageFailed], 'Not stored: resend with the same client_id')
  async post(
    // Length-capped before any lookup: a real token is 55 characters.
    @Param('token') token: string,
    @Body(HookPostPipe) body: IncomingWebhookPostDto,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ ok: true } & SendMessageAck> {
    const ack = await this.service.post(token.slice(0, 128), body, clientIp(ip) ?? '', (userAgent ?? '').slice(0, 256));
    response.status(ack.duplicate ? 200 : 201);
    return { ok: true, ...ack };
  }
}
