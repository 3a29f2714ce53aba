import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';

/** Something that must end live connections: the chat gateway listens and disconnects sockets. */
export type AccountEvent =
  | { kind: 'sessions-revoked'; sessionIds: number[] }
  /** Role changed, account disabled or password reset: every socket of the user must go. */
  | { kind: 'user-changed'; userId: number };

@Injectable()
export class AccountEvents {
  private readonly subject = new Subject<AccountEvent>();
  readonly events$ = this.subject.asObservable();

  emit(event: AccountEvent): void {
    this.subject.next(event);
  }
}
