import { Body, Controller, Delete, Get, HttpCode, Ip, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { AuditActions, ErrorCodes } from '@parley/contract';
import { botListResponseSchema, botResponseSchema, botTokenResponseSchema, type CreateBotDto, createBotSchema, usernameParamSchema } from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import type { AuthContext } from '../auth/auth.service';
import { Authenticated, CurrentAuth } from '../auth/session.guard';
import { clientIp } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonBody, ApiJsonResponse } from '../openapi/api-docs';
import { BotsService } from './bots.service';

/**
 * Bot accounts and their API tokens (admins: manageUsers). Disabling, re-roling and deleting a bot
 * are the account routes (`/api/users/:username`), as for anyone. Every change is audited.
 */
@Controller('api/admin/bots')
@Authenticated('manageUsers')
@ApiError(400, [ErrorCodes.InvalidPayload], 'The user name in the path or the body is invalid')
export class BotsController {
  constructor(
    private readonly bots: BotsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every bot, in user-name order, with its token’s state (never the token)' })
  @ApiJsonResponse(200, 'The bots', botListResponseSchema)
  async list() {
    return { bots: await this.bots.list() };
  }

  @Post()
  @ApiOperation({ summary: 'Create a bot', description: 'An account of the given role with no password, and its first API token, returned this once.' })
  @ApiJsonBody(createBotSchema)
  @ApiJsonResponse(201, 'Created; `token` is shown only now', botTokenResponseSchema)
  @ApiError(409, [ErrorCodes.UsernameTaken], 'The user name exists')
  async create(@Body(new ZodValidationPipe(createBotSchema)) body: CreateBotDto, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const created = await this.bots.create(body, auth.user);
    await this.audit.record(auth.user, AuditActions.BotCreated, created.bot.username, { role: created.bot.role, display_name: created.bot.display_name }, clientIp(ip));
    return created;
  }

  @Post(':username/token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a bot’s token', description: 'A new token, returned this once; the old one stops working at once and its connections close.' })
  @ApiJsonResponse(200, 'Rotated; `token` is shown only now', botTokenResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No bot with that name')
  async rotate(@Param('username', new ZodValidationPipe(usernameParamSchema)) username: string, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const rotated = await this.bots.rotate(username, auth.user);
    await this.audit.record(auth.user, AuditActions.BotTokenRotated, rotated.bot.username, {}, clientIp(ip));
    return rotated;
  }

  @Delete(':username/token')
  @ApiOperation({ summary: 'Revoke a bot’s token', description: 'The bot has no working token until one is rotated in; its connections close.' })
  @ApiJsonResponse(200, 'Revoked (also when it had none)', botResponseSchema)
  @ApiError(404, [ErrorCodes.NotFound], 'No bot with that name')
  async revoke(@Param('username', new ZodValidationPipe(usernameParamSchema)) username: string, @CurrentAuth() auth: AuthContext, @Ip() ip: string) {
    const bot = await this.bots.revoke(username);
    await this.audit.record(auth.user, AuditActions.BotTokenRevoked, bot.username, {}, clientIp(ip));
    return { bot };
  }
}
