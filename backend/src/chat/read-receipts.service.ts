import { Injectable } from '@nestjs/common';
import { ConversationIds, type MessagePageAck, type ReadReceipt, ServerEvents } from '@parley/contract';
import { AppConfig } from '../config/app-config';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import type { VerifiedConnection } from '../registry/user-registry.service';
import { ChangeStream } from '../storage/change-stream';
import { ChannelRepository } from '../storage/channel.repository';
import type { UserRow } from '../storage/database.types';
import type { Visibility } from '../storage/message.repository';
import { type MarkScope, type ReadMarkRow, ReadMarkRepository } from '../storage/read-mark.repository';
import { channelIdsIn, endPage, RECEIPTS_PER_HISTORY, RECEIPTS_PER_SYNC, receiptConversation } from './read-receipts';

/** A conversation someone reads: its storage key, its name as they call it, and who else sees its marks. */
export interface MarkedConversation {
  key: string;
  name: string;
  scope: MarkScope;
}

/**
 * Read receipts ("Seen", "Seen by N"): read marks that move in the stream, told live to everyone
 * else in the conversation and replayed by sync in stream order; history's first page carries the
 * current marks. Who sees a mark is computed as for the conversation's messages: its audience, a
 * DM's other person or a team conversation's guest (the peer), and its owner. With
 * PARLEY_READ_RECEIPTS=false marks are stored as before receipts existed and nothing is told.
 */
@Injectable()
export class ReadReceipts {
  constructor(
    private readonly readMarks: ReadMarkRepository,
    private readonly changes: ChangeStream,
    private readonly channels: ChannelRepository,
    private readonly broadcaster: Broadcaster,
    private readonly config: AppConfig,
  ) {}

  private get enabled(): boolean {
    return this.config.values.PARLEY_READ_RECEIPTS;
  }

  /** Moves the reader's mark forward and, if it moved, tells everyone else who sees the conversation. */
  async markRead(reader: VerifiedConnection, conversation: MarkedConversation, upTo: number): Promise<void> {
    const { user } = reader;
    if (!this.enabled) return this.readMarks.markRead(user.id, conversation.key, upTo, Date.now());
    const rev = await this.readMarks.moveInStream(user.id, conversation.key, upTo, conversation.scope, Date.now());
    if (rev === null) return;
    const { audience, peerId } = conversation.scope;
    const peerRoom = peerId !== null && peerId !== user.id ? [Rooms.user(peerId)] : [];
    if (audience === null) {
      // A DM: its one other person names it after the reader.
      if (peerRoom.length > 0) this.broadcaster.emit(peerRoom, ServerEvents.ReadReceipt, { conversation: ConversationIds.user(user.username), user_name: user.username, up_to: upTo, rev });
      return;
    }
    // The audience is the name of its members' room; the reader's own devices have `read`.
    this.broadcaster.emit([audience, ...peerRoom], ServerEvents.ReadReceipt, { conversation: conversation.name, user_name: user.username, up_to: upTo, rev }, Rooms.user(user.id));
  }

  /**
   * Where the stream is committed up to, read before a sync page's messages: the page may end
   * there when no messages follow (0 with receipts off: the page ends at its last message, as
   * before receipts).
   */
  head(): Promise<number> {
    return this.enabled ? this.changes.head() : Promise.resolve(0);
  }

  /**
   * A sync page with the receipts of its part of the stream, (since, end]: marks the viewer sees
   * that moved there, oldest first, named as the viewer names their conversations.
   */
  async inPage(viewer: UserRow, visibility: Visibility, page: MessagePageAck, since: number, end: number): Promise<MessagePageAck & { receipts: ReadReceipt[]; cursor: number }> {
    const marks = this.enabled && end > since ? await this.readMarks.movedAfter(visibility, since, end, RECEIPTS_PER_SYNC + 1) : [];
    const { marks: taken, ...rest } = endPage(page, marks, end);
    return { ...rest, receipts: await this.name(viewer, taken) };
  }

  /** Everyone else's current mark in a conversation (history's first page), without positions. */
  async current(viewer: UserRow, conversation: MarkedConversation): Promise<ReadReceipt[]> {
    if (!this.enabled) return [];
    const marks = await this.readMarks.marksIn(conversation.key, viewer.id, RECEIPTS_PER_HISTORY);
    return marks.map((mark) => ({ conversation: conversation.name, user_name: mark.username, up_to: mark.last_read_id }));
  }

  private async name(viewer: UserRow, marks: readonly ReadMarkRow[]): Promise<ReadReceipt[]> {
    if (marks.length === 0) return [];
    const channelNames = await this.channels.namesOf(channelIdsIn(marks));
    return marks.flatMap((mark) => {
      const conversation = receiptConversation(mark, viewer, channelNames);
      return conversation === null ? [] : [{ conversation, user_name: mark.username, up_to: mark.last_read_id, rev: mark.rev! }];
    });
  }
}
