import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { Announcement } from '@parley/contract';
import { MessageTextComponent } from '../chat/message-text.component';

/** One announcement in the banner: who, when, the text (formatted as messages are), and its Acknowledge button. */
@Component({
  selector: 'parley-announcement-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MessageTextComponent],
  template: `
    @let a = announcement();
    <div class="banner" data-testid="announcement-banner" [attr.data-announcement]="a.id">
      <span class="material-symbols-outlined icon" aria-hidden="true">campaign</span>
      <div class="body">
        <p class="meta">
          <strong>Announcement</strong> from {{ a.author_display_name }}
          · <time [attr.datetime]="a.created_at">{{ a.created_at | date: 'short' }}</time>
          @if (count() > 1) { · <span class="count">1 of {{ count() }}</span> }
        </p>
        <parley-message-text class="text" id="announcement-text" [text]="a.message" />
        @if (error(); as text) { <p class="error" role="alert">{{ text }}</p> }
      </div>
      <button mat-flat-button type="button" class="ack" [disabled]="busy()" aria-describedby="announcement-text"
        (click)="acknowledged.emit()">Acknowledge</button>
    </div>
  `,
  styles: `
    :host { display: block; }
    .banner { display: flex; align-items: flex-start; gap: 0.75rem; padding: 0.5rem 1rem; max-height: 40dvh; overflow-y: auto;
      background: var(--mat-sys-primary-container); color: var(--mat-sys-on-primary-container);
      border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .icon { margin-top: 0.15rem; }
    .body { flex: 1; min-width: 0; }
    .meta { margin: 0 0 0.2rem; font-size: 0.85rem; }
    .text { font-size: 0.95rem; }
    .error { margin: 0.25rem 0 0; color: var(--mat-sys-error); font-size: 0.85rem; }
    .ack { flex: none; align-self: center; }
    /* A phone: the button goes under the text instead of squeezing it. */
    @media (max-width: 640px) {
      .banner { flex-wrap: wrap; padding: 0.5rem 0.75rem; gap: 0.25rem 0.5rem; }
      .body { flex-basis: calc(100% - 2.5rem); }
      .ack { margin-left: auto; }
    }
  `,
})
export class AnnouncementCardComponent {
  readonly announcement = input.required<Announcement>();
  /** How many are pending, this one included. */
  readonly count = input(1);
  readonly busy = input(false);
  readonly error = input<string | null>(null);
  readonly acknowledged = output<void>();
}
