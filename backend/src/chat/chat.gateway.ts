import { UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { type AckOf, ClientEvents, ConversationIds, ROLES } from '@parley/contract';
import { type SendMessageDto, type VerifyUserDto, verifyUserSchema } from '@parley/contract/schemas';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AppConfig } from '../config/app-config';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, type ParleyServer, type ParleySocket } from '../realtime/broadcaster.service';
import { socketState, verified } from '../realtime/socket-state';
import type { UserRow } from '../storage/database.types';
import { toPublicUser } from '../users/user.mapper';
import { ChatExceptionFilter } from '../realtime/socket-exception.filter';
import { MessageHistoryService } from './message-history.service';
import { MessageRoutingService } from './message-routing.service';
import { SendMessagePipe } from './send-message.pipe';
import { SocketSessionMiddleware } from './socket-session.middleware';
import { VerificationService } from './verification.service';

/**
 * The socket.io edge for a connection's life: connect, verify_user, send_message, disconnect.
 * Each handler validates its payload (pipes), hands the work to a service and returns the ack;
 * errors become coded acks in ChatExceptionFilter. The other events have their own gateways
 * (HistoryGateway, PresenceGateway, RosterGateway) on the same socket.io server.
 */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayInit<ParleyServer>, OnGatewayConnection<ParleySocket>, OnGatewayDisconnect<ParleySocket> {
  constructor(
    private readonly sessions: SocketSessionMiddleware,
    private readonly broadcaster: Broadcaster,
    private readonly verification: VerificationService,
    private readonly routing: MessageRoutingService,
    private readonly history: MessageHistoryService,
    private readonly config: AppConfig,
    private readonly policy: PermissionPolicy,
  ) {}

  /** Every gateway shares this server; only this one wires it, so the middleware runs once per socket. */
  afterInit(server: ParleyServer): void {
    this.broadcaster.attach(server);
    this.sessions.attach(server);
  }

  handleConnection(socket: ParleySocket): void {
    this.sessions.connected(socket);
  }

  handleDisconnect(socket: ParleySocket, reason?: string): void {
    this.sessions.disconnected(socket, reason);
  }

  @SubscribeMessage(ClientEvents.VerifyUser)
  verifyUser(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(verifyUserSchema)) body: VerifyUserDto,
  ): Promise<AckOf<typeof ClientEvents.VerifyUser>> {
    const state = socketState(socket);
    const run = (state.verifying ?? Promise.resolve()).then(() => this.verifyNow(socket, body));
    state.verifying = run.catch(() => undefined);
    return run;
  }

  private async verifyNow(socket: ParleySocket, body: VerifyUserDto): Promise<AckOf<typeof ClientEvents.VerifyUser>> {
    let user: UserRow;
    try {
      ({ user } = await this.verification.verify(socket.id, socketState(socket).auth, body));
    } catch (error) {
      this.sessions.unidentify(socket);
      throw error;
    }
    await this.sessions.identify(socket, user);
    const groups = ROLES.filter((group) => this.policy.canSendToGroup(user, group));
    return {
      ok: true,
      user: toPublicUser(user),
      latest_id: await this.history.latestId(),
      max_message_bytes: this.config.values.PARLEY_MAX_MESSAGE_BYTES,
      edit_window_ms: this.config.values.PARLEY_EDIT_WINDOW_MINUTES === null ? null : this.config.values.PARLEY_EDIT_WINDOW_MINUTES * 60_000,
      read_receipts: this.config.values.PARLEY_READ_RECEIPTS,
      file_limits: { max_bytes: this.config.values.PARLEY_FILES_MAX_BYTES, allowed_types: this.config.values.PARLEY_FILES_ALLOWED_TYPES },
      // The policy's answer, so the web app offers exactly the groups the server will accept.
      groups,
      read_groups: ROLES.filter((group) => this.policy.canReadGroup(user, group)),
      group_conversations: Object.fromEntries(
        groups.map((group) => [
          group,
          this.policy.canReadGroup(user, group) ? ConversationIds.group(group) : ConversationIds.team(group, user.username),
        ]),
      ),
    };
  }

  @SubscribeMessage(ClientEvents.SendMessage)
  async sendMessage(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(SendMessagePipe) body: SendMessageDto,
  ): Promise<AckOf<typeof ClientEvents.SendMessage>> {
    return { ok: true, ...(await this.routing.send(verified(socket), body)) };
  }
}
