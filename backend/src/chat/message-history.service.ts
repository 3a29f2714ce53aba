import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import {
  CONVERSATION_PREVIEW_CHARS,
  CONVERSATIONS_MAX,
  type ConversationsAck,
  type ConversationSummary,
  ConversationIds,
  conversationIdOf,
  ErrorCodes,
  type MarkReadAck,
  type HistoryAck,
  type MessagePageAck,
  type ReadReceipt,
  type Role,
  ServerEvents,
  type SetNotifyAck,
} from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import type { VerifiedConnection } from '../registry/user-registry.service';
import type { UserRow } from '../storage/database.types';
import { ConversationSettingsRepository } from '../storage/conversation-settings.repository';
import { MessageRepository, streamPosition, type Visibility } from '../storage/message.repository';
import { ReadMarkRepository } from '../storage/read-mark.repository';
import type { ConversationsDto, HistoryDto, MarkReadDto, SetNotifyDto, SyncDto } from '@parley/contract/schemas';
import { audiencesOf } from './audiences';
import { ChannelAccess } from './channel-access.service';
import { collectPage, type PageBounds } from './message-page';
import { MessageViews } from './message-views.service';
import { type MarkedConversation, ReadReceipts } from './read-receipts.service';
import { ConversationKeys, dmConversation } from './message-routing.service';
import { RecipientResolver, unknownRecipient } from './recipient-resolver.service';

/**
 * A conversation as storage keys it (messages.conversation, read marks, settings), as the wire
 * names it, and who besides its members sees it (for read marks).
 */
