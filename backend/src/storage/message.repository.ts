import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { Statement } from 'better-sqlite3';
import { MENTION_CHANNEL, MENTION_HERE, type Reaction, type ReactionEmoji } from '@parley/contract';
import { DatabaseService } from './database.service';
import type { MessageRow, NewMessageRow } from './database.types';

export interface InsertedMessage {
  row: MessageRow;
  /** The (sender, client_id) pair was already stored: `row` is the earlier message. */
  duplicate: boolean;
}

export interface ConversationFilter {
  conversation: string;
  /** Only this sender's messages. */
  senderId?: number;
}

/**
 * What one user reads, as storage sees it: the audiences they are in ('group:<role>' for each
 * role group they read, 'role:<own role>' for their team conversations, 'channel:<id>' for each
 * channel they are in), plus whatever they sent or was addressed to them (DMs, and their own team
 * conversations as a guest).
 */
export interface Visibility {
  userId: number;
  audiences: readonly string[];
}

export interface UnreadCounts {
  unread: number;
  /** Of those, the messages that mention the viewer by name, @here or @channel. */
  mentions: number;
}

const idempotencyKey = (m: { sender_id: number; client_id?: string | null }): string | null =>
  m.client_id == null ? null : `${m.sender_id}\u0000${m.client_id}`;


/** The file ids in a row's attachments JSON (contract Attachment[]). */
const attachedFileIds = (attachments: string | null | undefined): string[] =>
  attachments == null ? [] : (JSON.parse(attachments) as { id: string }[]).map((file) => file.id);

/** Where a row sits in the stream sync walks: its rev once changed, else its id. */
export const streamPosition = (row: Pick<MessageRow, 'id' | 'rev'>): number => row.rev ?? row.id;

/** PostgreSQL advisory lock key serialising message commits ("PARLEY" in ASCII, as a number). */
export const MESSAGE_ORDER_LOCK = 0x5041524c4559;

