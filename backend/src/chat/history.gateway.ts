import { UseFilters, UseInterceptors } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { type AckOf, ClientEvents } from '@parley/contract';
import {
  type ConversationsDto,
  conversationsSchema,
  type HistoryDto,
  historySchema,
  type MarkReadDto,
  markReadSchema,
  type SetNotifyDto,
  setNotifySchema,
  type SyncDto,
  syncSchema,
} from '@parley/contract/schemas';
import { pendingAnnouncements } from '../announcements/announcements.service';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ReadGateInterceptor } from '../rate-limit/read-gate.interceptor';
import type { ParleySocket } from '../realtime/broadcaster.service';
import { verified } from '../realtime/socket-state';
import { ChatExceptionFilter } from '../realtime/socket-exception.filter';
import { ChannelAccess } from './channel-access.service';
import { AnnouncementRepository } from '../storage/announcement.repository';
import { MessageHistoryService } from './message-history.service';

/** Stored messages and what each user keeps about them: sync, history, the conversation list, mark_read, set_notify. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class HistoryGateway {
  constructor(
    private readonly history: MessageHistoryService,
    private readonly channels: ChannelAccess,
    private readonly announcements: AnnouncementRepository,
  ) {}

  @SubscribeMessage(ClientEvents.Sync)
  @UseInterceptors(ReadGateInterceptor)
  async sync(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(syncSchema)) body: SyncDto,
  ): Promise<AckOf<typeof ClientEvents.Sync>> {
    const { user } = verified(socket);
    const [page, channels, announcements] = await Promise.all([
      this.history.sync(user, body),
      this.channels.channelsOf(user),
      pendingAnnouncements(this.announcements, user),
    ]);
    return { ok: true, ...page, channels, announcements };
  }

  @SubscribeMessage(ClientEvents.History)
  @UseInterceptors(ReadGateInterceptor)
  async historyPage(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(historySchema)) body: HistoryDto,
  ): Promise<AckOf<typeof ClientEvents.History>> {
    return { ok: true, ...(await this.history.history(verified(socket).user, body)) };
  }

  /** A page of the user's conversations, with unread counts from their read marks and short previews. */
  @SubscribeMessage(ClientEvents.Conversations)
  @UseInterceptors(ReadGateInterceptor)
  async conversations(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(conversationsSchema)) body: ConversationsDto,
  ): Promise<AckOf<typeof ClientEvents.Conversations>> {
    return { ok: true, ...(await this.history.conversations(verified(socket).user, body)) };
  }

  @SubscribeMessage(ClientEvents.MarkRead)
  async markRead(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(markReadSchema)) body: MarkReadDto,
  ): Promise<AckOf<typeof ClientEvents.MarkRead>> {
    return { ok: true, ...(await this.history.markRead(verified(socket), body)) };
  }

  @SubscribeMessage(ClientEvents.SetNotify)
  async setNotify(
    @ConnectedSocket() socket: ParleySocket,
    @MessageBody(new ZodValidationPipe(setNotifySchema)) body: SetNotifyDto,
  ): Promise<AckOf<typeof ClientEvents.SetNotify>> {
    return { ok: true, ...(await this.history.setNotify(verified(socket), body)) };
  }
}
