import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthService } from '../auth/auth.service';
import { tokenFromHeaders } from '../auth/session-token';
import { handshakeClientIp, trustProxyOf } from '../common/client-ip';
import { AppConfig } from '../config/app-config';
import { ClientEvents, ErrorCodes, hasCapability } from '@parley/contract';
import { ParleyMetrics } from '../metrics/parley-metrics.service';
import { BareConnectionLimiter } from '../rate-limit/bare-connection-limiter.service';
import { READ_EVENTS, readCost } from '../rate-limit/read-gate.service';
import { SocketRateLimiter } from '../rate-limit/socket-rate-limiter.service';
import { UnverifiedSocketLimiter } from '../rate-limit/unverified-socket-limiter.service';
import { Rooms, type ParleyServer, type ParleySocket } from '../realtime/broadcaster.service';
import { SocketBackpressure } from '../realtime/socket-backpressure.service';
import { socketState } from '../realtime/socket-state';
import { UserRegistryService } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { replyWithError } from '../realtime/socket-exception.filter';
import { PermissionPolicy } from '../permissions/permission-policy';
import { audiencesOf } from './audiences';
import { ChannelAccess } from './channel-access.service';

/** setTimeout's ceiling (~24.8 days); a session expiring later is checked again at re-verify. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const KNOWN_EVENTS = new Set<string>(Object.values(ClientEvents));

/**
 * What a socket is on this node, from handshake to disconnect: its session (looked up once,
 * before 'connection'), the unverified and bare-connection caps, the session room and expiry
 * timer that close it when the session ends, its identity rooms and socket.data once verified,
 * and the per-event middleware that rate-limits, refuses unknown events, and looks the
 * connection up in the registry once for the handlers (socketState().connection).
 */
@Injectable()
export class SocketSessionMiddleware {
  // Named as before the gateway was split: operators find the socket edge's lines under it.
  private readonly logger = new Logger('ChatGateway');

  constructor(
    private readonly auth: AuthService,
    private readonly registry: UserRegistryService,
    private readonly config: AppConfig,
    private readonly rateLimiter: SocketRateLimiter,
    private readonly metrics: ParleyMetrics,
    private readonly backpressure: SocketBackpressure,
    private readonly unverified: UnverifiedSocketLimiter,
    private readonly bareConnections: BareConnectionLimiter,
    private readonly adapterHost: HttpAdapterHost,
    private readonly policy: PermissionPolicy,
    private readonly channels: ChannelAccess,
  ) {}

  /** The handshake middleware: runs before 'connection', so a socket's session is known before its first event. */
  attach(server: ParleyServer): void {
    // PARLEY_TRUST_PROXY as Express applies it to req.ip, so sockets and REST agree on addresses.
    const trustProxy = trustProxyOf(this.adapterHost.httpAdapter?.getInstance());
    server.use((socket, next) => {
      const token = tokenFromHeaders(socket.handshake.headers, (socket.handshake.auth as { token?: unknown })?.token);
      socket.data = { username: null, role: null, ip: handshakeClientIp(socket.handshake, trustProxy), sessionId: null };
      // Counted before the session lookup, so a flood of handshakes costs no database work.
      if (!this.unverified.admit(socket.id, socket.data.ip, () => this.dropUnverified(socket))) {
        // Debug, not warn: one line per refused handshake would let a flood fill the log.
        this.logger.debug({ msg: 'Handshake refused: too many unverified sockets from one address', ip: socket.data.ip });
        return next(new Error('Too many unverified connections from this address (PARLEY_UNVERIFIED_SOCKETS_PER_IP); verify or close some, then retry'));
      }
      // Counted as an unverified socket from here: its engine.io connection is no longer bare.
      this.bareConnections.joined(socket.conn);
      if (!token) return next();
      this.auth.authenticate(token).then(
        (auth) => {
          socketState(socket).auth = auth;
          socket.data = { ...socket.data, sessionId: auth?.sessionId ?? null };
          next();
        },
        (error: unknown) => {
          this.logger.error(`Session lookup failed: ${String(error)}`);
          this.unverified.release(socket.id);
          next(new Error('Session check failed, try again'));
        },
      );
    });
  }

