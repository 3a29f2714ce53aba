import { Logger, UseFilters, UseInterceptors } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { AuthService, type AuthContext } from '../auth/auth.service';
import { AppConfig } from '../config/app-config';
import { ClientEvents, ErrorCodes, hasCapability, ROLES, ServerEvents } from '@parley/contract';
import { PermissionPolicy } from '../permissions/permission-policy';
import { tokenFromHeaders } from '../auth/session-token';
import { handshakeClientIp, trustProxyOf } from '../common/client-ip';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ParleyError } from '../common/parley-error';
import { ParleyMetrics } from '../metrics/parley-metrics.service';
import { Broadcaster, Rooms, type PublicSocketData } from '../realtime/broadcaster.service';
import { UserRegistryService, type VerifiedConnection } from '../registry/user-registry.service';
import { READ_EVENTS, readCost } from '../rate-limit/read-gate.service';
import { ReadGateInterceptor } from '../rate-limit/read-gate.interceptor';
import { SocketRateLimiter } from '../rate-limit/socket-rate-limiter.service';
import { SocketBackpressure } from '../realtime/socket-backpressure.service';
import { UnverifiedSocketLimiter } from '../rate-limit/unverified-socket-limiter.service';
import { BareConnectionLimiter } from '../rate-limit/bare-connection-limiter.service';
import { RosterService } from '../roster/roster.service';
import type { UserRow } from '../storage/database.types';
import { toPublicUser } from '../users/user.mapper';
import { ChatExceptionFilter, replyWithError } from './chat-exception.filter';
import { type ConversationDto, conversationSchema, type ConversationsDto, conversationsSchema, type DirectoryDto, directorySchema, type HistoryDto, historySchema, type MarkReadDto, markReadSchema, type SendMessageDto, type SyncDto, syncSchema, type VerifyUserDto, verifyUserSchema } from '@parley/contract/schemas';
import { MessageHistoryService } from './message-history.service';
import { MessageRoutingService } from './message-routing.service';
import { PresenceService } from './presence.service';
import { SendMessagePipe } from './send-message.pipe';
import { VerificationService } from './verification.service';

/** What this node alone needs about a socket; kept off socket.data, which other nodes read. */
interface SocketState {
  auth: AuthContext | null;
  /** Settles when this socket's previous verify_user has finished; verifies run one at a time. */
  verifying?: Promise<unknown>;
  expiryTimer?: NodeJS.Timeout;
}

/** setTimeout's ceiling (~24.8 days); a session expiring later is checked again at re-verify. */
const MAX_TIMER_MS = 2 ** 31 - 1;
type ChatSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, PublicSocketData>;

const KNOWN_EVENTS = new Set<string>(Object.values(ClientEvents));

