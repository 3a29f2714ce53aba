import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { firstValueFrom } from 'rxjs';
import type { AnnouncementAcks } from '@parley/contract';
import { errorMessage } from '../core/auth.service';

/** Who of an announcement's audience has acknowledged it and who has not; loaded again whenever `revision` moves. */
@Component({
  selector: 'parley-announcement-acks',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule],
  template: `
    @if (error(); as text) {
      <p role="alert">{{ text }} <button mat-button type="button" (click)="load()">Retry</button></p>
    } @else if (acks(); as lists) {
      <div class="lists" [attr.aria-busy]="loading()">
        <section>
          <h3>Acknowledged ({{ lists.acknowledged.length }})</h3>
          <ul>
            @for (person of lists.acknowledged; track person.username) {
              <li data-testid="acked">{{ person.display_name }} <span class="detail">{{ person.display_name === person.username ? '' : person.username + ' · ' }}{{ person.role }} ·
                <time [attr.datetime]="person.acknowledged_at">{{ person.acknowledged_at | date: 'short' }}</time></span></li>
            } @empty { <li class="detail none">Nobody yet.</li> }
          </ul>
        </section>
        <section>
          <h3>Not yet ({{ lists.pending.length }})</h3>
          <ul>
            @for (person of lists.pending; track person.username) {
              <li data-testid="not-acked">{{ person.display_name }} <span class="detail">{{ person.display_name === person.username ? '' : person.username + ' · ' }}{{ person.role }}</span></li>
            } @empty { <li class="detail none">Everyone has.</li> }
          </ul>
        </section>
      </div>
    } @else {
      <p role="status">Loading who has acknowledged…</p>
    }
  `,
  styles: `
    :host { display: block; padding: 0.25rem 0 0.5rem; }
    .lists { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 0 1.5rem; }
    h3 { font-size: 0.95rem; font-weight: 500; margin: 0.25rem 0; }
    ul { margin: 0; padding-inline-start: 1.2rem; }
    li { margin: 0.1rem 0; overflow-wrap: anywhere; }
    .none { list-style: none; margin-inline-start: -1.2rem; }
    .detail { color: var(--mat-sys-on-surface-variant); font-size: 0.85rem; }
  `,
})
export class AnnouncementAcksComponent {
  private readonly http = inject(HttpClient);
  readonly announcementId = input.required<number>();
  /** Bumped by the page when an acknowledgement of this announcement arrives. */
  readonly revision = input(0);
  readonly acks = signal<AnnouncementAcks | null>(null);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  private latest = 0;

  constructor() {
    effect(() => {
      this.announcementId();
      this.revision();
      untracked(() => void this.load());
    });
  }

  async load(): Promise<void> {
    const request = ++this.latest;
    this.loading.set(true);
    try {
      const acks = await firstValueFrom(this.http.get<AnnouncementAcks>(`/api/admin/announcements/${this.announcementId()}/acks`));
      if (request !== this.latest) return;
      this.acks.set(acks);
      this.error.set(null);
    } catch (error) {
      if (request === this.latest) this.error.set(errorMessage(error));
    } finally {
      if (request === this.latest) this.loading.set(false);
    }
  }
}
