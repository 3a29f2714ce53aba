import { Injectable } from '@nestjs/common';
import type { WireMessage } from '@parley/contract';
import type { MessageRow } from '../storage/database.types';
import { MessageRepository } from '../storage/message.repository';
import { toWireMessage } from './message.mapper';

/**
 * Rows as the wire shows them, with what they carry from elsewhere: reactions and the quote of
 * the answered message, each read in one query per batch. Only a changed row (rev set) can have
 * reactions, so a page of plain messages costs no extra query.
 */
@Injectable()
export class MessageViews {
  constructor(private readonly messages: MessageRepository) {}

  async render(rows: readonly MessageRow[]): Promise<WireMessage[]> {
    const reacted = rows.filter((row) => row.rev !== null && row.deleted_at === null).map((row) => row.id);
    const answered = [...new Set(rows.map((row) => row.reply_to).filter((id): id is number => id !== null))];
    const [reactions, quoted] = await Promise.all([
      reacted.length > 0 ? this.messages.reactionsOf(reacted) : new Map(),
      answered.length > 0 ? this.messages.quotedOf(answered) : new Map(),
    ]);
    return rows.map((row) =>
      toWireMessage(row, {
        reactions: reactions.get(row.id),
        quoted: row.reply_to === null ? undefined : quoted.get(row.reply_to),
      }),
    );
  }

  async renderOne(row: MessageRow): Promise<WireMessage> {
    return (await this.render([row]))[0];
  }
}
