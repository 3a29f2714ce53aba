import { Injectable } from '@nestjs/common';
import { ConversationIds, ErrorCodes, type Role, type SendMessageAck, ServerEvents, type WireMessage } from '@parley/contract';
import { ParleyError } from '../common/parley-error';
import { MessageHooks } from '../extensions/message-hooks.service';
import { ParleyMetrics } from '../metrics/parley-metrics.service';
import { PermissionPolicy } from '../permissions/permission-policy';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import type { VerifiedConnection } from '../registry/user-registry.service';
import type { ChannelRow, MessageRow, NewMessageRow, UserRow } from '../storage/database.types';
import type { SendMessageDto } from '@parley/contract/schemas';
import { toWireMessage } from './message.mapper';
import { MessageWriter } from './message-writer.service';
import { ChannelAccess } from './channel-access.service';
import { MentionsService } from './mentions.service';
import { MessageAccess, unknownMessage } from './message-access.service';
import { MessageAttachments } from './message-attachments.service';
import { RecipientResolver, unknownRecipient } from './recipient-resolver.service';

/**
 * Unacknowledged messages one socket may have at once. A client that waits for acks never gets
 * near it; one that floods gets RATE_LIMITED instead of queueing unbounded work for everyone.
 */
export const MAX_PENDING_PER_SOCKET = 256;
/** What a socket over MAX_PENDING_PER_SOCKET is told to wait: about one group commit, after which acks are back. */
export const PENDING_RETRY_AFTER_MS = 100;

/**
 * Where a message goes once the sender is known: a role group they read, their (or, for a member
 * of the role, a guest's) team conversation with a role, a channel they are in, or a user.
 */
export type Target =
  | { kind: 'group'; group: Role }
  | { kind: 'team'; group: Role; guest: UserRow }
  | { kind: 'channel'; channel: ChannelRow }
  | { kind: 'user'; user: UserRow };

interface Lane {
  /** Settles when this socket's previous message has been queued for storage. */
  tail: Promise<unknown>;
  pending: number;
}

export function dmConversation(a: number, b: number): string {
  return `dm:${Math.min(a, b)}:${Math.max(a, b)}`;
}