  connected(socket: ParleySocket): void {
    const { auth } = socketState(socket);
    const sessionId = auth?.sessionId ?? null;
    this.registry.connect({
      socketId: socket.id,
      ip: socket.data.ip,
      userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 256),
      sessionId,
    });
    if (sessionId !== null) this.watchSession(socket, sessionId);
    const botTokenId = auth?.botTokenId ?? null;
    if (botTokenId !== null) this.watchBotToken(socket, botTokenId);
    this.backpressure.watch(socket);
    this.logger.debug({ msg: 'Socket connected', socketId: socket.id, userId: auth?.user.id ?? null });
    // Runs before any handler: a flood is refused here, before validation or storage see it.
    socket.use(([event, ...args], next) => {
      const name = String(event).slice(0, 64);
      const ack = args.at(-1);
      const cost = READ_EVENTS.has(name) ? readCost(this.config) : 1;
      // The one registry lookup of this event: the handlers and interceptors read it from the state.
      const connection = this.registry.getVerified(socket.id);
      const userId = connection?.user.id ?? null;
      const verdict = this.rateLimiter.admit(socket.id, userId, cost);
      if (verdict !== 'admit') {
        this.metrics.errorReplied('socket', ErrorCodes.RateLimited);
        replyWithError(socket, name, ack, {
          code: ErrorCodes.RateLimited,
          message: verdict === 'disconnect' ? 'Too many events; disconnecting' : 'Too many events; slow down and resend',
          retry_after_ms: this.rateLimiter.retryAfterMs(socket.id, userId, cost),
        });
        if (verdict === 'disconnect') {
          this.logger.warn({ msg: 'Disconnected: kept flooding past the rate limit', socketId: socket.id, ip: socket.handshake.address });
          socket.disconnect(true);
        }
        return;
      }
      if (typeof event === 'string' && KNOWN_EVENTS.has(event)) {
        socketState(socket).connection = connection;
        return next();
      }
      this.metrics.errorReplied('socket', ErrorCodes.UnknownEvent);
      replyWithError(socket, name, ack, {
        code: ErrorCodes.UnknownEvent,
        message: `Unknown event; known events: ${[...KNOWN_EVENTS].join(', ')}`,
      });
    });
  }

  disconnected(socket: ParleySocket, reason?: string): void {
    // Parley has one namespace: a client leaving it is done. Its engine.io connection would
    // otherwise stay open, counted as neither bare nor unverified, and could join again, so
    // join-and-leave would get round both per-address caps.
    if (reason === 'client namespace disconnect') socket.conn.close();
    const state = socketState(socket);
    clearTimeout(state.expiryTimer);
    state.connection = undefined;
    this.rateLimiter.forget(socket.id);
    this.unverified.release(socket.id);
    this.registry.disconnect(socket.id);
    this.logger.debug({ msg: 'Socket disconnected', socketId: socket.id, reason });
  }

  /**
   * A verify_user succeeded: the socket is this user's, in their rooms, and no longer counted as
   * unverified. Resolves once it is in its channels' rooms too, so the ack comes after.
   */
  async identify(socket: ParleySocket, user: UserRow): Promise<void> {
    socket.data = { ...socket.data, username: user.username, role: user.role };
    this.unverified.release(socket.id);
    // The registry changed in verify(); the rooms that need no lookup follow with no await in between.
    this.leaveIdentityRooms(socket);
    const rooms = [Rooms.user(user.id), ...audiencesOf(this.policy, user, [])];
    if (hasCapability(user.role, 'watchRoster')) rooms.push(Rooms.rosterLegacy);
    void socket.join(rooms);
    this.logger.debug({ msg: 'Socket verified', socketId: socket.id, userId: user.id, role: user.role });
    const channelIds = await this.channels.channelIdsOf(user.id);
    // Verifies on one socket run one at a time (ChatGateway), but a socket may have closed meanwhile.
    if (socket.connected && socket.data.username === user.username) void socket.join(channelIds.map(Rooms.channel));
  }

  /** A verify_user was refused: the socket loses any identity it had. */
  unidentify(socket: ParleySocket): void {
    this.leaveIdentityRooms(socket);
    socket.data = { ...socket.data, username: null, role: null };
  }

  /** A socket has one identity at a time: every room but its own id and its session's (or bot token's). */
  private leaveIdentityRooms(socket: ParleySocket): void {
    for (const room of socket.rooms) {
      if (room !== socket.id && !room.startsWith('session:') && !room.startsWith('bot-token:')) void socket.leave(room);
    }
  }

  private dropUnverified(socket: ParleySocket): void {
    const ms = this.config.values.PARLEY_VERIFY_TIMEOUT_MS;
    this.logger.warn({ msg: `Disconnected: did not verify within ${ms} ms (PARLEY_VERIFY_TIMEOUT_MS)`, socketId: socket.id, ip: socket.data.ip });
    socket.disconnect(true);
  }

  /** The socket closes when its bot token is rotated out or revoked (via the token's room). */
  private watchBotToken(socket: ParleySocket, tokenId: number): void {
    void socket.join(Rooms.botToken(tokenId));
    // A rotation between the handshake's token check and joining the room would be missed.
    void this.auth.isBotTokenActive(tokenId).then((active) => {
      if (!active) socket.disconnect(true);
    });
  }

  /** The socket closes when its session is revoked (via the session room) or expires. */
  private watchSession(socket: ParleySocket, sessionId: number): void {
    void socket.join(Rooms.session(sessionId));
    const state = socketState(socket);
    const remaining = (state.auth?.expiresAt ?? Infinity) - Date.now();
    if (remaining < MAX_TIMER_MS) state.expiryTimer = setTimeout(() => socket.disconnect(true), remaining);
    // A logout between the handshake's session check and joining the room would be missed.
    void this.auth.isSessionActive(sessionId).then((active) => {
      if (!active) socket.disconnect(true);
    });
  }
}
