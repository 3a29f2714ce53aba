import { HttpClient } from '@angular/common/http';
import { DestroyRef, Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import { NavigationEnd, Router } from '@angular/router';
import { filter, firstValueFrom } from 'rxjs';
import { type Announcement, type AnnouncementAckedPayload, type AnnouncementListResponse, type AnnouncementResponse, ServerEvents } from '@parley/contract';
import { AuthService, errorMessage } from '../core/auth.service';
import { ChatConnection } from '../core/socket.service';
import { IdlePageSocket } from './idle-page-socket.service';
import { NotificationSettings } from '../core/notification-settings';
import { NOTIFIER } from '../core/tokens';

/**
 * The signed-in person's announcements, for the banner on every page. Loaded over REST when
 * someone signs in, after each (re)connect and on each page change; kept live by
 * `announcement` and `announcement_acked` on the page's verified socket (the page's own, or
 * IdlePageSocket's on pages that have none).
 */
@Injectable({ providedIn: 'root' })
export class AnnouncementStore {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  private readonly connection = inject(ChatConnection);
  private readonly notifier = inject(NOTIFIER);
  private readonly notifications = inject(NotificationSettings);
  private readonly all = signal<Announcement[]>([]);
  /** Still to acknowledge, newest first. */
  readonly pending = computed(() => this.all().filter((a) => a.acknowledged_at === null));
  readonly error = signal<string | null>(null);
  /** Ids whose acknowledgement is on its way: the button waits instead of sending twice. */
  readonly acknowledging = signal<ReadonlySet<number>>(new Set());
  /** Numbers each load; an older answer never replaces a newer one. */
  private latest = 0;

  constructor() {
    // Keeps pages without a socket of their own live too.
    inject(IdlePageSocket);
    const destroyRef = inject(DestroyRef);
    const subscriptions = [
      this.connection.on(ServerEvents.Announcement).subscribe((announcement) => this.arrived(announcement)),
      this.connection.on(ServerEvents.AnnouncementAcked).subscribe((ack) => this.acked(ack)),
      this.connection.connected$.subscribe(() => void this.load()),
      inject(Router)
        .events.pipe(filter((event) => event instanceof NavigationEnd))
        .subscribe(() => void this.load()),
    ];
    destroyRef.onDestroy(() => subscriptions.forEach((s) => s.unsubscribe()));
    // Signing in loads them; signing out forgets them, so the next person never sees the last one's.
    effect(() => {
      const user = this.auth.user();
      untracked(() => {
        this.all.set([]);
        this.error.set(null);
        if (user) void this.load();
      });
    });
  }

  async load(): Promise<void> {
    if (!this.auth.user()) return;
    const request = ++this.latest;
    try {
      const { announcements } = await firstValueFrom(this.http.get<AnnouncementListResponse>('/api/announcements'));
      if (request !== this.latest) return;
      // One that arrived live while this answer was on its way is newer than it: kept.
      this.all.update((known) => merge(announcements, known));
      this.error.set(null);
    } catch (error) {
      // Signed out meanwhile: nothing to say. Otherwise the banner keeps what it had.
      if (request === this.latest && this.auth.user()) this.error.set(errorMessage(error));
    }
  }

  async acknowledge(id: number): Promise<void> {
    if (this.acknowledging().has(id)) return;
    this.acknowledging.update((ids) => new Set([...ids, id]));
    try {
      const { announcement } = await firstValueFrom(this.http.post<AnnouncementResponse>(`/api/announcements/${id}/ack`, {}));
      this.replace(announcement);
      this.error.set(null);
    } catch (error) {
      this.error.set(`Could not acknowledge: ${errorMessage(error)}`);
    } finally {
      this.acknowledging.update((ids) => new Set([...ids].filter((other) => other !== id)));
    }
  }

  private arrived(announcement: Announcement): void {
    if (this.all().some((a) => a.id === announcement.id)) return;
    this.all.update((list) => merge([announcement], list));
    const me = this.auth.user()?.username;
    if (me && announcement.author !== me && this.notifications.alertsNowFor(me)) {
      this.notifier.show(`Announcement from ${announcement.author_display_name}`, announcement.message.slice(0, 140));
      this.notifications.shown();
    }
  }

  /** Another device of this person acknowledged it (admins also hear about everyone else's). */
  private acked(ack: AnnouncementAckedPayload): void {
    if (ack.user_name !== this.auth.user()?.username) return;
    const known = this.all().find((a) => a.id === ack.id);
    if (known && known.acknowledged_at === null) this.replace({ ...known, acknowledged_at: ack.acknowledged_at });
  }

  private replace(announcement: Announcement): void {
    this.all.update((list) => list.map((a) => (a.id === announcement.id ? announcement : a)));
  }
}

/** The union by id, newest first; where both have one, `fresh` wins. */
function merge(fresh: readonly Announcement[], known: readonly Announcement[]): Announcement[] {
  const ids = new Set(fresh.map((a) => a.id));
  return [...fresh, ...known.filter((a) => !ids.has(a.id))].sort((a, b) => b.id - a.id);
}
