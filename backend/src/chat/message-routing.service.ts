import { Injectable } from '@nestjs/common';
import { ConversationIds, ErrorCodes, type SendMessageAck, ServerEvents } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { ParleyMetrics } from '../metrics/parley-metrics.service';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import type { VerifiedConnection } from '../registry/user-registry.service';
import type { MessageRow, NewMessageRow } from '../storage/database.types';
import type { SendMessageDto } from '@parley/contract/schemas';
import { toWireMessage } from './message.mapper';
import { MessageWriter } from './message-writer.service';
import { RecipientResolver, unknownRecipient, type Target } from './recipient-resolver.service';

/**
 * Unacknowledged messages one socket may have at once. A client that waits for acks never gets
 * near it; one that floods gets RATE_LIMITED instead of queueing unbounded work for everyone.
 */
export const MAX_PENDING_PER_SOCKET = 256;
/** What a socket over MAX_PENDING_PER_SOCKET is told to wait: about one group commit, after which acks are back. */
export const PENDING_RETRY_AFTER_MS = 100;

interface Lane {
  /** Settles when this socket's previous message has been queued for storage. */
  tail: Promise<unknown>;
  pending: number;
}

export function dmConversation(a: number, b: number): string {
  return `dm:${Math.min(a, b)}:${Math.max(a, b)}`;
}

/**
 * One message's path: resolve the target, check the permission table, commit it (group
 * commit), then one emit to every socket of every recipient and the sender's other devices.
 */
@Injectable()
export class MessageRoutingService {
  constructor(
    private readonly resolver: RecipientResolver,
    private readonly policy: PermissionPolicy,
    private readonly writer: MessageWriter,
    private readonly broadcaster: Broadcaster,
    private readonly metrics: ParleyMetrics,
  ) {}

  private readonly lanes = new Map<string, Lane>();

  async send(sender: VerifiedConnection, dto: SendMessageDto): Promise<SendMessageAck> {
    const receivedAt = this.metrics.now();
    let lane = this.lanes.get(sender.socketId);
    if (!lane) this.lanes.set(sender.socketId, (lane = { tail: Promise.resolve(), pending: 0 }));
    if (lane.pending >= MAX_PENDING_PER_SOCKET) {
      throw new ParleyError(ErrorCodes.RateLimited, `More than ${MAX_PENDING_PER_SOCKET} messages are waiting for their ack`, PENDING_RETRY_AFTER_MS);
    }
    lane.pending += 1;
    try {
      // Resolving a target may await the database; queueing through the lane keeps one
      // socket's messages in the order it sent them, so their ids are in that order too.
      const queued = lane.tail.then(async () => {
        const target = await this.authorizedTarget(sender, dto.recipients);
        return { target, stored: this.writer.write(this.toRow(sender, dto, target)) };
      });
      lane.tail = queued.catch(() => undefined);
      const { target, stored } = await queued;
      const { row, duplicate } = await stored;
      // A duplicate was delivered when first stored; delivering again would show it twice.
      if (!duplicate) {
        this.deliver(row, target, sender);
        this.metrics.messageDelivered(target.kind === 'group' ? 'group' : 'direct', receivedAt);
      }
      return { id: row.id, sent_at: new Date(row.sent_at).toISOString(), client_id: row.client_id, duplicate };
    } finally {
      lane.pending -= 1;
      if (lane.pending === 0) this.lanes.delete(sender.socketId);
    }
  }

  /** Resolves `recipients` and checks the policy lets this sender reach it. */
  async authorizedTarget(sender: VerifiedConnection, recipients: string): Promise<Target> {
    const target = await this.resolver.resolve(recipients, { allowSocketId: true });
    this.authorize(sender, target, recipients);
    return target;
  }

  private authorize(sender: VerifiedConnection, target: Target, recipients: string): void {
    if (target.kind === 'user') {
      // "You may not message them" would confirm the account exists: answer as for no one.
      if (!this.policy.canSendToUser(sender.user, target.user)) throw unknownRecipient(recipients);
      return;
    }
    // The groups are the fixed role names: refusing one by name reveals nothing.
    if (!this.policy.canSendToGroup(sender.user, target.group)) {
      throw new ParleyError(ErrorCodes.Forbidden, `A ${sender.user.role} may not message the ${target.group} group`);
    }
  }

  private toRow(sender: VerifiedConnection, dto: SendMessageDto, target: Target): NewMessageRow {
    const common = {
      client_id: dto.client_id ?? null,
      sender_id: sender.user.id,
      sender_username: sender.user.username,
      sender_role: sender.user.role,
      sender_socket: sender.socketId,
      body: dto.message,
      sent_at: Date.now(),
    };
    return target.kind === 'group'
      ? // A group's storage key is its conversation id; a DM's names both ids, whoever sent it.
        { ...common, target_kind: 'group', target: target.group, recipient_id: null, conversation: ConversationIds.group(target.group) }
      : {
          ...common,
          target_kind: 'user',
          target: target.user.username,
          recipient_id: target.user.id,
          conversation: dmConversation(sender.user.id, target.user.id),
        };
  }

  private deliver(row: MessageRow, target: Target, sender: VerifiedConnection): void {
    const senderDevices = Rooms.user(sender.user.id);
    if (target.kind === 'group') {
      // As in the prototype, a member posting to their own group receives it too.
      const echo = sender.user.role === target.group;
      this.broadcaster.emit(
        [Rooms.group(target.group), senderDevices],
        ServerEvents.MessageFromUser,
        toWireMessage(row),
        echo ? undefined : sender.socketId,
      );
    } else {
      this.broadcaster.emit(
        [Rooms.user(target.user.id), senderDevices],
        ServerEvents.MessageFromUser,
        toWireMessage(row),
        sender.socketId,
      );
    }
  }
}