/** Storage keys (messages.conversation, read marks, settings) of the kinds beyond DMs. */
export const ConversationKeys = {
  team: (group: Role, guestId: number) => `team:${group}:${guestId}`,
  channel: (channelId: number) => `channel:${channelId}`,
  /** A team conversation's audience: everyone of the role (its room has the same name). */
  teamAudience: (group: Role) => `role:${group}`,
} as const;

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
    private readonly channels: ChannelAccess,
    private readonly mentions: MentionsService,
    private readonly access: MessageAccess,
    private readonly attachments: MessageAttachments,
    private readonly hooks: MessageHooks,
  ) {}

  private readonly lanes = new Map<string, Lane>();

  /** `fromExtension`: sent by MessageSender, so after-delivery hooks are not run on it (no reply loops). */
  async send(sender: VerifiedConnection, dto: SendMessageDto, { fromExtension = false } = {}): Promise<SendMessageAck> {
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
        // After authorisation, so a refusal tells nothing about who exists; before mentions and
        // the row, so what a hook made of the text is what is parsed and stored.
        const mayBeEmpty = (dto.attachments?.length ?? 0) > 0;
        const message = await this.hooks.runBeforeStore(dto.message, sender.user, target, { fromExtension, mayBeEmpty });
        const mentions = await this.mentions.of(sender.user, message, target.kind);
        // Only a message with files reads them: the common send costs no extra query.
        const attachments = await this.attachments.attachable(sender.user, dto.attachments, dto.client_id);
        const row = this.toRow(sender, { ...dto, message }, target, mentions, attachments);
        // Only a reply reads the message it answers: the common send costs no extra query.
        const quoted = dto.reply_to === undefined ? undefined : await this.answered(sender, dto.reply_to, row.conversation);
        return { target, quoted, stored: this.writer.write(row) };
      });
      lane.tail = queued.catch(() => undefined);
      const { target, quoted, stored } = await queued;
      const { row, duplicate } = await stored;
      // A duplicate was delivered when first stored; delivering again would show it twice.
      if (!duplicate) {
        const wire = this.deliver(row, target, sender, quoted);
        this.metrics.messageDelivered(target.kind === 'user' ? 'direct' : 'group', receivedAt);
        if (!fromExtension) this.hooks.runAfterDelivery(wire, sender.user, target);
      }
      const ack = { id: row.id, sent_at: new Date(row.sent_at).toISOString(), client_id: row.client_id, duplicate };
      // The sender's copy is their own text: tell them when what others got differs.
      return row.body === dto.message ? ack : { ...ack, message: row.body };
    } finally {
      lane.pending -= 1;
      if (lane.pending === 0) this.lanes.delete(sender.socketId);
    }
  }

  /**
   * The message a reply answers: one the sender can see, in the conversation the reply goes to
   * (else as for no such message), and not deleted.
   */
  private async answered(sender: VerifiedConnection, id: number, conversation: string): Promise<MessageRow> {
    const answered = await this.access.visible(sender.user, id);
    if (answered.conversation !== conversation) throw unknownMessage(id);
    if (answered.deleted_at !== null) throw new ParleyError(ErrorCodes.MessageDeleted, `Message ${id} was deleted`);
    return answered;
  }

  /** Resolves `recipients` for this sender and checks they may write there. */
  async authorizedTarget(sender: VerifiedConnection, recipients: string): Promise<Target> {
    const address = await this.resolver.resolve(recipients, { allowSocketId: true });
    const me = sender.user;
    switch (address.kind) {
      case 'user':
        // "You may not message them" would confirm the account exists: answer as for no one.
        if (!this.policy.canSendToUser(me, address.user)) throw unknownRecipient(recipients);
        return address;
      case 'group':
        if (!this.policy.canSendToGroup(me, address.group)) throw forbiddenGroup(me.role, address.group);
        // Writing to a group one does not read is a conversation with that whole team.
        return this.policy.canReadGroup(me, address.group) ? address : { kind: 'team', group: address.group, guest: me };
      case 'team':
        return { kind: 'team', group: address.group, guest: await this.teamGuest(me, address.group, address.guest, recipients) };
      case 'channel':
        return { kind: 'channel', channel: await this.writableChannel(me, address.name, recipients) };
    }
  }

  /**
   * The guest of a team conversation the sender may write to: themself (a post to the group, by
   * its team id), or for a member of the role allowed to post to it, the guest named. Anyone
   * else is answered as for a name that does not exist, so the id confirms no account.
   */
  private async teamGuest(me: UserRow, group: Role, guestName: string, recipients: string): Promise<UserRow> {
    // User names are lower-case; an id is typed by people, so compare as the lookup would.
    if (guestName.toLowerCase() === me.username) {
      if (this.policy.canReadGroup(me, group) || !this.policy.canSendToGroup(me, group)) throw forbiddenGroup(me.role, group);
      return me;
    }
    if (me.role !== group || !this.policy.canSendToGroup(me, group)) throw unknownRecipient(recipients);
    const guest = await this.resolver.byName(guestName);
    if (!guest || guest.disabled || guest.role === group) throw unknownRecipient(recipients);
    return guest;
  }

  /**
   * A channel the sender may post to. A private channel they are not in is answered exactly as
   * a missing one; a public one they could join, with FORBIDDEN.
   */
  private async writableChannel(me: UserRow, name: string, recipients: string): Promise<ChannelRow> {
    const channel = await this.channels.findByName(name);
    if (!channel) throw unknownRecipient(recipients);
    const member = await this.channels.isMember(channel.id, me.id);
    if (!member && channel.visibility !== 'public') throw unknownRecipient(recipients);
    if (channel.archived_at !== null) throw new ParleyError(ErrorCodes.ChannelArchived, `#${channel.name} is archived`);
    if (!member) throw new ParleyError(ErrorCodes.Forbidden, `You are not in #${channel.name}; join it first`);
    return channel;
  }

  private toRow(sender: VerifiedConnection, dto: SendMessageDto, target: Target, mentions: string[], attachments: string | null): NewMessageRow {
    const common = {
      client_id: dto.client_id ?? null,
      sender_id: sender.user.id,
      sender_username: sender.user.username,
      sender_role: sender.user.role,
      sender_socket: sender.socketId,
      body: dto.message,
      sent_at: Date.now(),
      mentions: mentions.length > 0 ? JSON.stringify(mentions) : null,
      reply_to: dto.reply_to ?? null,
      attachments,
      sender_bot: sender.user.bot === 1 ? 1 : null,
    };
    switch (target.kind) {
      case 'group': {
        // A group's storage key and audience are its conversation id.
        const key = ConversationIds.group(target.group);
        return { ...common, target_kind: 'group', target: target.group, recipient_id: null, conversation: key, audience: key };
      }
      case 'team':
        // The guest as recipient_id: they find it as they find a DM; the team by its audience.
        return {
          ...common,
          target_kind: 'team',
          target: target.group,
          guest: target.guest.username,
          recipient_id: target.guest.id,
          conversation: ConversationKeys.team(target.group, target.guest.id),
          audience: ConversationKeys.teamAudience(target.group),
        };
      case 'channel': {
        // By id, so a rename moves no message to another conversation; the name is a copy.
        const key = ConversationKeys.channel(target.channel.id);
        return { ...common, target_kind: 'channel', target: target.channel.name, recipient_id: null, conversation: key, audience: key };
      }
      case 'user':
        // A DM's key names both ids, whoever sent it.
        return {
          ...common,
          target_kind: 'user',
          target: target.user.username,
          recipient_id: target.user.id,
          conversation: dmConversation(sender.user.id, target.user.id),
          audience: null,
        };
    }
  }

  private deliver(row: MessageRow, target: Target, sender: VerifiedConnection, quoted: MessageRow | undefined): WireMessage {
    // A duplicate is not delivered; a new row is the one just validated, so its quote is `quoted`.
    const wire = toWireMessage(row, { quoted });
    const senderDevices = Rooms.user(sender.user.id);
    // As in the prototype, a member posting to their own group receives it too; every other
    // sending socket has the ack instead.
    const echo = target.kind === 'group' && sender.user.role === target.group;
    this.broadcaster.emit([...recipientRooms(target), senderDevices], ServerEvents.MessageFromUser, wire, echo ? undefined : sender.socketId);
    return wire;
  }
}

/** The rooms of everyone who reads a target's conversation (the sender's devices aside). */
export function recipientRooms(target: Target): string[] {
  switch (target.kind) {
    case 'group':
      return [Rooms.group(target.group)];
    case 'team':
      return [Rooms.role(target.group), Rooms.user(target.guest.id)];
    case 'channel':
      return [Rooms.channel(target.channel.id)];
    case 'user':
      return [Rooms.user(target.user.id)];
  }
}

// The groups are the fixed role names: refusing one by name reveals nothing.
function forbiddenGroup(role: Role, group: Role): ParleyError {
  return new ParleyError(ErrorCodes.Forbidden, `A ${role} may not message the ${group} group`);
}
