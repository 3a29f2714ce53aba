import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { AccountEvents } from '../auth/account-events';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';

/** Closes live sockets whose session was revoked or whose account changed under them. */
@Injectable()
export class SessionEnforcer implements OnModuleInit, OnModuleDestroy {
  private subscription: Subscription | null = null;

  constructor(
    private readonly events: AccountEvents,
    private readonly broadcaster: Broadcaster,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => {
      if (event.kind === 'sessions-revoked') {
        for (const id of event.sessionIds) this.broadcaster.disconnect(Rooms.session(id));
      } else {
        this.broadcaster.disconnect(Rooms.user(event.userId));
      }
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
