import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { SessionEndReason } from '@parley/contract';

/**
 * Something that must end live connections: the chat gateway listens and disconnects sockets.
 * `reason` is set when an administrator caused it: the sockets are told why (session_ended)
 * just before they close. A user's own sign-out has none.
 */
export type AccountEvent =
  | { kind: 'sessions-revoked'; sessionIds: number[]; reason?: SessionEndReason }
  /**
   * Role changed, account disabled or deleted, password reset, signed out by an admin: every
   * socket of the user must go, those of the sessions just revoked (`sessionIds`) included,
   * verified or not yet.
   */
  | { kind: 'user-changed'; userId: number; sessionIds: number[]; reason?: SessionEndReason }
  /** A bot's API tokens were rotated out or revoked: every socket that connected with one must go. */
  | { kind: 'bot-tokens-revoked'; tokenIds: number[]; reason: SessionEndReason };

@Injectable()
export class AccountEvents {
  private readonly subject = new Subject<AccountEvent>();
  readonly events$ = this.subject.asObservable();

  emit(event: AccountEvent): void {
    this.subject.next(event);
  }
}
