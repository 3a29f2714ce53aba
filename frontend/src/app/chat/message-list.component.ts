import { ScrollingModule } from '@angular/cdk/scrolling';
import { ScrollingModule as ExperimentalScrollingModule } from '@angular/cdk-experimental/scrolling';
import { CdkVirtualScrollViewport } from '@angular/cdk/scrolling';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, input, output, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { withDaySeparators, type ChatMessage } from './chat.model';

/**
 * Messages of one conversation in a virtual scroller (autosize: messages differ in height), with
 * day separators. Scrolling to the top asks for older messages; new ones keep it at the bottom.
 */
@Component({
  selector: 'parley-message-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ScrollingModule, ExperimentalScrollingModule, DatePipe, MatButtonModule],
  template: `
    @if (olderAvailable()) {
      <div class="older"><button mat-button type="button" (click)="loadOlder.emit()">Load older messages</button></div>
    }
    <cdk-virtual-scroll-viewport autosize class="viewport" (scrolledIndexChange)="onScrolled($event)" role="log"
      aria-label="Messages">
      <div *cdkVirtualFor="let row of rows(); trackBy: trackRow" class="row">
        @if (row.kind === 'day') {
          <div class="day" role="separator">{{ row.label }}</div>
        } @else {
          <div class="message" [class.mine]="row.message.mine" [attr.data-state]="row.message.state" data-testid="message">
            <div class="meta">
              <span class="sender">{{ row.message.mine ? 'You' : row.message.senderName }}</span>
              <span class="role">{{ row.message.senderRole }}</span>
              <time [attr.datetime]="row.message.sentAt">{{ row.message.sentAt | date: 'shortTime' }}</time>
            </div>
            <div class="text">{{ row.message.text }}</div>
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
    .text { white-space: pre-wrap; overflow-wrap: anywhere; }
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

  constructor() {
    // Follow a new newest message to the bottom; older ones prepended above leave it alone.
    effect(() => {
      const newest = this.rows().at(-1)?.key;
      if (newest === this.newestKey) return;
      this.newestKey = newest;
      setTimeout(() => this.viewport().scrollTo({ bottom: 0 }));
    });
  }

  trackRow = (_: number, row: { key: string }) => row.key;

  onScrolled(index: number): void {
    if (index === 0 && this.olderAvailable()) this.loadOlder.emit();
  }
}
