import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { PermissionPolicy } from '../permissions/permission-policy';
import type { MessageRow, UserRow } from '../storage/database.types';
import { MessageRepository } from '../storage/message.repository';
import { audiencesOf } from './audiences';
import { ChannelAccess } from './channel-access.service';

/** A message id the asker cannot see: worded as for one that does not exist, so it confirms nothing. */
export function unknownMessage(id: number): ParleyError {
  return new ParleyError(ErrorCodes.UnknownMessage, `No message ${id}`);
}

/**
 * Which stored message a user may act on by id (edit, delete, react, reply_to): one they can see,
 * by the same rule sync and history read with (MessageHistoryService.visibility): an audience
 * they are in, or a message they sent or that was addressed to them.
 */
@Injectable()
export class MessageAccess {
  constructor(
    private readonly messages: MessageRepository,
    private readonly channels: ChannelAccess,
    private readonly policy: PermissionPolicy,
  ) {}

  /** The message, or UNKNOWN_MESSAGE whether it is missing or out of sight. */
  async visible(viewer: UserRow, id: number): Promise<MessageRow> {
    const row = await this.messages.findById(id);
    if (!row || !(await this.canSee(viewer, row))) throw unknownMessage(id);
    return row;
  }

  async canSee(viewer: UserRow, row: MessageRow): Promise<boolean> {
    if (row.sender_id === viewer.id || row.recipient_id === viewer.id) return true;
    if (row.audience === null) return false;
    // Channel memberships come from ChannelAccess's cache: no read on the common path.
    return audiencesOf(this.policy, viewer, await this.channels.channelIdsOf(viewer.id)).includes(row.audience);
  }
}
