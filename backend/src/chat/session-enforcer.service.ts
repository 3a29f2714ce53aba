import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { AccountEvents } from '../auth/account-events';
import { ServerEvents } from '@parley/contract';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';

/**
 * Closes live sockets whose session was revoked or whose account changed under them. When an
 * administrator caused it, those sockets (and only those) first get session_ended with the
 * reason; socket.io sends it before the close, which waits for the socket's queued packets.
 */
@Injectable()
export class SessionEnforcer implements OnModuleInit, OnModuleDestroy {
  private subscription: Subscription | null = null;

  constructor(
    private readonly events: AccountEvents,
    private readonly broadcaster: Broadcaster,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.events$.subscribe((event) => {
      const rooms = event.kind === 'bot-tokens-revoked' ? event.tokenIds.map(Rooms.botToken) : event.sessionIds.map(Rooms.session);
      // A session's socket joins the user's room only once verified; the session room has it from the handshake.
      if (event.kind === 'user-changed') rooms.push(Rooms.user(event.userId));
      if (rooms.length === 0) return;
      // One emit to the union of rooms: a socket in several gets the reason once.
      if (event.reason) this.broadcaster.emit(rooms, ServerEvents.SessionEnded, { reason: event.reason });
      this.broadcaster.disconnect(rooms);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
