import { ScrollingModule } from '@angular/cdk/scrolling';
import { ScrollingModule as ExperimentalScrollingModule } from '@angular/cdk-experimental/scrolling';
import { CdkVirtualScrollViewport } from '@angular/cdk/scrolling';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, afterNextRender, computed, effect, inject, input, output, untracked, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { withDaySeparators, type ChatMessage } from './chat.model';
import { MessageTextComponent } from './message-text.component';
import { ShownNamePipe } from './shown-name.pipe';

/**
 * Messages of one conversation in a virtual scroller (autosize: messages differ in height), with
 * day separators. Scrolling to the top asks for older messages; new ones keep it at the bottom.
 */
@Component({
  selector: 'parley-message-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ScrollingModule, ExperimentalScrollingModule, DatePipe, MatButtonModule, MessageTextComponent, ShownNamePipe],
  template: `
    @if (olderAvailable()) {
      <div class="older"><button mat-button type="button" (click)="loadOlder.emit()">Load older messages</button></div>
    }
    <cdk-virtual-scroll-viewport autosize class="viewport" role="log" aria-label="Messages" tabindex="0">
      <div *cdkVirtualFor="let row of rows(); trackBy: trackRow" class="row">
        @if (row.kind === 'day') {
          <div class="day" role="separator">{{ row.label }}</div>
        } @else {
          <div class="message" [class.mine]="row.message.mine" [attr.data-state]="row.message.state" data-testid="message">
            <div class="meta">
              <span class="sender">{{ row.message.mine ? 'You' : (row.message.senderName | shownName) }}</span>
              <span class="role">{{ row.message.senderRole }}</span>
              <time [attr.datetime]="row.message.sentAt">{{ row.message.sentAt | date: 'shortTime' }}</time>
            </div>
            <parley-message-text [text]="row.message.text" />
            @if (row.message.mine) {
              <div class="state">
                @switch (row.message.state) {
                  @case ('sending') { <span>Sending…</span> }
                  @case ('sent') { <span>Sent</span> }
                  @case ('failed') {
                    <span class="failed" role="alert">Not sent: {{ row.message.error }}</span>
                    <button mat-button type="button" (click)="retry.emit(row.message.key)">Retry</button>
                  }
                }
              </div>
            }
          </div>
        }
      </div>
    </cdk-virtual-scroll-viewport>
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 0; }
    .viewport { flex: 1; }
    .row { padding: 0.15rem 1rem; }
    .older { display: flex; justify-content: center; }
    .day { text-align: center; font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); margin: 0.75rem 0 0.25rem; }
    .message { max-width: min(36rem, 80%); background: var(--mat-sys-surface-container); border-radius: 12px; padding: 0.4rem 0.75rem; }
    .message.mine { margin-left: auto; background: var(--mat-sys-primary-container); }
    .meta { display: flex; gap: 0.5rem; font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    .sender { font-weight: 500; color: var(--mat-sys-on-surface); }
    .state { font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); text-align: right; }
    .failed { color: var(--mat-sys-error); }
  `,
})
export class MessageListComponent {
  readonly messages = input.required<ChatMessage[]>();
  readonly olderAvailable = input(false);
  readonly loadOlder = output<void>();
  readonly retry = output<string>();
  readonly rows = computed(() => withDaySeparators(this.messages()));
  private readonly viewport = viewChild.required(CdkVirtualScrollViewport);
  private newestKey: string | undefined;
  private oldestKey: string | undefined;
  private readonly destroyRef = inject(DestroyRef);

  /** Older messages are asked for when the reader is within this many pixels of the top. */
  private static readonly LOAD_OLDER_WITHIN_PX = 80;

  constructor() {
    // A new newest message scrolls to the bottom; older ones prepended above keep the reader's
    // place (scroll to where the previous first row now is).
    effect(() => {
      const rows = this.rows();
      const newest = rows.at(-1)?.key;
      // The first message, not the first row: a day separator stays first when older
      // messages of the same day are prepended.
      const oldest = rows.find((row) => row.kind === 'message')?.key;
      untracked(() => {
        const viewport = this.viewport();
        if (newest !== this.newestKey) {
          // Autosize measures rows only as they render, so the first jump lands near, not at,
          // the end; settle it over a couple of frames.
          const toEnd = () => viewport.scrollTo({ bottom: 0 });
          setTimeout(() => {
            viewport.scrollToIndex(rows.length - 1);
            requestAnimationFrame(toEnd);
            setTimeout(toEnd, 100);
          });
        } else if (oldest !== this.oldestKey && this.oldestKey !== undefined) {
          // Older messages went in above: keep the same distance from the bottom, so what the
          // reader was looking at stays put. (The rows are not rendered yet at this point.)
          const fromBottom = viewport.measureScrollOffset('bottom');
          setTimeout(() => viewport.scrollTo({ bottom: fromBottom }));
        }
        this.newestKey = newest;
        this.oldestKey = oldest;
      });
    });
    afterNextRender(() => {
      const subscription = this.viewport()
        .elementScrolled()
        .subscribe(() => {
          if (this.olderAvailable() && this.viewport().measureScrollOffset('top') < MessageListComponent.LOAD_OLDER_WITHIN_PX) {
            this.loadOlder.emit();
          }
        });
      this.destroyRef.onDestroy(() => subscription.unsubscribe());
    });
  }

  trackRow = (_: number, row: { key: string }) => row.key;
}
