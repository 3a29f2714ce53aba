import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import type { WebhookListResponse, WebhookResponse, WebhookWithSecretResponse } from '@parley/contract';
import { ADMIN_PAGE_STYLES } from '../core/admin-page.styles';
import { errorMessage } from '../core/auth.service';
import { confirmAction } from '../core/confirm-dialog.component';
import { CLIPBOARD } from '../core/tokens';
import { IncomingWebhooksComponent } from './incoming-webhooks.component';
import { WebhookDeliveriesComponent } from './webhook-deliveries.component';
import { WEBHOOK_LIST_STYLES } from './webhook-list.styles';
import { coverage, createRequest, lastDeliveryLabel, type WebhookForm, webhookFormProblem } from './webhooks.model';

/**
 * Outgoing webhooks (README "Integrations"): the registered receivers with their last delivery,
 * a form to register one, and per webhook: pause or resume, a new secret, removal, and its
 * deliveries. A secret is shown once, right after it was made (creation or rotation).
 */
@Component({
  selector: 'parley-webhooks-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, WebhookDeliveriesComponent, IncomingWebhooksComponent],
  template: `
    <main>
      <header class="top">
        <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
        <h1>Webhooks</h1>
        <a mat-button [routerLink]="['/admin', name(), 'audit']">Audit log</a>
      </header>
      <p class="hint">Parley POSTs each new message of the conversations a webhook covers to its address, signed with its secret, and retries while the receiver is down. Only addresses allowed by PARLEY_WEBHOOK_ALLOWED_HOSTS can be used.</p>

      @if (secret(); as shown) {
        <section class="secret" role="status" aria-labelledby="secret-title" data-testid="webhook-secret">
          <h2 id="secret-title" class="section">Signing secret for {{ shown.url }}</h2>
          <p>Copy it now into the receiver's settings: Parley does not show it again.</p>
          <div class="secret-row">
            <input class="secret-value" readonly [value]="shown.secret" aria-label="Signing secret" (focus)="$any($event.target).select()" />
            <button mat-flat-button type="button" (click)="copy(shown.secret)">Copy</button>
            <button mat-button type="button" (click)="secret.set(null)">Done</button>
          </div>
          @if (copied(); as text) { <p class="hint">{{ text }}</p> }
        </section>
      }

      <h2 class="section">Registered webhooks</h2>
      @if (loadError(); as text) {
        <p class="problem" role="alert">{{ text }} <button mat-button type="button" (click)="load()">Retry</button></p>
      }
      @if (webhooks(); as list) {
        @if (list.length > 0) {
          <ul class="list" aria-label="Webhooks" [attr.aria-busy]="loading()">
            @for (webhook of list; track webhook.id) {
              <li class="item" data-testid="webhook" [attr.data-url]="webhook.url">
                <div class="line">
                  <span class="url">{{ webhook.url }}</span>
                  @if (!webhook.enabled) { <span class="tag">Paused</span> }
                </div>
                @if (webhook.description) { <div class="description">{{ webhook.description }}</div> }
                <div class="meta">{{ coverage(webhook) }} · new messages · added by {{ webhook.created_by }}, <time [attr.datetime]="webhook.created_at">{{ webhook.created_at | date: 'mediumDate' }}</time></div>
                @let last = lastDelivery(webhook);
                <div class="status" [class]="last.tone" data-testid="webhook-status">{{ last.text }}</div>
                <div class="meta">{{ webhook.deliveries.delivered }} delivered · {{ webhook.deliveries.pending }} waiting · {{ webhook.deliveries.failed }} failed (last 7 days)</div>
                <div class="actions">
                  <button mat-button type="button" (click)="toggleDeliveries(webhook.id)" [attr.aria-expanded]="open() === webhook.id">
                    {{ open() === webhook.id ? 'Hide deliveries' : 'Deliveries' }}
                  </button>
                  <button mat-button type="button" (click)="setEnabled(webhook, !webhook.enabled)" [disabled]="busy() === webhook.id">{{ webhook.enabled ? 'Pause' : 'Resume' }}</button>
                  <button mat-button type="button" (click)="rotate(webhook)" [disabled]="busy() === webhook.id">New secret</button>
                  <button mat-button type="button" class="danger" (click)="remove(webhook)" [disabled]="busy() === webhook.id">Remove</button>
                </div>
                @if (open() === webhook.id) { <parley-webhook-deliveries [webhookId]="webhook.id" /> }
              </li>
            }
          </ul>
        } @else {
          <p class="empty" role="status">No webhooks yet. Register one below.</p>
        }
      } @else if (!loadError()) {
        <p class="empty" role="status">Loading webhooks…</p>
      }
      @if (actionError(); as text) { <p class="problem" role="alert">{{ text }}</p> }

      <form class="form" (ngSubmit)="create()" aria-label="Register a webhook" novalidate>
        <h2 class="section">Register a webhook</h2>
        <div class="fields">
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Address (URL)</mat-label>
            <input matInput name="url" type="url" autocomplete="off" inputmode="url" [ngModel]="form().url" (ngModelChange)="patch({ url: $event })" />
            <mat-hint>https://hooks.example.lan/parley</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Conversations (optional)</mat-label>
            <input matInput name="conversations" autocomplete="off" [ngModel]="form().conversations" (ngModelChange)="patch({ conversations: $event })" />
            <mat-hint>Comma-separated: group:staff, channel:ops, dm:amy:sam. Blank: all but direct messages</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Note (optional)</mat-label>
            <input matInput name="description" autocomplete="off" maxlength="200" [ngModel]="form().description" (ngModelChange)="patch({ description: $event })" />
            <mat-hint>What receives it</mat-hint>
          </mat-form-field>
        </div>
        @if (formError(); as text) { <p class="problem" role="alert" data-testid="webhook-form-error">{{ text }}</p> }
        <button mat-flat-button type="submit" [disabled]="saving()">Register webhook</button>
      </form>

      <parley-incoming-webhooks />
    </main>
  `,
  styles: [
    ADMIN_PAGE_STYLES,
    WEBHOOK_LIST_STYLES,
    `
      .bad { color: var(--mat-sys-error); }
      .ok { color: var(--mat-sys-primary); }
      .quiet { color: var(--mat-sys-on-surface-variant); }
      .status { overflow-wrap: anywhere; margin: 0.25rem 0; }
    `,
  ],
})
export class WebhooksAdminComponent implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly dialog = inject(MatDialog);
  private readonly clipboard = inject(CLIPBOARD);
  readonly name = input<string>();
  readonly coverage = coverage;
  readonly lastDelivery = lastDeliveryLabel;

  readonly webhooks = signal<WebhookResponse[] | null>(null);
  readonly loading = signal(false);
  readonly loadError = signal<string | null>(null);
  readonly actionError = signal<string | null>(null);
  /** The webhook whose deliveries are open. */
  readonly open = signal<number | null>(null);
  /** The webhook an action is under way for. */
  readonly busy = signal<number | null>(null);
  /** A secret just made, with the address it signs for; cleared by Done. */
  readonly secret = signal<{ url: string; secret: string } | null>(null);
  readonly copied = signal<string | null>(null);

  readonly form = signal<WebhookForm>({ url: '', conversations: '', description: '' });
  readonly formError = signal<string | null>(null);
  readonly saving = signal(false);

  ngOnInit(): void {
    void this.load();
  }

  patch(change: Partial<WebhookForm>): void {
    this.form.update((form) => ({ ...form, ...change }));
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.webhooks.set((await firstValueFrom(this.http.get<WebhookListResponse>('/api/admin/webhooks'))).webhooks);
      this.loadError.set(null);
    } catch (error) {
      this.loadError.set(errorMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  async create(): Promise<void> {
    const problem = webhookFormProblem(this.form());
    this.formError.set(problem);
    if (problem || this.saving()) return;
    this.saving.set(true);
    try {
      const answer = await firstValueFrom(this.http.post<WebhookWithSecretResponse>('/api/admin/webhooks', createRequest(this.form())));
      this.showSecret(answer);
      this.webhooks.update((list) => [...(list ?? []), answer.webhook]);
      this.form.set({ url: '', conversations: '', description: '' });
    } catch (error) {
      // The typed values stay, so the admin can fix the address and send again.
      this.formError.set(errorMessage(error));
    } finally {
      this.saving.set(false);
    }
  }

  toggleDeliveries(id: number): void {
    this.open.update((open) => (open === id ? null : id));
  }

  async setEnabled(webhook: WebhookResponse, enabled: boolean): Promise<void> {
    await this.act(webhook, async () => {
      const updated = await firstValueFrom(this.http.patch<WebhookResponse>(`/api/admin/webhooks/${webhook.id}`, { enabled }));
      this.replace(updated);
    });
  }

  async rotate(webhook: WebhookResponse): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Replace the secret of ${webhook.url}?`,
      consequences: ['Deliveries are signed with the new secret from now on.', 'The receiver refuses them until it has the new one.'],
      confirm: 'Replace the secret',
    });
    if (!confirmed) return;
    await this.act(webhook, async () => {
      const answer = await firstValueFrom(this.http.post<WebhookWithSecretResponse>(`/api/admin/webhooks/${webhook.id}/secret`, {}));
      this.replace(answer.webhook);
      this.showSecret(answer);
    });
  }

  async remove(webhook: WebhookResponse): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Remove the webhook to ${webhook.url}?`,
      consequences: ['Nothing more is sent to it; deliveries still waiting are dropped.', 'Its delivery history goes with it.'],
      confirm: 'Remove webhook',
    });
    if (!confirmed) return;
    await this.act(webhook, async () => {
      await firstValueFrom(this.http.delete(`/api/admin/webhooks/${webhook.id}`));
      this.webhooks.update((list) => list?.filter((item) => item.id !== webhook.id) ?? null);
      if (this.open() === webhook.id) this.open.set(null);
    });
  }

  async copy(secret: string): Promise<void> {
    this.copied.set((await this.clipboard(secret)) ? 'Copied.' : 'This browser would not copy it: select the secret and copy it yourself.');
  }

  private showSecret(answer: WebhookWithSecretResponse): void {
    this.copied.set(null);
    this.secret.set({ url: answer.webhook.url, secret: answer.secret });
  }

  private replace(updated: WebhookResponse): void {
    this.webhooks.update((list) => list?.map((item) => (item.id === updated.id ? updated : item)) ?? null);
  }

  private async act(webhook: WebhookResponse, action: () => Promise<void>): Promise<void> {
    this.actionError.set(null);
    this.busy.set(webhook.id);
    try {
      await action();
    } catch (error) {
      this.actionError.set(`${webhook.url}: ${errorMessage(error)}`);
    } finally {
      this.busy.set(null);
    }
  }
}
