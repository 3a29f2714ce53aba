import { UseFilters, UseInterceptors } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { type AckOf, ClientEvents } from '@parley/contract';
import { type SearchDto, searchSchema } from '@parley/contract/schemas';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ReadGateInterceptor } from '../rate-limit/read-gate.interceptor';
import type { ParleySocket } from '../realtime/broadcaster.service';
import { ChatExceptionFilter } from '../realtime/socket-exception.filter';
import { verified } from '../realtime/socket-state';
import { SearchService } from './search.service';

/** The `search` event: a read like history, under the same gate on reads in progress. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class SearchGateway {
  constructor(private readonly search: SearchService) {}

  @SubscribeMessage(ClientEvents.Search)
  @UseInterceptors(ReadGateInterceptor)
  async find(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(searchSchema)) body: SearchDto,
  ): Promise<AckOf<typeof ClientEvents.Search>> {
    return { ok: true, ...(await this.search.search(verified(socket).user, body)) };
  }
}
