import { Injectable } from '@nestjs/common';
import type { ReactionEmoji } from '@parley/contract';
import { ChangeStream } from './change-stream';
import { DatabaseService } from './database.service';
import type { MessageRow } from './database.types';

export interface TextChange {
  body: string;
  /** JSON array of mentioned names, or null for none (as send_message stores them). */
  mentions: string | null;
  at: number;
}

export interface ReactionChange {
  userId: number;
  username: string;
  emoji: ReactionEmoji;
  on: boolean;
  at: number;
}

/**
 * The changes to a stored message: edit, delete (the purge) and reactions. Each runs through
 * ChangeStream, so it takes a place in the stream sync replays, and each answers the message as
 * it now is, or undefined when it was deleted first (a tombstone takes no further change).
 *
 * A purge overwrites the text in place; the old bytes leave the files once StorageCompactor has
 * run (docs/architecture.md, "Deleting honestly"): callers call `request()` on it afterwards.
 */
@Injectable()
export class MessageChangeRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly stream: ChangeStream,
  ) {}

  private get db() {
    return this.database.db;
  }

  async edit(id: number, change: TextChange): Promise<MessageRow | undefined> {
    const { results } = await this.stream.write((rev) => [
      this.db
        .updateTable('messages')
        .set({ body: change.body, mentions: change.mentions, edited_at: change.at, rev })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll(),
    ]);
    return results[0][0] as MessageRow | undefined;
  }

  /**
   * The tombstone: no text, no mentions, no reactions, no files, in one transaction. The files'
   * bytes go once no other row refers to them (FileJanitor.sweep, after this commits).
   */
  async delete(id: number, at: number): Promise<MessageRow | undefined> {
    const { results } = await this.stream.write((rev) => [
      this.db.deleteFrom('message_reactions').where('message_id', '=', id),
      this.db.deleteFrom('files').where('message_id', '=', id),
      this.db
        .updateTable('messages')
        .set({ body: '', mentions: null, attachments: null, deleted_at: at, rev })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll(),
    ]);
    return results[2][0] as MessageRow | undefined;
  }

  /** Adds or takes back one person's reaction; adding one that is there (or taking back one that is not) changes nothing but the rev. */
  async react(id: number, change: ReactionChange): Promise<MessageRow | undefined> {
    const { results } = await this.stream.write((rev) => [
      change.on
        ? this.db
            .insertInto('message_reactions')
            .values({ message_id: id, user_id: change.userId, username: change.username, emoji: change.emoji, reacted_at: change.at })
            .onConflict((oc) => oc.doNothing())
        : this.db.deleteFrom('message_reactions').where('message_id', '=', id).where('user_id', '=', change.userId).where('emoji', '=', change.emoji),
      this.db.updateTable('messages').set({ rev }).where('id', '=', id).where('deleted_at', 'is', null).returningAll(),
      // Deleted since the caller looked: the tombstone keeps no reaction (the delete's own
      // transaction removed the others, this one runs after it).
      this.db
        .deleteFrom('message_reactions')
        .where('message_id', '=', id)
        .where((eb) => eb.exists(eb.selectFrom('messages').select('id').where('id', '=', id).where('deleted_at', 'is not', null))),
    ]);
    return results[1][0] as MessageRow | undefined;
  }

  async hasReaction(id: number, userId: number, emoji: ReactionEmoji): Promise<boolean> {
    const row = await this.db
      .selectFrom('message_reactions')
      .select('message_id')
      .where('message_id', '=', id)
      .where('user_id', '=', userId)
      .where('emoji', '=', emoji)
      .executeTakeFirst();
    return row !== undefined;
  }
}