@Injectable()
export class MessageRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Stores a batch in one transaction (one fsync for all: group commit). Results come back in
   * input order. A message whose (sender, client_id) is already stored, or repeats an earlier
   * one in the same batch, is not stored again; its result is the first copy, marked duplicate.
   */
  async insertBatch(messages: readonly NewMessageRow[]): Promise<InsertedMessage[]> {
    if (messages.length === 0) return [];
    // SQLite: on the writer thread, so the commit's fsync never holds up the event loop.
    if (this.database.sqlite) return this.database.insertMessagesSqlite(messages);
    return this.db.transaction().execute(async (trx) => {
      // One message writer at a time across every node: ids are drawn and committed in the same
      // order, so a reader that has seen id n has seen every id below it (sync stays gap-free).
      // Held until commit; each node's group commit keeps the number of turns small.
      await sql`select pg_advisory_xact_lock(${MESSAGE_ORDER_LOCK}::bigint)`.execute(trx);
      const firstIndexByKey = new Map<string, number>();
      const aliasOf: number[] = [];
      const toInsert: number[] = [];
      messages.forEach((message, i) => {
        const key = idempotencyKey(message);
        const first = key === null ? undefined : firstIndexByKey.get(key);
        if (first !== undefined) {
          aliasOf[i] = first;
          return;
        }
        if (key !== null) firstIndexByKey.set(key, i);
        aliasOf[i] = i;
        toInsert.push(i);
      });

      const inserted = await trx
        .insertInto('messages')
        .values(toInsert.map((i) => messages[i]))
        .onConflict((oc) => oc.columns(['sender_id', 'client_id']).doNothing())
        .returningAll()
        .execute();
      // A multi-row insert assigns ids in VALUES order in both dialects; RETURNING's order is
      // not promised, so sort before pairing rows with inputs.
      inserted.sort((a, b) => a.id - b.id);
      const insertedKeys = new Set(inserted.map(idempotencyKey).filter((k) => k !== null));

      const results: InsertedMessage[] = new Array(messages.length);
      const conflicted: number[] = [];
      let next = 0;
      for (const i of toInsert) {
        const key = idempotencyKey(messages[i]);
        if (key === null || insertedKeys.has(key)) {
          results[i] = { row: inserted[next++], duplicate: false };
        } else {
          conflicted.push(i);
        }
      }
      if (conflicted.length > 0) {
        const existing = await trx
          .selectFrom('messages')
          .selectAll()
          .where((eb) =>
            eb.or(
              conflicted.map((i) =>
                eb.and([
                  eb('sender_id', '=', messages[i].sender_id),
                  eb('client_id', '=', messages[i].client_id as string),
                ]),
              ),
            ),
          )
          .execute();
        const byKey = new Map(existing.map((row) => [idempotencyKey(row), row]));
        for (const i of conflicted) {
          results[i] = { row: byKey.get(idempotencyKey(messages[i]))!, duplicate: true };
        }
      }
      messages.forEach((_, i) => {
        if (aliasOf[i] !== i) results[i] = { row: results[aliasOf[i]].row, duplicate: true };
      });
      // Files go with their message in its transaction: from the commit on, whoever sees the
      // message may fetch them, and nobody before.
      for (const { row, duplicate } of results) {
        const files = duplicate ? [] : attachedFileIds(row.attachments);
        if (files.length > 0) await trx.updateTable('files').set({ message_id: row.id }).where('id', 'in', files).where('message_id', 'is', null).execute();
      }
      return results;
    });
  }

  /**
   * The stream a user may see after position `since`, in stream order: messages never changed
   * at their id, changed ones (edited, deleted, reacted to) at their rev, each once. Visible:
   * every audience they are in, everything they sent, everything addressed to them. One index
   * range scan per source and kind (id for unchanged rows, the partial rev index for changed
   * ones), merged here rather than one OR, so each stays an index walk of at most `limit` rows
   * however many conversations there are.
   */
  async findVisibleAfter(viewer: Visibility, since: number, limit: number): Promise<MessageRow[]> {
    // A changed row's place is its rev, above its id: the id scans skip it, or a page cut by
    // `limit` in id order could end past an unchanged row that belongs before it.
    const unchanged = () =>
      this.db.selectFrom('messages').selectAll().where('id', '>', since).where('rev', 'is', null).orderBy('id').limit(limit);
    const changed = () =>
      this.db.selectFrom('messages').selectAll().where('rev', 'is not', null).where('rev', '>', since).orderBy('rev').limit(limit);
    const scans = await Promise.all(
      [unchanged, changed].flatMap((base) => [
        ...viewer.audiences.map((audience) => base().where('audience', '=', audience).execute()),
        base().where('sender_id', '=', viewer.userId).execute(),
        base().where('recipient_id', '=', viewer.userId).execute(),
      ]),
    );
    const byId = new Map<number, MessageRow>();
    for (const row of scans.flat()) byId.set(row.id, row);
    return [...byId.values()].sort((a, b) => streamPosition(a) - streamPosition(b)).slice(0, limit);
  }

  /** One page of a conversation before a given id, returned oldest first. */
  async findConversationBefore(
    filter: ConversationFilter,
    before: number | undefined,
    limit: number,
  ): Promise<MessageRow[]> {
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where('conversation', '=', filter.conversation);
    if (filter.senderId !== undefined) query = query.where('sender_id', '=', filter.senderId);
    if (before !== undefined) query = query.where('id', '<', before);
    const rows = await query.orderBy('id', 'desc').limit(limit).execute();
    return rows.reverse();
  }

  /**
   * The newest message of each of the `limit` most recently active conversations the user can
   * see (the same visibility as findVisibleAfter), newest conversation first; with `before`,
   * only conversations whose newest message is below it (the next page of the list).
   */
  async latestPerConversation(viewer: Visibility, limit: number, before?: number): Promise<MessageRow[]> {
    let latest = this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.max('id').as('id'))
      .where((eb) =>
        eb.or([
          ...(viewer.audiences.length > 0 ? [eb('audience', 'in', viewer.audiences)] : []),
          eb('sender_id', '=', viewer.userId),
          eb('recipient_id', '=', viewer.userId),
        ]),
      )
      .groupBy('conversation');
    // On the newest message of each conversation, not on any message: a conversation with a
    // message above `before` was on an earlier page (or has moved to the top since).
    if (before !== undefined) latest = latest.having((eb) => eb.fn.max('id'), '<', before);
    const rows = await latest
      .orderBy((eb) => eb.fn.max('id'), 'desc')
      .limit(limit)
      .execute();
    const ids = rows.map((row) => Number(row.id));
    if (ids.length === 0) return [];
    return this.db.selectFrom('messages').selectAll().where('id', 'in', ids).orderBy('id', 'desc').execute();
  }

  /** Messages in a conversation after an id that someone other than `viewerId` sent. */
  async countUnread(conversation: string, afterId: number, viewerId: number): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('conversation', '=', conversation)
      .where('id', '>', afterId)
      .where('sender_id', '!=', viewerId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * countUnread, and how many of those mention `username` (by name, @here or @channel), in one
   * pass. `mentions` holds a JSON array of names, none of which contains '"', so a quoted name
   * matches exactly; LIKE's wildcards in a name are escaped.
   */
  async unreadCounts(conversation: string, afterId: number, viewer: { id: number; username: string }): Promise<UnreadCounts> {
    const quoted = (name: string) => `%${JSON.stringify(name).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const mentioned = sql<boolean>`(mentions like ${quoted(viewer.username)} escape '\\' or mentions like ${quoted(MENTION_HERE)} escape '\\' or mentions like ${quoted(MENTION_CHANNEL)} escape '\\')`;
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>(sql`case when mentions is not null and ${mentioned} then 1 else 0 end`).as('m'),
      ])
      .where('conversation', '=', conversation)
      .where('id', '>', afterId)
      .where('sender_id', '!=', viewer.id)
      .executeTakeFirstOrThrow();
    return { unread: Number(row.n), mentions: Number(row.m ?? 0) };
  }

  /** Whether any message is stored under this conversation key. */
  async conversationExists(conversation: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('conversation', '=', conversation)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Who sent from a socket id, from any message stored from it. */
  async findSenderIdOfSocket(socketId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .select('sender_id')
      .where('sender_socket', '=', socketId)
      .limit(1)
      .executeTakeFirst();
    return row?.sender_id;
  }

  async findById(id: number): Promise<MessageRow | undefined> {
    return this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Each message's reactions, emoji in the order first chosen, people in the order they chose. */
  async reactionsOf(ids: readonly number[]): Promise<Map<number, Reaction[]>> {
    const byMessage = new Map<number, Reaction[]>();
    if (ids.length === 0) return byMessage;
    const rows = await this.db
      .selectFrom('message_reactions')
      .select(['message_id', 'username', 'emoji'])
      .where('message_id', 'in', ids)
      .orderBy('reacted_at')
      .orderBy('user_id')
      .execute();
    for (const row of rows) {
      const list = byMessage.get(row.message_id) ?? [];
      if (list.length === 0) byMessage.set(row.message_id, list);
      const reaction = list.find((r) => r.emoji === row.emoji);
      if (reaction) reaction.users.push(row.username);
      else list.push({ emoji: row.emoji as ReactionEmoji, users: [row.username] });
    }
    return byMessage;
  }

  /** The messages replies answer, as much as a quote needs. */
  async quotedOf(ids: readonly number[]): Promise<Map<number, Pick<MessageRow, 'id' | 'sender_username' | 'body' | 'deleted_at'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'sender_username', 'body', 'deleted_at'])
      .where('id', 'in', ids)
      .execute();
    return new Map(rows.map((row) => [row.id, row]));
  }

  async latestId(): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }
}
