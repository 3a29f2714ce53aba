import { Injectable } from '@nestjs/common';
import {
  AuditActions,
  type DeleteMessageAck,
  type EditMessageAck,
  ErrorCodes,
  hasCapability,
  type ReactAck,
  ServerEvents,
} from '@parley/contract';
import type { DeleteMessageDto, EditMessageDto, ReactDto } from '@parley/contract/schemas';
import { AuditService } from '../audit/audit.service';
import { MentionsService } from '../chat/mentions.service';
import { MessageAccess } from '../chat/message-access.service';
import { MessageViews } from '../chat/message-views.service';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import type { VerifiedConnection } from '../registry/user-registry.service';
import { ChannelRepository } from '../storage/channel.repository';
import type { MessageRow } from '../storage/database.types';
import { MessageChangeRepository } from '../storage/message-change.repository';
import { streamPosition } from '../storage/message.repository';
import { StorageCompactor } from '../storage/storage-compactor';
import { FileRepository } from '../storage/file.repository';
import { FileJanitor } from '../files/file-janitor.service';

/**
 * Edit, delete and react: who may (docs/protocol.md, "Changing a message"), the change through
 * the stream, then one emit to everyone who can see the message. A message the actor cannot see
 * is UNKNOWN_MESSAGE, as a missing one is (MessageAccess).
 */
@Injectable()
export class MessageChangesService {
  constructor(
    private readonly access: MessageAccess,
    private readonly changes: MessageChangeRepository,
    private readonly views: MessageViews,
    private readonly mentions: MentionsService,
    private readonly channels: ChannelRepository,
    private readonly broadcaster: Broadcaster,
    private readonly compactor: StorageCompactor,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly files: FileRepository,
    private readonly janitor: FileJanitor,
  ) {}

  async edit(actor: VerifiedConnection, dto: EditMessageDto): Promise<EditMessageAck> {
    const row = await this.access.visible(actor.user, dto.id);
    if (row.sender_id !== actor.user.id) throw new ParleyError(ErrorCodes.Forbidden, 'Only its sender may edit a message');
    if (row.deleted_at !== null) throw messageDeleted(row.id);
    this.assertWithinWindow(row);
    await this.assertNotArchived(row);
    // The same text again changes nothing: no new rev, no event, nothing to purge.
    if (dto.message === row.body) return { id: row.id, rev: streamPosition(row), edited_at: new Date(row.edited_at ?? row.sent_at).toISOString() };
    const mentions = await this.mentions.of(actor.user, dto.message, row.target_kind);
    const changed = await this.changes.edit(row.id, {
      body: dto.message,
      mentions: mentions.length > 0 ? JSON.stringify(mentions) : null,
      at: Date.now(),
    });
    if (!changed) throw messageDeleted(row.id);
    // The old text is freed space now: have it leave the files.
    this.compactor.request();
    this.broadcaster.emit(roomsOf(changed), ServerEvents.MessageEdited, await this.views.renderOne(changed));
    return { id: changed.id, rev: changed.rev!, edited_at: new Date(changed.edited_at!).toISOString() };
  }

