import { Injectable } from '@nestjs/common';
import type { MessagePageAck } from '../contract/protocol';
import type { UserRow } from '../storage/database.types';
import { MessageRepository, type ConversationFilter } from '../storage/message.repository';
import type { HistoryDto, SyncDto } from './dto/chat.schemas';
import { toWireMessage } from './message.mapper';
import { dmConversation } from './message-routing.service';
import { RecipientResolver } from './recipient-resolver.service';

/** Replays stored messages: forward from an id (sync) and backward through one conversation. */
@Injectable()
export class MessageHistoryService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly resolver: RecipientResolver,
  ) {}

  latestId(): Promise<number> {
    return this.messages.latestId();
  }

  /** Every message the user may see after `since`, oldest first; `more` means call again. */
  async sync(viewer: UserRow, dto: SyncDto): Promise<MessagePageAck> {
    const rows = await this.messages.findVisibleAfter(viewer, dto.since, dto.limit + 1);
    return { messages: rows.slice(0, dto.limit).map(toWireMessage), more: rows.length > dto.limit };
  }

  async history(viewer: UserRow, dto: HistoryDto): Promise<MessagePageAck> {
    const target = await this.resolver.resolve(dto.conversation, { allowSocketId: false });
    let filter: ConversationFilter;
    if (target.kind === 'user') {
      filter = { conversation: dmConversation(viewer.id, target.user.id) };
    } else if (target.group === viewer.role) {
      filter = { conversation: `group:${target.group}` };
    } else {
      // A group the viewer posts to but is not in: they see only what they sent there.
      filter = { conversation: `group:${target.group}`, senderId: viewer.id };
    }
    const rows = await this.messages.findConversationBefore(filter, dto.before, dto.limit + 1);
    const more = rows.length > dto.limit;
    return { messages: (more ? rows.slice(1) : rows).map(toWireMessage), more };
  }
}
