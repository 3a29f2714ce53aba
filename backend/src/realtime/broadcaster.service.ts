import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

/**
 * The one way services reach sockets: by room. Room names are the only addressing scheme, so
 * a pub/sub adapter can carry them between nodes later without changing any caller.
 */
export const Rooms = {
  user: (userId: number) => `user:${userId}`,
  group: (role: string) => `group:${role}`,
  session: (sessionId: number) => `session:${sessionId}`,
  /** Admins on the prototype's full `update_web_app` roster. */
  rosterLegacy: 'roster:legacy',
  /** Admins that asked for the snapshot + diff roster. */
  rosterDiff: 'roster:diff',
} as const;

@Injectable()
export class Broadcaster {
  private server: Server | null = null;

  attach(server: Server): void {
    this.server = server;
  }

  /** One emit (one encode) to the union of rooms, optionally minus one socket. */
  emit(rooms: string[], event: string, payload: unknown, exceptSocketId?: string): void {
    if (!this.server) return;
    let target = this.server.to(rooms);
    if (exceptSocketId) target = target.except(exceptSocketId);
    target.emit(event, payload);
  }

  disconnect(room: string): void {
    this.server?.in(room).disconnectSockets(true);
  }

  /** Sockets in a room on this node. */
  localRoomSize(room: string): number {
    return this.server?.sockets.adapter.rooms.get(room)?.size ?? 0;
  }
}