/**
 * The socket.io edge. Each handler validates its payload (pipes), hands the work to a
 * service, and returns the ack; errors become coded acks in ChatExceptionFilter.
 */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayInit<Server>, OnGatewayConnection<ChatSocket>, OnGatewayDisconnect<ChatSocket> {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly states = new WeakMap<ChatSocket, SocketState>();

  constructor(
    private readonly auth: AuthService,
    private readonly registry: UserRegistryService,
    private readonly verification: VerificationService,
    private readonly routing: MessageRoutingService,
    private readonly history: MessageHistoryService,
    private readonly roster: RosterService,
    private readonly presence: PresenceService,
    private readonly broadcaster: Broadcaster,
    private readonly config: AppConfig,
    private readonly policy: PermissionPolicy,
    private readonly rateLimiter: SocketRateLimiter,
    private readonly metrics: ParleyMetrics,
    private readonly backpressure: SocketBackpressure,
    private readonly unverified: UnverifiedSocketLimiter,
    private readonly bareConnections: BareConnectionLimiter,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  afterInit(server: Server): void {
    this.broadcaster.attach(server);
    // PARLEY_TRUST_PROXY as Express applies it to req.ip, so sockets and REST agree on addresses.
    const trustProxy = trustProxyOf(this.adapterHost.httpAdapter?.getInstance());
    // Middleware runs before 'connection', so a socket's session is known before its first event.
    server.use((socket: ChatSocket, next) => {
      const token = tokenFromHeaders(socket.handshake.headers, (socket.handshake.auth as { token?: unknown })?.token);
      socket.data = { username: null, role: null, ip: handshakeClientIp(socket.handshake, trustProxy) };
      // Counted before the session lookup, so a flood of handshakes costs no database work.
      if (!this.unverified.admit(socket.id, socket.data.ip, () => this.dropUnverified(socket))) {
        // Debug, not warn: one line per refused handshake would let a flood fill the log.
        this.logger.debug({ msg: 'Handshake refused: too many unverified sockets from one address', ip: socket.data.ip });
        return next(new Error('Too many unverified connections from this address (PARLEY_UNVERIFIED_SOCKETS_PER_IP); verify or close some, then retry'));
      }
      // Counted as an unverified socket from here: its engine.io connection is no longer bare.
      this.bareConnections.joined(socket.conn);
      if (!token) {
        this.states.set(socket, { auth: null });
        return next();
      }
      this.auth.authenticate(token).then(
        (auth) => {
          this.states.set(socket, { auth });
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

  handleConnection(socket: ChatSocket): void {
    const sessionId = this.state(socket).auth?.sessionId ?? null;
    this.registry.connect({
      socketId: socket.id,
      ip: socket.data.ip,
      userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 256),
      sessionId,
    });
    if (sessionId !== null) this.watchSession(socket, sessionId);
    this.backpressure.watch(socket);
    this.logger.debug({ msg: 'Socket connected', socketId: socket.id, userId: this.state(socket).auth?.user.id ?? null });
    // Runs before any handler: a flood is refused here, before validation or storage see it.
    socket.use(([event, ...args], next) => {
      const name = String(event).slice(0, 64);
      const ack = args.at(-1);
      const cost = READ_EVENTS.has(name) ? readCost(this.config) : 1;
      const userId = this.registry.getVerified(socket.id)?.user.id ?? null;
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
      if (typeof event === 'string' && KNOWN_EVENTS.has(event)) return next();
      this.metrics.errorReplied('socket', ErrorCodes.UnknownEvent);
      replyWithError(socket, name, ack, {
        code: ErrorCodes.UnknownEvent,
        message: `Unknown event; known events: ${[...KNOWN_EVENTS].join(', ')}`,
      });
    });
  }

  handleDisconnect(socket: ChatSocket, reason?: string): void {
    // Parley has one namespace: a client leaving it is done. Its engine.io connection would
    // otherwise stay open, counted as neither bare nor unverified, and could join again, so
    // join-and-leave would get round both per-address caps.
    if (reason === 'client namespace disconnect') socket.conn.close();
    clearTimeout(this.state(socket).expiryTimer);
    this.rateLimiter.forget(socket.id);
    this.unverified.release(socket.id);
    this.registry.disconnect(socket.id);
    this.logger.debug({ msg: 'Socket disconnected', socketId: socket.id, reason });
  }

  private dropUnverified(socket: ChatSocket): void {
    const ms = this.config.values.PARLEY_VERIFY_TIMEOUT_MS;
    this.logger.warn({ msg: `Disconnected: did not verify within ${ms} ms (PARLEY_VERIFY_TIMEOUT_MS)`, socketId: socket.id, ip: socket.data.ip });
    socket.disconnect(true);
  }

  /** The socket closes when its session is revoked (via the session room) or expires. */
  private watchSession(socket: ChatSocket, sessionId: number): void {
    void socket.join(Rooms.session(sessionId));
    const state = this.state(socket);
    const remaining = (state.auth?.expiresAt ?? Infinity) - Date.now();
    if (remaining < MAX_TIMER_MS) state.expiryTimer = setTimeout(() => socket.disconnect(true), remaining);
    // A logout between the handshake's session check and joining the room would be missed.
    void this.auth.isSessionActive(sessionId).then((active) => {
      if (!active) socket.disconnect(true);
    });
  }

  @SubscribeMessage(ClientEvents.VerifyUser)
  verifyUser(@ConnectedSocket() socket: ChatSocket, @MessageBody(new ZodValidationPipe(verifyUserSchema)) body: VerifyUserDto) {
    const state = this.state(socket);
    const run = (state.verifying ?? Promise.resolve()).then(() => this.verifyNow(socket, body));
    state.verifying = run.catch(() => undefined);
    return run;
  }

  private async verifyNow(socket: ChatSocket, body: VerifyUserDto) {
    let user: UserRow;
    try {
      ({ user } = await this.verification.verify(socket.id, this.state(socket).auth, body));
    } catch (error) {
      this.leaveIdentityRooms(socket);
      socket.data = { ...socket.data, username: null, role: null };
      throw error;
    }
    socket.data = { ...socket.data, username: user.username, role: user.role };
    this.unverified.release(socket.id);
    // The registry changed in verify(); the rooms follow with no await in between.
    this.leaveIdentityRooms(socket);
    const rooms = [Rooms.user(user.id), Rooms.group(user.role)];
    if (hasCapability(user.role, 'watchRoster')) rooms.push(Rooms.rosterLegacy);
    void socket.join(rooms);
    this.logger.debug({ msg: 'Socket verified', socketId: socket.id, userId: user.id, role: user.role });
    return {
      ok: true,
      user: toPublicUser(user),
      latest_id: await this.history.latestId(),
      max_message_bytes: this.config.values.PARLEY_MAX_MESSAGE_BYTES,
      // The policy's answer, so the web app offers exactly the groups the server will accept.
      groups: ROLES.filter((group) => this.policy.canSendToGroup(user, group)),
    };
  }

  /** Set by the handshake middleware before 'connection'; a fallback keeps every later read safe. */
  private state(socket: ChatSocket): SocketState {
    let state = this.states.get(socket);
    if (!state) this.states.set(socket, (state = { auth: null }));
    return state;
  }

  /** A socket has one identity at a time: every room but its own id and its session's. */
  private leaveIdentityRooms(socket: ChatSocket): void {
    for (const room of socket.rooms) {
      if (room !== socket.id && !room.startsWith('session:')) void socket.leave(room);
    }
  }

  @SubscribeMessage(ClientEvents.SendMessage)
  async sendMessage(@ConnectedSocket() socket: ChatSocket, @MessageBody(SendMessagePipe) body: SendMessageDto) {
    return { ok: true, ...(await this.routing.send(this.verified(socket), body)) };
  }

  @SubscribeMessage(ClientEvents.Sync)
  @UseInterceptors(ReadGateInterceptor)
  async sync(@ConnectedSocket() socket: ChatSocket, @MessageBody(new ZodValidationPipe(syncSchema)) body: SyncDto) {
    return { ok: true, ...(await this.history.sync(this.verified(socket).user, body)) };
  }

  @SubscribeMessage(ClientEvents.History)
  @UseInterceptors(ReadGateInterceptor)
  async historyPage(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(new ZodValidationPipe(historySchema)) body: HistoryDto,
  ) {
    return { ok: true, ...(await this.history.history(this.verified(socket).user, body)) };
  }

  /** Opt-in to the snapshot + diff roster; the socket stops receiving update_web_app. */
  @SubscribeMessage(ClientEvents.Roster)
  async rosterSnapshot(@ConnectedSocket() socket: ChatSocket) {
    const { user } = this.verified(socket);
    if (!hasCapability(user.role, 'watchRoster')) {
      throw new ParleyError(ErrorCodes.Forbidden, 'Only admins may watch the roster');
    }
    await socket.leave(Rooms.rosterLegacy);
    await socket.join(Rooms.rosterDiff);
    return { ok: true, ...this.roster.snapshot() };
  }

  /** A page of the user's conversations, with unread counts from their read marks and short previews. */
  @SubscribeMessage(ClientEvents.Conversations)
  @UseInterceptors(ReadGateInterceptor)
  async conversations(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(new ZodValidationPipe(conversationsSchema)) body: ConversationsDto,
  ) {
    return { ok: true, ...(await this.history.conversations(this.verified(socket).user, body)) };
  }

  @SubscribeMessage(ClientEvents.MarkRead)
  async markRead(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(new ZodValidationPipe(markReadSchema)) body: MarkReadDto,
  ) {
    const { user } = this.verified(socket);
    const conversation = await this.history.markRead(user, body);
    // The user's other devices clear the same unread count.
    this.broadcaster.emit([Rooms.user(user.id)], ServerEvents.Read, { conversation, up_to: body.up_to }, socket.id);
    return { ok: true, conversation };
  }

  @SubscribeMessage(ClientEvents.Directory)
  @UseInterceptors(ReadGateInterceptor)
  async directory(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(new ZodValidationPipe(directorySchema)) body: DirectoryDto,
  ) {
    return { ok: true, ...(await this.presence.directory(this.verified(socket).user, body)) };
  }

  @SubscribeMessage(ClientEvents.Typing)
  async typing(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody(new ZodValidationPipe(conversationSchema)) body: ConversationDto,
  ) {
    const sender = this.verified(socket);
    this.presence.typing(sender, await this.routing.authorizedTarget(sender, body.conversation));
    return { ok: true };
  }

  private verified(socket: ChatSocket): VerifiedConnection {
    const connection = this.registry.getVerified(socket.id);
    if (!connection) throw new ParleyError(ErrorCodes.NotVerified, 'Call verify_user first');
    return connection;
  }
}
