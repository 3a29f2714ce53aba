import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { AccountSource } from '@parley/contract';
import { AccountActivity, type AccountActivityKind } from '../auth/account-activity';
import { HookFailures, PerExtension, HookList } from './hook-list';
import { hookUser, type HookUser } from './message-hooks.service';

export type AccountHookEvent = AccountActivityKind;

export interface AccountChange {
  event: AccountHookEvent;
  /** The account after the change. */
  user: HookUser & { source: AccountSource };
}
/** Its result is ignored; a throw or a rejection is logged and counted. */
export type AccountHook = (change: AccountChange) => unknown;

/**
 * Hooks on accounts: created (by an admin, open mode's first use, the directory or single
 * sign-on, the first-start admin), signed in (a new session: password, directory or single
 * sign-on), disabled (by an admin or the directory). Told after the fact, detached like
 * after-delivery hooks: they cannot refuse or delay the change.
 */
@Injectable()
export class AccountHooks extends PerExtension implements OnModuleDestroy {
  private readonly hooks: Record<AccountHookEvent, HookList<AccountHook>> = {
    created: new HookList(),
    signed_in: new HookList(),
    disabled: new HookList(),
  };
  private readonly subscription: Subscription;

  constructor(activity: AccountActivity, failures: HookFailures) {
    super();
    this.subscription = activity.events$.subscribe(({ kind, user }) =>
      failures.runDetached(`account.${kind}`, this.hooks[kind], { event: kind, user: { ...hookUser(user), source: user.source } }),
    );
  }

  on(event: AccountHookEvent, hook: AccountHook): void {
    const hooks = this.hooks[event];
    // A typo in a plain-JavaScript extension would otherwise register nothing, silently.
    if (!hooks) throw new Error(`No account event "${String(event)}": use created, signed_in or disabled`);
    hooks.add(hook, this.source);
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }
}
