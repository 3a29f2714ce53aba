import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterOutlet } from '@angular/router';
import { AnnouncementBannerComponent } from './announcements/announcement-banner.component';
import { ThemeService } from './core/theme.service';

@Component({
  selector: 'parley-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, AnnouncementBannerComponent],
  // The banner sits above whichever page is open; the chat page fills what is left of the screen.
  template: '<parley-announcement-banner /><router-outlet />',
  styles: `:host { display: flex; flex-direction: column; height: 100dvh; }`,
})
export class AppComponent {
  /** Created with the app, so a remembered theme is on <html> before the first page renders. */
  protected readonly theme = inject(ThemeService);
}
