import { Injectable } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, Role, ServerEvent, ServerEventMap, ServerToClientEvents } from '@parley/contract';

/**
 * The one way services reach sockets: by room. Room names are the only addressing scheme, so
 * a pub/sub adapter can carry them between nodes later without changing any caller.
 */
export const Rooms = {
  user: (userId: number) => `user:${userId}`,
  /** A role group's readers: its members and the roles that supervise it. */
  group: (role: string) => `group:${role}`,
  /** Everyone of a role (and no one else): a team conversation's team. */
  role: (role: string) => `role:${role}`,
  /** A channel's members' sockets, by channel id (names can change). */
  channel: (channelId: number) => `channel:${channelId}`,
  session: (sessionId: number) => `session:${sessionId}`,
  /** Every socket that connected with one bot API token: closed when it is rotated out or revoked. */
  botToken: (tokenId: number) => `bot-token:${tokenId}`,
  /** Admins on the prototype's full `update_web_app` roster. */
  rosterLegacy: 'roster:legacy',
  /** Admins that asked for the snapshot + diff roster. */
  rosterDiff: 'roster:diff',
} as const;

/**
 * What any node may learn about a socket on another (socket.io's socket.data, which
 * fetchSockets carries between nodes): plain values, nothing secret.
 */
export interface PublicSocketData {
  /** null until verify_user succeeds. */
  username: string | null;
  role: Role | null;
  ip: string;
  /**
   * The session the handshake carried (its row id, never the token), null without one: the
   * roster's Disconnect ends that session, on whichever node the socket is.
   */
  sessionId: number | null;
}

/**
 * A socket as the gateways see it: what it may send and what it may be sent are the contract's
 * event maps, so an emit with a misspelt event or a wrong payload does not compile.
 */
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, PublicSocketData>;
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, PublicSocketData>;

@Injectable()
export class Broadcaster {
  // Untyped: NodeBus uses the same server for node-to-node events, which are not the clients' contract.
  private server: Server | null = null;
  private readonly onAttach: Array<(server: Server) => void> = [];

  attach(server: Server): void {
    this.server = server;
    for (const callback of this.onAttach.splice(0)) callback(server);
  }

  /** Runs `callback` with the socket.io server once it exists (the gateway attaches it at init). */
  whenAttached(callback: (server: Server) => void): void {
    if (this.server) callback(this.server);
    else this.onAttach.push(callback);
  }

  /**
   * One emit (one encode) to the union of rooms, optionally minus one socket or minus the
   * sockets of other rooms (a socket's id is a room too).
   */
  emit<E extends ServerEvent>(rooms: string[], event: E, payload: ServerEventMap[E], except?: string | string[]): void {
    if (!this.server) return;
    let target = this.server.to(rooms);
    if (except && except.length > 0) target = target.except(except);
    target.emit(event, payload);
  }

  /** Every socket in `from` (e.g. a user's room), on every node, joins `room`: membership that takes effect at once. */
  joinRoom(from: string | string[], room: string): void {
    // in([]) would mean every socket.
    if (from.length === 0) return;
    this.server?.in(from).socketsJoin(room);
  }

  /** Every socket in `from`, on every node, leaves `room`. */
  leaveRoom(from: string | string[], room: string): void {
    if (from.length === 0) return;
    this.server?.in(from).socketsLeave(room);
  }

  /**
   * One emit to the rooms' sockets on this node only, for state that is this node's own (its
   * roster): with several nodes, relaying it would mix every node's view in one stream.
   */
  emitLocal<E extends ServerEvent>(rooms: string[], event: E, payload: ServerEventMap[E]): void {
    this.server?.local.to(rooms).emit(event, payload);
  }

  /** One emit to every socket on this node. */
  emitToAll<E extends ServerEvent>(event: E, payload: ServerEventMap[E]): void {
    this.server?.emit(event, payload);
  }

  /**
   * Closes every connection's transport, after the packets already queued on it (acks). Unlike
   * disconnect(), which socket.io clients take as final ("io server disconnect"), they see
   * "transport close" and reconnect by themselves.
   */
  closeTransports(): void {
    for (const socket of this.server?.sockets.sockets.values() ?? []) socket.conn.close();
  }

  /**
   * The socket with exactly this id on any node (through the cluster adapter, when there is
   * one), or null. Looked up as the room every socket has for its own id, so the id must match
   * too: a room such as `group:client` is not a socket.
   */
  async findSocket(socketId: string): Promise<PublicSocketData | null> {
    if (!this.server) return null;
    const sockets = await this.server.in(socketId).fetchSockets();
    const socket = sockets.find((candidate) => candidate.id === socketId);
    return socket ? (socket.data as PublicSocketData) : null;
  }

  /** Closes every socket in the room(s), on every node; the client is told it is final. */
  disconnect(room: string | string[]): void {
    this.server?.in(room).disconnectSockets(true);
  }

  /** Sockets in a room on this node. */
  localRoomSize(room: string): number {
    return this.server?.sockets.adapter.rooms.get(room)?.size ?? 0;
  }
}
