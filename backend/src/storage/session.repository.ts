import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service';
import type { SessionRow, UserRow } from './database.types';

export interface NewSession {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

@Injectable()
export class SessionRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  async create(session: NewSession): Promise<SessionRow> {
    return this.db
      .insertInto('sessions')
      .values(session)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** The live session for a token hash and its user: not revoked, not expired. */
  async findActive(
    tokenHash: string,
    now: number,
  ): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select([
        'sessions.id as session_id',
        'sessions.token_hash as session_token_hash',
        'sessions.created_at as session_created_at',
        'sessions.expires_at as session_expires_at',
        'sessions.revoked_at as session_revoked_at',
      ])
      .where('sessions.token_hash', '=', tokenHash)
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    const {
      session_id,
      session_token_hash,
      session_created_at,
      session_expires_at,
      session_revoked_at,
      ...user
    } = row;
    return {
      session: {
        id: session_id,
        token_hash: session_token_hash,
        user_id: user.id,
        created_at: session_created_at,
        expires_at: session_expires_at,
        revoked_at: session_revoked_at,
      },
      user,
    };
  }

  /** Whether a session is still live (not revoked, not expired) and its user enabled. */
  async isActive(id: number, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.id')
      .where('sessions.id', '=', id)
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', now)
      .where('users.disabled', '=', 0)
      .executeTakeFirst();
    return row !== undefined;
  }

  async revoke(id: number, now: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes every live session of a user; returns the ids it revoked. */
  async revokeAllForUser(userId: number, now: number): Promise<number[]> {
    const rows = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /** Revokes every live session of a user but one (the one asking); returns the ids it revoked. */
  async revokeOthersOfUser(userId: number, keep: number | null, now: number): Promise<number[]> {
    let query = this.db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (keep !== null) query = query.where('id', '!=', keep);
    return (await query.returning('id').execute()).map((row) => row.id);
  }
}
