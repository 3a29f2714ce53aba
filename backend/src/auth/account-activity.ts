import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { UserRow } from '../storage/database.types';

/**
 * What happened to an account, for whoever wants to react (extensions' account hooks). Unlike
 * AccountEvents, nothing of Parley's own depends on it: it is told after the fact and a listener
 * can neither refuse nor delay the change.
 */
export type AccountActivityKind = 'created' | 'signed_in' | 'disabled';
export interface AccountActivityEvent {
  kind: AccountActivityKind;
  /** The account as it is after the change. */
  user: UserRow;
}

/**
 * Fed where accounts change (UsersService, DirectoryAccounts, AuthService.startSession, the
 * first-start admin); here in the auth module because all of those import it and it imports
 * nothing, so the extensions module can listen without an import cycle.
 */
@Injectable()
export class AccountActivity {
  private readonly subject = new Subject<AccountActivityEvent>();
  readonly events$ = this.subject.asObservable();

  emit(kind: AccountActivityKind, user: UserRow): void {
    this.subject.next({ kind, user });
  }
}
