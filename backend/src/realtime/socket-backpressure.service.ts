import { Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { AppConfig } from '../config/app-config';

/** The parts of engine.io's socket and transports read here (engine.io 6 keeps them untyped). */
interface EnginePacket {
  data?: unknown;
}
interface EngineTransport {
  name: string;
  /** On the websocket transport: the `ws` WebSocket. */
  socket?: { bufferedAmount?: number; terminate?: () => void };
}

/** Bytes a packet adds; a string counts one per UTF-16 unit (cheap, and exact for ASCII). */
function packetBytes(packet: EnginePacket): number {
  const { data } = packet;
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * Bounds what the server holds for a socket that does not read. engine.io queues packets in
 * `conn.writeBuffer` while its transport is busy (a websocket transport stays busy until `ws`
 * has handed the last frame to the kernel; polling until the next GET), and `ws` holds frames
 * the kernel would not take (`bufferedAmount`: the net.Socket's writableLength plus frames
 * queued in its sender). Neither has a limit, so a client that stops reading while others (or
 * its own requests) send to it would grow the server's memory without end. Past
 * PARLEY_SOCKET_MAX_BUFFERED_BYTES the socket is disconnected and its connection destroyed.
 */
@Injectable()
export class SocketBackpressure {
  private readonly logger = new Logger(SocketBackpressure.name);
  /**
   * Bytes in engine.io's write buffer, counted as packets are queued (zero when it is
   * flushed), and whether the socket is being cut off (its own disconnect packet must not
   * trigger a second cut).
   */
  private readonly queued = new WeakMap<Socket, { bytes: number; cut: boolean }>();

  constructor(private readonly config: AppConfig) {}

  /** Counts the socket's queued output from now on and cuts it off when it passes the bound. */
  watch(socket: Socket): void {
    const queued = { bytes: 0, cut: false };
    this.queued.set(socket, queued);
    // Summing the write buffer on every packet would cost time in its length; a running count does not.
    socket.conn.on('packetCreate', (packet: EnginePacket) => {
      queued.bytes += packetBytes(packet);
      if (!queued.cut) this.ensureRoom(socket, 0);
    });
    socket.conn.on('flush', () => {
      queued.bytes = 0;
    });
  }

  /** Output queued for the socket that the client has not taken yet. */
  unsentBytes(socket: Socket): number {
    const transport = socket.conn.transport as unknown as EngineTransport;
    const inWs = transport.name === 'websocket' ? (transport.socket?.bufferedAmount ?? 0) : 0;
    return (this.queued.get(socket)?.bytes ?? 0) + inWs;
  }

  /**
   * Whether `bytes` more output fits under the bound; if not, the socket is cut off. Checked
   * before a read builds a large answer, so the server does not encode pages nobody reads.
   */
  ensureRoom(socket: Socket, bytes: number): boolean {
    const unsent = this.unsentBytes(socket);
    const bound = this.config.values.PARLEY_SOCKET_MAX_BUFFERED_BYTES;
    if (unsent + bytes <= bound) return true;
    this.cutOff(socket, unsent, bound);
    return false;
  }

  private cutOff(socket: Socket, unsent: number, bound: number): void {
    const state = this.queued.get(socket);
    if (state?.cut) return;
    if (state) state.cut = true;
    this.logger.warn({
      msg: 'Disconnected: the client does not read what is sent to it',
      socketId: socket.id,
      ip: socket.handshake.address,
      unsentBytes: unsent,
      boundBytes: bound,
    });
    socket.disconnect(true);
    // A plain close waits until the queued output drains, which a client that does not read
    // never lets happen: drop the queue and destroy the TCP connection instead.
    const transport = socket.conn.transport as unknown as EngineTransport;
    if (transport.name === 'websocket') transport.socket?.terminate?.();
    socket.conn.close(true);
  }
}
