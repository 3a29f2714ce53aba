import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { ChangeStream } from './change-stream';
import { DatabaseService } from './database.service';
import type { Visibility } from './message.repository';

/** Who may see a read mark besides its owner, as for the conversation's messages. */
export interface MarkScope {
  /** messages.audience of the conversation: 'group:<r>', 'role:<r>', 'channel:<id>'; null for a DM. */
  audience: string | null;
  /** A DM's other person; a team conversation's guest. */
  peerId: number | null;
}

/** A read mark as receipts show it: who read how far where, and who may see it. */
export interface ReadMarkRow {
  conversation: string;
  user_id: number;
  username: string;
  last_read_id: number;
  /** null for a mark that has not moved since receipts existed (history only). */
  rev: number | null;
  audience: string | null;
  peer_id: number | null;
  /** The peer's user name (a DM's other person, a team conversation's guest). */
  peer_username: string | null;
}

@Injectable()
export class ReadMarkRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly changes: ChangeStream,
  ) {}

  /** Moves a read mark forward; a mark never moves back (devices may report out of order). */
  async markRead(userId: number, conversation: string, lastReadId: number, now: number): Promise<void> {
    await this.database.db
      .insertInto('read_marks')
      .values({ user_id: userId, conversation, last_read_id: lastReadId, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['user_id', 'conversation']).doUpdateSet({
          last_read_id: sql<number>`case when excluded.last_read_id > read_marks.last_read_id then excluded.last_read_id else read_marks.last_read_id end`,
          updated_at: now,
        }),
      )
      .execute();
  }

  /**
   * markRead as a change in the stream (docs/architecture.md, "Changes in the stream"): the mark
   * moves forward at a new position, with who may see it. Answers that position, or null when the
   * mark was already there or further (nothing moved, so there is nothing to tell anyone).
   */
  async moveInStream(userId: number, conversation: string, lastReadId: number, scope: MarkScope, now: number): Promise<number | null> {
    // Most marks repeat one already stored (every device marks what it shows): answered without
    // taking a place in the stream, or the order lock on PostgreSQL.
    const current = await this.database.db
      .selectFrom('read_marks')
      .select('last_read_id')
      .where('user_id', '=', userId)
      .where('conversation', '=', conversation)
      .executeTakeFirst();
    if (current && Number(current.last_read_id) >= lastReadId) return null;
    const { rev, results } = await this.changes.write((rev) => {
      const moved = { last_read_id: lastReadId, updated_at: now, rev, audience: scope.audience, peer_id: scope.peerId };
      return [
        this.database.db
          .insertInto('read_marks')
          .values({ user_id: userId, conversation, ...moved })
          // Checked again inside the write: another device may have moved it meanwhile.
          .onConflict((oc) => oc.columns(['user_id', 'conversation']).doUpdateSet(moved).where('read_marks.last_read_id', '<', lastReadId))
          .returning('rev'),
      ];
    });
    return results[0].length > 0 ? rev : null;
  }

  /** conversation key -> last read id, for every conversation the user has read. */
  async marksOf(userId: number): Promise<Map<string, number>> {
    const rows = await this.database.db
      .selectFrom('read_marks')
      .select(['conversation', 'last_read_id'])
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((row) => [row.conversation, Number(row.last_read_id)]));
  }

  /**
   * The marks that moved at positions in (after, upTo] which the viewer may see: in their
   * audiences, those whose peer they are, and their own; in stream order, at most `limit`. One
   * walk of a partial `(…, rev)` index per source, merged here, as MessageRepository.findVisibleAfter
   * does for messages.
   */
  async movedAfter(viewer: Visibility, after: number, upTo: number, limit: number): Promise<ReadMarkRow[]> {
    const base = () =>
      this.withNames()
        .where('read_marks.rev', 'is not', null)
        .where('read_marks.rev', '>', after)
        .where('read_marks.rev', '<=', upTo)
        .orderBy('read_marks.rev')
        .limit(limit);
    const scans = await Promise.all([
      ...viewer.audiences.map((audience) => base().where('read_marks.audience', '=', audience).execute()),
      base().where('read_marks.peer_id', '=', viewer.userId).execute(),
      base().where('read_marks.user_id', '=', viewer.userId).execute(),
    ]);
    const byRev = new Map<number, ReadMarkRow>();
    // Each move has its own position, so a mark seen by two scans (one's own, in one's audience) is kept once.
    for (const row of scans.flat()) byRev.set(row.rev!, row);
    return [...byRev.values()].sort((a, b) => a.rev! - b.rev!).slice(0, limit);
  }

  /** The current marks of a conversation except one person's, the `limit` most recently moved, oldest first. */
  async marksIn(conversation: string, exceptUserId: number, limit: number): Promise<ReadMarkRow[]> {
    const rows = await this.withNames()
      .where('read_marks.conversation', '=', conversation)
      .where('read_marks.user_id', '!=', exceptUserId)
      .orderBy('read_marks.updated_at', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  }

  private withNames() {
    return this.database.db
      .selectFrom('read_marks')
      .innerJoin('users as reader', 'reader.id', 'read_marks.user_id')
      .leftJoin('users as peer', 'peer.id', 'read_marks.peer_id')
      .select([
        'read_marks.conversation',
        'read_marks.user_id',
        'reader.username',
        'read_marks.last_read_id',
        'read_marks.rev',
        'read_marks.audience',
        'read_marks.peer_id',
        'peer.username as peer_username',
      ]);
  }
}
