import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import {
  CONVERSATION_PREVIEW_CHARS,
  CONVERSATIONS_MAX,
  type ConversationsAck,
  type ConversationSummary,
  ConversationIds,
  conversationIdOf,
  type MarkReadAck,
  type MessagePageAck,
  ServerEvents,
} from '@parley/contract';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import type { VerifiedConnection } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { MessageRepository, type ConversationFilter } from '../storage/message.repository';
import { ReadMarkRepository } from '../storage/read-mark.repository';
import type { ConversationsDto, HistoryDto, MarkReadDto, SyncDto } from '@parley/contract/schemas';
import { toWireMessage } from './message.mapper';
import { collectPage, type PageBounds } from './message-page';
import { dmConversation } from './message-routing.service';
import { RecipientResolver, unknownRecipient } from './recipient-resolver.service';

/**
 * Stored messages as one user sees them: forward from an id (sync), backward through one
 * conversation (history), the list of conversations with unread counts, and read marks.
 */
@Injectable()
export class MessageHistoryService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly readMarks: ReadMarkRepository,
    private readonly resolver: RecipientResolver,
    private readonly config: AppConfig,
    private readonly policy: PermissionPolicy,
    private readonly broadcaster: Broadcaster,
  ) {}

  latestId(): Promise<number> {
    return this.messages.latestId();
  }

  /**
   * Messages the user may see after `since`, oldest first, up to the limit and the page's byte
   * budget; `more` means call again from the last id received.
   */
  sync(viewer: UserRow, dto: SyncDto): Promise<MessagePageAck> {
    return collectPage(dto.since, this.bounds(dto.limit), (after, count) =>
      this.messages.findVisibleAfter(viewer, after ?? dto.since, count),
    );
  }

  /** The newest messages of a conversation before `before`, returned oldest first, within the same bounds. */
  async history(viewer: UserRow, dto: HistoryDto): Promise<MessagePageAck> {
    const { filter } = await this.locate(viewer, dto.conversation);
    // Walked newest first, so a page cut short by its budget keeps the messages nearest `before`.
    const page = await collectPage(dto.before, this.bounds(dto.limit), async (before, count) =>
      (await this.messages.findConversationBefore(filter, before, count)).reverse(),
    );
    return { messages: page.messages.reverse(), more: page.more };
  }

  private bounds(limit: number): PageBounds {
    const { PARLEY_READ_PAGE_BYTES: budgetBytes, PARLEY_MAX_MESSAGE_BYTES: maxMessageBytes } = this.config.values;
    return { limit, budgetBytes, maxMessageBytes };
  }

  /** A page of the user's conversations, newest first: the newest, or those older than `before`. */
  async conversations(viewer: UserRow, dto: ConversationsDto): Promise<ConversationsAck> {
    // One more than the maximum tells whether there are more.
    const [latest, marks] = await Promise.all([
      this.messages.latestPerConversation(viewer, CONVERSATIONS_MAX + 1, dto.before),
      this.readMarks.marksOf(viewer.id),
    ]);
    const conversations = await Promise.all(
      latest.slice(0, CONVERSATIONS_MAX).map(async (row): Promise<ConversationSummary> => {
        const lastRead = marks.get(row.conversation) ?? 0;
        // In a group the viewer only posts to, everything there is their own: nothing unread.
        const member = row.target_kind === 'user' || row.target === viewer.role;
        const { text, truncated } = preview(row.body);
        const last = toWireMessage(row);
        return {
          conversation: conversationIdOf(last, viewer.username),
          last: { ...last, message: text },
          last_truncated: truncated,
          unread: member ? await this.messages.countUnread(row.conversation, lastRead, viewer.id) : 0,
          mentions: 0,
          last_read_id: lastRead,
          notify: 'all',
        };
      }),
    );
    return { conversations, more: latest.length > CONVERSATIONS_MAX };
  }

  /** Records how far the user read, and tells their other devices, which clear the same unread count. */
  async markRead(reader: VerifiedConnection, dto: MarkReadDto): Promise<MarkReadAck> {
    const { filter, name: conversation } = await this.locate(reader.user, dto.conversation);
    await this.readMarks.markRead(reader.user.id, filter.conversation, dto.up_to, Date.now());
    this.broadcaster.emit([Rooms.user(reader.user.id)], ServerEvents.Read, { conversation, up_to: dto.up_to }, reader.socketId);
    return { conversation };
  }

  /**
   * The stored conversation key (and filter) behind a conversation name for this viewer, and
   * its canonical name ('group:<role>' / 'user:<name>').
   */
  private async locate(viewer: UserRow, conversation: string): Promise<{ filter: ConversationFilter; name: string }> {
    const target = await this.resolver.resolve(conversation, { allowSocketId: false, allowDisabled: true });
    if (target.kind === 'user') {
      const key = dmConversation(viewer.id, target.user.id);
      // A user the viewer could not message (another client, a disabled or deleted account) is
      // answered as unknown, as send_message does, unless the two already share a DM: then the
      // viewer knows them and keeps reading the old messages.
      const reachable = !target.user.disabled && this.policy.canSendToUser(viewer, target.user);
      if (!reachable && !(await this.messages.conversationExists(key))) throw unknownRecipient(conversation);
      return { filter: { conversation: key }, name: ConversationIds.user(target.user.username) };
    }
    // A group's storage key is its conversation id.
    const name = ConversationIds.group(target.group);
    if (target.group === viewer.role) return { filter: { conversation: name }, name };
    // A group the viewer posts to but is not in: they see only what they sent there.
    return { filter: { conversation: name, senderId: viewer.id }, name };
  }
}

/** The start of a message for a conversation list, cut on a character (not UTF-16 unit) boundary. */
function preview(body: string): { text: string; truncated: boolean } {
  if (body.length <= CONVERSATION_PREVIEW_CHARS) return { text: body, truncated: false };
  const chars = Array.from(body);
  if (chars.length <= CONVERSATION_PREVIEW_CHARS) return { text: body, truncated: false };
  return { text: chars.slice(0, CONVERSATION_PREVIEW_CHARS).join(''), truncated: true };
}
