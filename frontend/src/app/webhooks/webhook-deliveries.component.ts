import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { firstValueFrom } from 'rxjs';
import type { WebhookDeliveriesResponse, WebhookDelivery } from '@parley/contract';
import { errorMessage } from '../core/auth.service';
import { deliveryState } from './webhooks.model';

/**
 * One webhook's recent deliveries (GET /api/admin/webhooks/:id/deliveries), failures first on
 * request: each with its state, the receiver's last error, the next attempt, and a retry.
 */
@Component({
  selector: 'parley-webhook-deliveries',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatButtonToggleModule],
  template: `
    <div class="bar">
      <mat-button-toggle-group [value]="filter()" (change)="show($event.value)" aria-label="Which deliveries" hideSingleSelectionIndicator>
        <mat-button-toggle value="all">All</mat-button-toggle>
        <mat-button-toggle value="failed">Failed</mat-button-toggle>
        <mat-button-toggle value="pending">Retrying</mat-button-toggle>
      </mat-button-toggle-group>
      <button mat-button type="button" (click)="load()" [disabled]="loading()">Refresh</button>
    </div>
    @if (error(); as text) {
      <p class="problem" role="alert">{{ text }} <button mat-button type="button" (click)="load()">Retry</button></p>
    } @else if (deliveries() === null) {
      <p class="quiet" role="status">Loading deliveries…</p>
    } @else if (deliveries()!.length === 0) {
      <p class="quiet" role="status">{{ filter() === 'all' ? 'No deliveries yet: new messages it covers will show here.' : 'None.' }}</p>
    } @else {
      <ul class="deliveries" [attr.aria-busy]="loading()" aria-label="Deliveries">
        @for (delivery of deliveries(); track delivery.id) {
          <li class="delivery" data-testid="webhook-delivery" [class.failed]="delivery.status === 'failed'">
            <span class="state">{{ state(delivery) }}</span>
            <span class="meta">message {{ delivery.message_id }} · <time [attr.datetime]="delivery.created_at">{{ delivery.created_at | date: 'medium' }}</time></span>
            @if (delivery.last_error) { <span class="error" data-testid="webhook-delivery-error">{{ delivery.last_error }}</span> }
            @if (delivery.next_attempt_at) {
              <span class="meta">next try <time [attr.datetime]="delivery.next_attempt_at">{{ delivery.next_attempt_at | date: 'mediumTime' }}</time></span>
            }
            @if (delivery.status !== 'delivered') {
              <button mat-button type="button" (click)="retry(delivery)" [disabled]="retrying() === delivery.id"
                [attr.aria-label]="'Send the delivery of message ' + delivery.message_id + ' again now'">Try again now</button>
            }
          </li>
        }
      </ul>
    }
  `,
  styles: `
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin: 0.5rem 0; }
    .deliveries { list-style: none; margin: 0; padding: 0; }
    .delivery { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 1rem; padding: 0.375rem 0; border-top: 1px solid var(--mat-sys-outline-variant); }
    .state { font-weight: 500; }
    .failed .state, .error, .problem { color: var(--mat-sys-error); }
    .error { flex: 1 1 100%; overflow-wrap: anywhere; font-size: 0.9rem; }
    .meta, .quiet { color: var(--mat-sys-on-surface-variant); font-size: 0.85rem; }
  `,
})
export class WebhookDeliveriesComponent {
  private readonly http = inject(HttpClient);
  readonly webhookId = input.required<number>();

  readonly filter = signal<'all' | 'failed' | 'pending'>('all');
  readonly deliveries = signal<WebhookDelivery[] | null>(null);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  readonly retrying = signal<string | null>(null);
  readonly state = deliveryState;

  constructor() {
    // Only the webhook re-runs it: load() reads the filter, which show() handles itself.
    effect(() => {
      this.webhookId();
      untracked(() => void this.load());
    });
  }

  show(filter: 'all' | 'failed' | 'pending'): void {
    this.filter.set(filter);
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    const status = this.filter() === 'all' ? '' : `?status=${this.filter()}`;
    try {
      const answer = await firstValueFrom(this.http.get<WebhookDeliveriesResponse>(`/api/admin/webhooks/${this.webhookId()}/deliveries${status}`));
      this.deliveries.set(answer.deliveries);
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  async retry(delivery: WebhookDelivery): Promise<void> {
    this.retrying.set(delivery.id);
    try {
      const answer = await firstValueFrom(this.http.post<{ delivery: WebhookDelivery }>(`/api/admin/webhooks/${this.webhookId()}/deliveries/${delivery.id}/retry`, {}));
      this.deliveries.update((list) => list?.map((item) => (item.id === delivery.id ? answer.delivery : item)) ?? null);
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.retrying.set(null);
    }
  }
}
