import { Body, Controller, Get, Headers, Ip, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCodes, type HistoryAck, type SendMessageAck } from '@parley/contract';
import {
  conversationIdParamSchema,
  HISTORY_PAGE,
  type HistoryQueryDto,
  historyQuerySchema,
  historyResponseSchema,
  type SendMessageDto,
  sendMessageResponseSchema,
  sendMessageSchema,
} from '@parley/contract/schemas';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { MessageHistoryService } from '../chat/message-history.service';
import { MessageRoutingService } from '../chat/message-routing.service';
import { SendMessagePipe } from '../chat/send-message.pipe';
import { clientIp } from '../common/client-ip';
import { ParleyError } from '../common/parley-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { ReadGate } from '../rate-limit/read-gate.service';
import { restSender } from './rest-sender';

/**
 * send_message and history over HTTP, for scripts and bots (docs/protocol.md, "Messages over
 * REST"): the same services, schema, permission table, idempotency and answers as the socket's.
 */
@Controller('api')
@Authenticated()
export class MessagesController {
  constructor(
    private readonly routing: MessageRoutingService,
    private readonly history: MessageHistoryService,
    private readonly gate: ReadGate,
  ) {}

  @Post('messages')
  @ApiOperation({
    summary: 'Send a message',
    description: 'send_message over HTTP: the same body, checks and answer. A resend with the same client_id is stored and delivered once (200, duplicate: true).',
  })
  @ApiJsonBody(sendMessageSchema)
  @ApiJsonResponse(201, 'Stored and delivered to everyone connected', sendMessageResponseSchema)
  @ApiJsonResponse(200, 'A resend: the first message with this client_id, not sent again', sendMessageResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload, ErrorCodes.MessageTooLong, ErrorCodes.UnknownRecipient, ErrorCodes.UnknownMessage, ErrorCodes.MessageDeleted, ErrorCodes.UnknownFile], 'A field is malformed, the text too long, or recipients, reply_to or attachments name nothing the sender may use')
  @ApiError(403, [ErrorCodes.Forbidden], 'The permission table does not let the sender post to that group, or a public channel they are not in')
  @ApiError(409, [ErrorCodes.ChannelArchived], 'The channel is archived')
  @ApiError(422, [ErrorCodes.MessageRefused], 'An extension refused the message; the message says why')
  @ApiError(429, [ErrorCodes.RateLimited], 'Too many requests, or 256 of this user\'s REST messages are waiting to be stored')
  @ApiError(503, [ErrorCodes.StorageFailed], 'Not stored: resend with the same client_id')
  async send(
    @Body(SendMessagePipe) body: SendMessageDto,
    @CurrentAuth() auth: AuthContext,
    @Ip() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ ok: true } & SendMessageAck> {
    const ack = await this.routing.send(restSender(auth, clientIp(ip) ?? '', (userAgent ?? '').slice(0, 256)), body);
    response.status(ack.duplicate ? 200 : 201);
    return { ok: true, ...ack };
  }

  @Get('conversations/:id/messages')
  @ApiOperation({
    summary: 'One page of a conversation, oldest first',
    description: 'history over HTTP. Without `before` the newest page; then pass the oldest id received as `before` while `more` is true.',
  })
  @ApiParam({ name: 'id', description: "A conversation id: 'group:staff', 'user:sam', 'team:staff:cleo', 'channel:ops' (or the other forms history takes)" })
  @ApiQuery({ name: 'before', required: false, type: Number, description: 'Only messages with a smaller id' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `1 to ${HISTORY_PAGE.max}, default ${HISTORY_PAGE.default}` })
  @ApiJsonResponse(200, 'One page', historyResponseSchema)
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The id or a query field is malformed')
  @ApiError(403, [ErrorCodes.Forbidden], 'A role group the caller does not read, or a public channel they are not in')
  @ApiError(404, [ErrorCodes.UnknownRecipient], 'No conversation by that id that the caller may read (the same answer whether or not it exists)')
  @ApiError(429, [ErrorCodes.RateLimited], 'The caller already has PARLEY_READS_IN_FLIGHT reads in progress (socket or REST); Retry-After says when to resend')
  async page(
    @Param('id', new ZodValidationPipe(conversationIdParamSchema)) conversation: string,
    @Query(new ZodValidationPipe(historyQuerySchema)) query: HistoryQueryDto,
    @CurrentAuth() auth: AuthContext,
  ): Promise<{ ok: true } & HistoryAck> {
    const page = await this.gate.restRead(auth, () => this.history.history(auth.user, { conversation, ...query })).catch(notFoundShaped);
    return { ok: true, ...page };
  }
}

/** The id is the path here: a conversation the caller may not know of is not found, not a bad request. */
function notFoundShaped(error: unknown): never {
  if (error instanceof ParleyError && error.code === ErrorCodes.UnknownRecipient) throw new ParleyError(error.code, error.message, undefined, 404);
  throw error;
}
