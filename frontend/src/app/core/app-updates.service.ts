import { Injectable, inject, signal } from '@angular/core';
import { SwUpdate, type VersionEvent } from '@angular/service-worker';
import { WINDOW } from './tokens';

/** What the page says when the server now has a newer web app than the one installed here. */
export const UPDATE_READY = 'Parley was updated on the server. Reload to use the new version.';
/** What it says when the installed app can no longer load its own files (the browser evicted some). */
export const UPDATE_BROKEN = 'This copy of Parley is out of date and must be reloaded.';

/**
 * The installed app runs from the service worker's cache, so after the server is upgraded a
 * browser keeps the old web app until every Parley tab is closed. Once the new version is
 * downloaded, the page offers a reload (AppComponent's banner) rather than doing it: a reload
 * would throw away what the person is in the middle of (drafts are kept, a half-done edit is not).
 */
@Injectable({ providedIn: 'root' })
export class AppUpdates {
  private readonly updates = inject(SwUpdate);
  private readonly window = inject(WINDOW);
  private started = false;
  /** The offer to reload, or null when this copy of the app is current. */
  readonly notice = signal<string | null>(null);

  start(): void {
    if (this.started || !this.updates.isEnabled) return;
    this.started = true;
    this.updates.versionUpdates.subscribe((event) => this.onVersion(event));
    this.updates.unrecoverable.subscribe(() => this.notice.set(UPDATE_BROKEN));
  }

  reload(): void {
    this.window.location.reload();
  }

  private onVersion(event: VersionEvent): void {
    if (event.type === 'VERSION_READY') this.notice.set(UPDATE_READY);
  }
}