  /**
   * Deleting a deleted message succeeds and changes nothing (the ack gives the tombstone's rev):
   * a client retrying after a lost ack gets the same answer.
   */
  async delete(actor: VerifiedConnection, dto: DeleteMessageDto): Promise<DeleteMessageAck> {
    const row = await this.access.visible(actor.user, dto.id);
    const own = row.sender_id === actor.user.id;
    const moderator = hasCapability(actor.user.role, 'moderateMessages');
    if (!own && !moderator) throw new ParleyError(ErrorCodes.Forbidden, 'Only its sender or an admin may delete a message');
    if (row.deleted_at !== null) return { id: row.id, rev: streamPosition(row) };
    // Moderation has no window and reaches archived channels too.
    if (!moderator) {
      this.assertWithinWindow(row);
      await this.assertNotArchived(row);
    }
    // Read before the rows go with the tombstone; only a message with files reads them.
    const copies = row.attachments === null ? [] : await this.files.blobsOfMessage(row.id);
    const tombstone = await this.changes.delete(row.id, Date.now());
    // Deleted meanwhile by someone else: the same answer as for a deleted one.
    if (!tombstone) return { id: row.id, rev: streamPosition(await this.access.visible(actor.user, row.id)) };
    this.compactor.request();
    // Before the ack: once deleted, its files are gone from the disk too (unless another
    // message holds the same bytes). A failure here leaves them to the janitor's next pass.
    if (copies.length > 0) await this.janitor.sweep(copies).catch(() => undefined);
    if (!own) {
      // Who, which message, whose and where: never its text.
      await this.audit.record(actor.user, AuditActions.MessageModerated, row.sender_username, {
        message_id: row.id,
        sender: row.sender_username,
        conversation: row.conversation,
        target_kind: row.target_kind,
        target: row.target,
      });
    }
    this.broadcaster.emit(roomsOf(tombstone), ServerEvents.MessageDeleted, await this.views.renderOne(tombstone));
    return { id: tombstone.id, rev: tombstone.rev! };
  }

  async react(actor: VerifiedConnection, dto: ReactDto): Promise<ReactAck> {
    const row = await this.access.visible(actor.user, dto.id);
    if (row.deleted_at !== null) throw messageDeleted(row.id);
    await this.assertNotArchived(row);
    // Adding a reaction one has (or taking back one one never made) is a no-op success.
    if ((await this.changes.hasReaction(row.id, actor.user.id, dto.emoji)) === dto.on) {
      return { id: row.id, rev: streamPosition(row), reactions: (await this.views.renderOne(row)).reactions ?? [] };
    }
    const changed = await this.changes.react(row.id, { userId: actor.user.id, username: actor.user.username, emoji: dto.emoji, on: dto.on, at: Date.now() });
    if (!changed) throw messageDeleted(row.id);
    const wire = await this.views.renderOne(changed);
    this.broadcaster.emit(roomsOf(changed), ServerEvents.ReactionChanged, {
      ...wire,
      reaction: { emoji: dto.emoji, user_name: actor.user.username, on: dto.on },
    });
    return { id: changed.id, rev: changed.rev!, reactions: wire.reactions ?? [] };
  }

  /** PARLEY_EDIT_WINDOW_MINUTES after sending: 0 never, null always. */
  private assertWithinWindow(row: MessageRow): void {
    const minutes = this.config.values.PARLEY_EDIT_WINDOW_MINUTES;
    if (minutes === null) return;
    if (Date.now() - row.sent_at >= minutes * 60_000) {
      throw new ParleyError(ErrorCodes.EditWindowClosed, minutes === 0 ? 'Messages cannot be changed here' : `Messages can be changed for ${minutes} minutes after sending`);
    }
  }

  /** As posting is: an archived channel's messages stay as they were. */
  private async assertNotArchived(row: MessageRow): Promise<void> {
    if (row.target_kind !== 'channel') return;
    const channel = await this.channels.findById(Number(row.conversation.slice('channel:'.length)));
    if (channel?.archived_at != null) throw new ParleyError(ErrorCodes.ChannelArchived, `#${channel.name} is archived`);
  }
}

/**
 * Everyone who can see a message: its audience (itself a room name), its sender's and its
 * recipient's devices, as the message was delivered (MessageRoutingService.recipientRooms).
 */
export function roomsOf(row: MessageRow): string[] {
  const rooms = [Rooms.user(row.sender_id)];
  if (row.audience !== null) rooms.push(row.audience);
  if (row.recipient_id !== null) rooms.push(Rooms.user(row.recipient_id));
  return rooms;
}

function messageDeleted(id: number): ParleyError {
  return new ParleyError(ErrorCodes.MessageDeleted, `Message ${id} was deleted`);
}
