import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { AnnouncementBannerComponent } from './announcements/announcement-banner.component';
import { AppUpdates } from './core/app-updates.service';
import { ThemeService } from './core/theme.service';

@Component({
  selector: 'parley-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, AnnouncementBannerComponent],
  // The banners sit above whichever page is open; the chat page fills what is left of the screen.
  template: `
    @if (updates.notice(); as notice) {
      <div class="update" role="status" data-testid="app-update">
        <span>{{ notice }}</span>
        <!-- A plain button: Material's would add its ripple code to the first download of every page. -->
        <button type="button" (click)="updates.reload()">Reload</button>
      </div>
    }
    <parley-announcement-banner /><router-outlet />
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100dvh; }
    .update {
      display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; flex-wrap: wrap;
      padding: 0.25rem 0.5rem 0.25rem 1rem;
      background: var(--mat-sys-tertiary-container); color: var(--mat-sys-on-tertiary-container);
    }
    .update button {
      font: inherit; font-weight: 500; color: inherit; background: none; cursor: pointer;
      border: 1px solid currentColor; border-radius: 999px; padding: 0.35rem 1rem; min-height: 40px;
    }
    .update button:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
  `,
})
export class AppComponent {
  /** Created with the app, so a remembered theme is on <html> before the first page renders. */
  protected readonly theme = inject(ThemeService);
  protected readonly updates = inject(AppUpdates);

  constructor() {
    this.updates.start();
  }
}
