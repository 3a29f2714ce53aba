import { UseFilters, UseInterceptors } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { type AckOf, ClientEvents } from '@parley/contract';
import { type ConversationDto, conversationSchema, type DirectoryDto, directorySchema } from '@parley/contract/schemas';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ReadGateInterceptor } from '../rate-limit/read-gate.interceptor';
import type { ParleySocket } from '../realtime/broadcaster.service';
import { verified } from '../realtime/socket-state';
import { ChatExceptionFilter } from '../realtime/socket-exception.filter';
import { PresenceService } from './presence.service';

/** Who is there and who is typing: the directory and typing events. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class PresenceGateway {
  constructor(private readonly presence: PresenceService) {}

  @SubscribeMessage(ClientEvents.Directory)
  @UseInterceptors(ReadGateInterceptor)
  async directory(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(directorySchema)) body: DirectoryDto,
  ): Promise<AckOf<typeof ClientEvents.Directory>> {
    return { ok: true, ...(await this.presence.directory(verified(socket).user, body)) };
  }

  @SubscribeMessage(ClientEvents.Typing)
  async typing(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(conversationSchema)) body: ConversationDto,
  ): Promise<AckOf<typeof ClientEvents.Typing>> {
    await this.presence.typing(verified(socket), body.conversation);
    return { ok: true };
  }
}
