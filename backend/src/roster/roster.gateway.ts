import { UseFilters } from '@nestjs/common';
import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { type AckOf, ClientEvents, ErrorCodes, hasCapability } from '@parley/contract';
import { ChatExceptionFilter } from '../realtime/socket-exception.filter';
import { ParleyError } from '../common/parley-error';
import { Rooms, type ParleySocket } from '../realtime/broadcaster.service';
import { verified } from '../realtime/socket-state';
import { RosterService } from './roster.service';

/** The admins' live roster over the socket. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class RosterGateway {
  constructor(private readonly roster: RosterService) {}

  /** Opt-in to the snapshot + diff roster; the socket stops receiving update_web_app. */
  @SubscribeMessage(ClientEvents.Roster)
  async rosterSnapshot(@ConnectedSocket() socket: ParleySocket): Promise<AckOf<typeof ClientEvents.Roster>> {
    const { user } = verified(socket);
    if (!hasCapability(user.role, 'watchRoster')) {
      throw new ParleyError(ErrorCodes.Forbidden, 'Only admins may watch the roster');
    }
    await socket.leave(Rooms.rosterLegacy);
    await socket.join(Rooms.rosterDiff);
    return { ok: true, ...this.roster.snapshot() };
  }
}
