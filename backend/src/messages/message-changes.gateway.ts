import { UseFilters } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { type AckOf, ClientEvents } from '@parley/contract';
import { type DeleteMessageDto, deleteMessageSchema, type EditMessageDto, type ReactDto, reactSchema } from '@parley/contract/schemas';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { ParleySocket } from '../realtime/broadcaster.service';
import { ChatExceptionFilter } from '../realtime/socket-exception.filter';
import { verified } from '../realtime/socket-state';
import { EditMessagePipe } from './edit-message.pipe';
import { MessageChangesService } from './message-changes.service';

/**
 * Changing a stored message: edit_message, delete_message, react. Rate limited like every
 * event (SocketSessionMiddleware); validated here, decided in MessageChangesService.
 */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class MessageChangesGateway {
  constructor(private readonly changes: MessageChangesService) {}

  @SubscribeMessage(ClientEvents.EditMessage)
  async edit(@ConnectedSocket() socket: ParleySocket, @MessageBody(EditMessagePipe) body: EditMessageDto): Promise<AckOf<typeof ClientEvents.EditMessage>> {
    return { ok: true, ...(await this.changes.edit(verified(socket), body)) };
  }

  @SubscribeMessage(ClientEvents.DeleteMessage)
  async delete(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(deleteMessageSchema)) body: DeleteMessageDto,
  ): Promise<AckOf<typeof ClientEvents.DeleteMessage>> {
    return { ok: true, ...(await this.changes.delete(verified(socket), body)) };
  }

  @SubscribeMessage(ClientEvents.React)
  async react(@ConnectedSocket() socket: ParleySocket, @MessageBody(new ZodValidationPipe(reactSchema)) body: ReactDto): Promise<AckOf<typeof ClientEvents.React>> {
    return { ok: true, ...(await this.changes.react(verified(socket), body)) };
  }
}
