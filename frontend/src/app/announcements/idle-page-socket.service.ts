import { DestroyRef, Injectable, Injector, afterNextRender, inject } from '@angular/core';
import { NavigationEnd, NavigationStart, Router } from '@angular/router';
import { ClientEvents } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';

/**
 * Pages without a socket of their own (users, audit log) would show announcements only on the
 * next page change. This opens the socket on such a page and verifies it, so `announcement`
 * and `announcement_acked` arrive there too, and closes it before the next page opens, so a
 * page that owns the socket (chat, roster, announcements) gets its own connect and verify.
 */
@Injectable({ providedIn: 'root' })
export class IdlePageSocket {
  private readonly socket = inject(SocketService);
  private readonly auth = inject(AuthService);
  private readonly injector = inject(Injector);
  /** The socket is open because of this service, not because of the page. */
  private owned = false;

  constructor() {
    const subscriptions = [
      inject(Router).events.subscribe((event) => {
        if (event instanceof NavigationStart) this.release();
        // After the new page's first render: by then a page that wants the socket has asked for it.
        if (event instanceof NavigationEnd) afterNextRender(() => this.adopt(), { injector: this.injector });
      }),
      this.socket.connected$.subscribe(() => void this.verify()),
    ];
    inject(DestroyRef).onDestroy(() => subscriptions.forEach((s) => s.unsubscribe()));
  }

  private adopt(): void {
    if (this.owned || !this.auth.user() || this.socket.status() !== 'offline') return;
    this.owned = true;
    this.socket.connect();
  }

  private release(): void {
    if (!this.owned) return;
    this.owned = false;
    this.socket.disconnect();
  }

  private async verify(): Promise<void> {
    const user = this.auth.user();
    if (!this.owned || !user) return;
    await this.socket.request(ClientEvents.VerifyUser, { user_type: user.role, user_name: user.username });
  }
}
