import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { AuthService } from '../core/auth.service';
import { AnnouncementCardComponent } from './announcement-card.component';
import { AnnouncementStore } from './announcement.store';

/**
 * Above every signed-in page: the newest announcement still to acknowledge, with how many more
 * wait behind it. Acknowledging shows the next; the last one takes the banner away, on every
 * device of the person (announcement_acked). The card (Markdown, Material) loads only when
 * there is one to show, so pages without announcements do not pay for it.
 */
@Component({
  selector: 'parley-announcement-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AnnouncementCardComponent],
  template: `
    <!-- Rendered while signed in, empty or not, so the live region exists before an announcement arrives. -->
    @if (signedIn()) {
      <section role="region" aria-label="Announcements" aria-live="polite">
        @if (current(); as announcement) {
          @defer (on immediate) {
            <parley-announcement-card [announcement]="announcement" [count]="count()" [busy]="store.acknowledging().has(announcement.id)"
              [error]="store.error()" (acknowledged)="store.acknowledge(announcement.id)" />
          }
        }
      </section>
    }
  `,
  styles: `:host { display: block; flex: none; }`,
})
export class AnnouncementBannerComponent {
  readonly store = inject(AnnouncementStore);
  private readonly auth = inject(AuthService);
  readonly signedIn = computed(() => this.auth.user() !== null);
  readonly current = computed(() => this.store.pending()[0] ?? null);
  readonly count = computed(() => this.store.pending().length);
}
