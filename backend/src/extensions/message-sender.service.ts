import { Injectable } from '@nestjs/common';
import { ErrorCodes, type SendMessageAck } from '@parley/contract';
import { MessageRoutingService } from '../chat/message-routing.service';
import { SendMessagePipe } from '../chat/send-message.pipe';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import type { VerifiedConnection } from '../registry/user-registry.service';
import { UsersService } from '../users/users.service';
import { PerExtension } from './hook-list';

export interface SendAsOptions {
  /** As send_message's: a resend with the same one is stored once. */
  client_id?: string;
  /** The id of a message this one answers, in the same conversation. */
  reply_to?: number;
}

/**
 * Sends a message as a user from an extension (an auto-responder's reply), through the same path
 * as a person's: send_message's validation, the permission table, the before-store hooks, storage
 * and delivery, the sender's own devices included. What an extension sends runs no after-delivery
 * hooks, so two responders can never answer each other forever.
 */
@Injectable()
export class MessageSender extends PerExtension {
  private readonly pipe: SendMessagePipe;

  constructor(
    private readonly routing: MessageRoutingService,
    private readonly users: UsersService,
    config: AppConfig,
  ) {
    super();
    this.pipe = new SendMessagePipe(config);
  }

  /**
   * `recipients` as in send_message (`user:bob`, `group:staff`, `channel:ops`, ...). Rejects with
   * a ParleyError (its `code`: UNKNOWN_RECIPIENT, FORBIDDEN, MESSAGE_REFUSED, ...) as the person's
   * own send would be refused.
   */
  async sendAs(username: string, recipients: string, text: string, options: SendAsOptions = {}): Promise<SendMessageAck> {
    const dto = this.pipe.transform({ message: text, recipients, ...options });
    const user = await this.users.findByUsername(username);
    if (!user || user.disabled) throw new ParleyError(ErrorCodes.UnknownRecipient, `No enabled account called "${username}" to send as`);
    const connection: VerifiedConnection = {
      // Not a socket: names the lane (one extension's messages keep their order) and the row's
      // sender_socket; no socket has it, so every device of the sender gets the message.
      socketId: `extension:${this.source.extension}`,
      ip: '127.0.0.1',
      userAgent: `Parley extension ${this.source.extension}`,
      connectedAt: new Date(),
      verification: 'VERIFIED',
      user,
      claimedType: null,
      claimedName: null,
      sessionId: null,
    };
    return this.routing.send(connection, dto, { fromExtension: true });
  }
}