type Located = MarkedConversation;

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
    private readonly channels: ChannelAccess,
    private readonly settings: ConversationSettingsRepository,
    private readonly views: MessageViews,
    private readonly receipts: ReadReceipts,
  ) {}

  latestId(): Promise<number> {
    return this.messages.latestId();
  }

  /**
   * The stream the user may see after `since` (new messages, changed ones at their rev, read
   * receipts), in stream order, up to the limit and the page's byte budget; `more` means call
   * again from `cursor`.
   */
  async sync(viewer: UserRow, dto: SyncDto): Promise<MessagePageAck & { receipts: ReadReceipt[]; cursor: number }> {
    const visibility = await this.visibility(viewer);
    // Read first: everything at or below it is committed, so the scans below see all of it.
    const head = await this.receipts.head();
    const page = await collectPage(
      dto.since,
      this.bounds(dto.limit),
      (after, count) => this.messages.findVisibleAfter(visibility, after ?? dto.since, count),
      { render: (rows) => this.views.render(rows), position: streamPosition },
    );
    const last = page.messages.at(-1);
    const lastPosition = last ? (last.rev ?? last.id) : dto.since;
    // A page cut short ends at its last message; a whole one at least at the head, past
    // positions the viewer does not see, so receipts there are not left for later.
    const end = Math.max(dto.since, page.more ? lastPosition : Math.max(head, lastPosition));
    return this.receipts.inPage(viewer, visibility, page, dto.since, end);
  }

  /** What the viewer reads now: their audiences (channel membership read once per request) and their own id. */
  async visibility(viewer: UserRow): Promise<Visibility> {
    return { userId: viewer.id, audiences: audiencesOf(this.policy, viewer, await this.channels.channelIdsOf(viewer.id)) };
  }

  /** The newest messages of a conversation before `before`, returned oldest first, within the same bounds. */
  async history(viewer: UserRow, dto: HistoryDto): Promise<HistoryAck> {
    const conversation = await this.locate(viewer, dto.conversation);
    // Walked newest first, so a page cut short by its budget keeps the messages nearest `before`.
    const page = await collectPage(
      dto.before,
      this.bounds(dto.limit),
      async (before, count) => (await this.messages.findConversationBefore({ conversation: conversation.key }, before, count)).reverse(),
      { render: (rows) => this.views.render(rows) },
    );
    // The newest page opens the conversation: who has read how far, for "Seen" and "Seen by N".
    const receipts = dto.before === undefined ? await this.receipts.current(viewer, conversation) : [];
    return { messages: page.messages.reverse(), more: page.more, receipts };
  }

  private bounds(limit: number): PageBounds {
    const { PARLEY_READ_PAGE_BYTES: budgetBytes, PARLEY_MAX_MESSAGE_BYTES: maxMessageBytes } = this.config.values;
    return { limit, budgetBytes, maxMessageBytes };
  }

  /** A page of the user's conversations, newest first: the newest, or those older than `before`. */
  async conversations(viewer: UserRow, dto: ConversationsDto): Promise<ConversationsAck> {
    const visibility = await this.visibility(viewer);
    const audiences = new Set(visibility.audiences);
    // One more than the maximum tells whether there are more.
    const [latest, marks, notify] = await Promise.all([
      this.messages.latestPerConversation(visibility, CONVERSATIONS_MAX + 1, dto.before),
      this.readMarks.marksOf(viewer.id),
      this.settings.notifyOf(viewer.id),
    ]);
    const shown = latest.slice(0, CONVERSATIONS_MAX);
    // Through MessageViews, so a preview that is a reply or has reactions carries them (one query each for the page).
    const rendered = await this.views.render(shown);
    const conversations = await Promise.all(
      shown.map(async (row, i): Promise<ConversationSummary> => {
        const lastRead = marks.get(row.conversation) ?? 0;
        // Listed only for what the viewer sent there (a channel they left, a group they no
        // longer read): everything there is theirs, nothing unread.
        const member = row.audience === null || audiences.has(row.audience) || row.recipient_id === viewer.id;
        const { text, truncated } = preview(row.body);
        const last = rendered[i];
        const counts = member ? await this.messages.unreadCounts(row.conversation, lastRead, viewer) : { unread: 0, mentions: 0 };
        return {
          conversation: conversationIdOf(last, viewer.username),
          last: { ...last, message: text },
          last_truncated: truncated,
          unread: counts.unread,
          mentions: counts.mentions,
          last_read_id: lastRead,
          notify: notify.get(row.conversation) ?? 'all',
        };
      }),
    );
    return { conversations, more: latest.length > CONVERSATIONS_MAX };
  }

  /**
   * Records how far the user read, and tells their other devices, which clear the same unread
   * count (and everyone else in the conversation, with read receipts on).
   */
  async markRead(reader: VerifiedConnection, dto: MarkReadDto): Promise<MarkReadAck> {
    const located = await this.locate(reader.user, dto.conversation);
    const conversation = located.name;
    await this.receipts.markRead(reader, located, dto.up_to);
    this.broadcaster.emit([Rooms.user(reader.user.id)], ServerEvents.Read, { conversation, up_to: dto.up_to }, reader.socketId);
    return { conversation };
  }

  /** Stores how the user wants to hear about a conversation, and tells their other devices. */
  async setNotify(reader: VerifiedConnection, dto: SetNotifyDto): Promise<SetNotifyAck> {
    const { key, name: conversation } = await this.locate(reader.user, dto.conversation);
    await this.settings.setNotify(reader.user.id, key, dto.notify, Date.now());
    this.broadcaster.emit([Rooms.user(reader.user.id)], ServerEvents.NotifyChanged, { conversation, notify: dto.notify }, reader.socketId);
    return { conversation, notify: dto.notify };
  }

  /**
   * The storage key behind a conversation name for this viewer, and its canonical name. Anything
   * the viewer may not read and may not know exists (another client, a private channel, someone
   * else's team conversation) is answered as unknown, as send_message does.
   */
  async locate(viewer: UserRow, conversation: string): Promise<Located> {
    const address = await this.resolver.resolve(conversation, { allowSocketId: false, allowDisabled: true });
    switch (address.kind) {
      case 'user': {
        const key = dmConversation(viewer.id, address.user.id);
        // A user the viewer could not message (another client, a disabled or deleted account) is
        // answered as unknown, unless the two already share a DM: then the viewer knows them and
        // keeps reading the old messages.
        const reachable = !address.user.disabled && this.policy.canSendToUser(viewer, address.user);
        if (!reachable && !(await this.messages.conversationExists(key))) throw unknownRecipient(conversation);
        return { key, name: ConversationIds.user(address.user.username), scope: { audience: null, peerId: address.user.id } };
      }
      case 'group': {
        const group = address.group;
        // A group's storage key is its conversation id; its readers (supervisors too) read it all.
        if (this.policy.canReadGroup(viewer, group)) {
          const key = ConversationIds.group(group);
          return { key, name: key, scope: { audience: key, peerId: null } };
        }
        // Posts from outside the group went to the viewer's team conversation with it.
        if (this.policy.canSendToGroup(viewer, group)) {
          return teamConversation(group, viewer);
        }
        throw new ParleyError(ErrorCodes.Forbidden, `A ${viewer.role} may not read the ${group} group`);
      }
      case 'team': {
        const { group } = address;
        if (address.guest.toLowerCase() === viewer.username) return teamConversation(group, viewer);
        // The team reads every guest's conversation with it; supervisors of the role do not.
        const guest = viewer.role === group ? await this.resolver.byName(address.guest) : undefined;
        if (!guest || guest.role === group) throw unknownRecipient(conversation);
        return teamConversation(group, guest);
      }
      case 'channel': {
        const channel = await this.channels.findByName(address.name);
        if (!channel) throw unknownRecipient(conversation);
        const name = ConversationIds.channel(channel.name);
        if (await this.channels.isMember(channel.id, viewer.id)) {
          const key = ConversationKeys.channel(channel.id);
          return { key, name, scope: { audience: key, peerId: null } };
        }
        // A private channel's name is not the outsider's to learn: as for one that does not exist.
        if (channel.visibility !== 'public') throw unknownRecipient(conversation);
        throw new ParleyError(ErrorCodes.Forbidden, `You are not in #${channel.name}; join it first`);
      }
    }
  }
}

/** A role's conversation with one person outside it: read by the whole role and the guest, as its messages are. */
function teamConversation(group: Role, guest: UserRow): Located {
  return {
    key: ConversationKeys.team(group, guest.id),
    name: ConversationIds.team(group, guest.username),
    scope: { audience: ConversationKeys.teamAudience(group), peerId: guest.id },
  };
}

/** The start of a message for a conversation list, cut on a character (not UTF-16 unit) boundary. */
function preview(body: string): { text: string; truncated: boolean } {
  if (body.length <= CONVERSATION_PREVIEW_CHARS) return { text: body, truncated: false };
  const chars = Array.from(body);
  if (chars.length <= CONVERSATION_PREVIEW_CHARS) return { text: body, truncated: false };
  return { text: chars.slice(0, CONVERSATION_PREVIEW_CHARS).join(''), truncated: true };
}
