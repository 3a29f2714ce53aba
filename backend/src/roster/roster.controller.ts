import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated } from '../auth/session.guard';
import { ErrorCodes } from '../contract/protocol';
import { ParleyError } from '../common/parley-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ApiError, ApiJsonResponse } from '../openapi/api-docs';
import { Broadcaster } from '../realtime/broadcaster.service';
import { UserRegistryService } from '../registry/user-registry.service';

const socketIdSchema = z.string().min(1).max(64);

/** Admin actions on live connections. */
@Controller('api/admin/connections')
@Authenticated('watchRoster')
export class RosterController {
  constructor(
    private readonly registry: UserRegistryService,
    private readonly broadcaster: Broadcaster,
  ) {}

  /** Closes one socket. Its client may reconnect; to keep a user out, disable them. */
  @Post(':socketId/disconnect')
  @HttpCode(204)
  @ApiOperation({ summary: 'Close one live connection', description: 'Socket ids are on the roster.' })
  @ApiJsonResponse(204, 'Closed')
  @ApiError(400, [ErrorCodes.InvalidPayload], 'The socket id is invalid')
  @ApiError(404, [ErrorCodes.NotFound], 'No such connection')
  disconnect(@Param('socketId', new ZodValidationPipe(socketIdSchema)) socketId: string): void {
    if (!this.registry.get(socketId)) throw new ParleyError(ErrorCodes.NotFound, 'No such connection');
    // Every socket is in a room named after its own id.
    this.broadcaster.disconnect(socketId);
  }
}
