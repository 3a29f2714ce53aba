import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import type { RetentionResponse, SetRetentionRequest } from '@parley/contract';
import { ADMIN_PAGE_STYLES } from '../core/admin-page.styles';
import { errorMessage } from '../core/auth.service';
import { daysLabel, exportHref, overrideProblem } from './retention.model';

/**
 * Retention and export: the global PARLEY_RETENTION_DAYS, the per-conversation overrides (set and
 * removed over PUT /api/admin/retention), and a download link for the JSON Lines export. The
 * export is a plain GET link: the session cookie authenticates it and no CSRF header is needed.
 */
@Component({
  selector: 'parley-retention-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule],
  template: `
    <main>
      <header class="top">
        <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
        <h1>Retention &amp; export</h1>
        <a mat-button [routerLink]="['/admin', name(), 'audit']">Audit log</a>
      </header>

      <h2 class="section">How long messages are kept</h2>
      @if (loadError(); as text) {
        <p class="problem" role="alert">{{ text }} <button mat-button type="button" (click)="load()">Retry</button></p>
      }
      @if (settings(); as current) {
        <p data-testid="retention-default">Everywhere else: <strong>{{ days(current.default_days) }}</strong>
          <span class="hint">&nbsp;(PARLEY_RETENTION_DAYS{{ current.default_days === null ? ' is not set' : '' }})</span></p>
        @if (current.overrides.length > 0) {
          <ul class="list" aria-label="Per-conversation overrides" [attr.aria-busy]="loading()">
            @for (item of current.overrides; track item.conversation) {
              <li class="item" data-testid="retention-override" [attr.data-conversation]="item.conversation">
                <span class="conversation">{{ item.conversation }}</span>
                <span class="days">{{ item.days === 0 ? 'forever' : days(item.days) }}</span>
                <span class="meta">by {{ item.updated_by }} · <time [attr.datetime]="item.updated_at">{{ item.updated_at | date: 'medium' }}</time></span>
                <button mat-button type="button" (click)="remove(item.conversation)" [disabled]="saving()"
                  [attr.aria-label]="'Remove the override of ' + item.conversation">Remove</button>
              </li>
            }
          </ul>
        } @else {
          <p class="empty" role="status">No per-conversation overrides: every conversation follows the default.</p>
        }
      } @else if (!loadError()) {
        <p class="empty" role="status">Loading retention…</p>
      }
      @if (removeError(); as text) { <p class="problem" role="alert">{{ text }}</p> }

      <form class="form" (ngSubmit)="save()" aria-label="Set a conversation's retention" novalidate>
        <h2 class="section">Set a conversation's retention</h2>
        <div class="fields">
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Conversation</mat-label>
            <input matInput name="conversation" autocomplete="off" [ngModel]="conversation()" (ngModelChange)="conversation.set($event)" />
            <mat-hint>group:staff, channel:ops, team:staff:cleo or dm:amy:sam</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="days-field">
            <mat-label>Days</mat-label>
            <input matInput name="days" type="number" min="0" step="1" [ngModel]="daysInput()" (ngModelChange)="daysInput.set($event)" />
            <mat-hint>0 = kept forever</mat-hint>
          </mat-form-field>
        </div>
        @if (formError(); as text) { <p class="problem" role="alert" data-testid="retention-error">{{ text }}</p> }
        @if (saved(); as text) { <p role="status">{{ text }}</p> }
        <button mat-flat-button type="submit" [disabled]="saving()">Set retention</button>
      </form>

      <form class="form" aria-label="Export messages" (submit)="$event.preventDefault()">
        <h2 class="section">Export messages</h2>
        <div class="fields">
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Conversation (optional)</mat-label>
            <input matInput name="export-conversation" autocomplete="off" [ngModel]="exportConversation()" (ngModelChange)="exportConversation.set($event)" />
            <mat-hint>Blank: every conversation</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic">
            <mat-label>Sent on or after</mat-label>
            <input matInput name="after" type="date" [ngModel]="after()" (ngModelChange)="after.set($event ?? '')" />
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic">
            <mat-label>Sent before</mat-label>
            <input matInput name="before" type="date" [ngModel]="before()" (ngModelChange)="before.set($event ?? '')" />
          </mat-form-field>
        </div>
        <p class="hint">A JSON Lines file, one message a line. Each export is recorded in the audit log with the file's SHA-256, so a copy can be checked later.</p>
        <a mat-flat-button data-testid="export-link" [href]="exportHref()" download="parley-export.jsonl">Export messages</a>
      </form>
    </main>
  `,
  styles: [
    ADMIN_PAGE_STYLES,
    `
      .days-field { flex: 0 1 10rem; }
      .item { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 1rem; border: 1px solid var(--mat-sys-outline-variant); border-radius: 0.5rem; padding: 0.25rem 0.75rem; margin-bottom: 0.5rem; }
      .conversation { font-weight: 500; overflow-wrap: anywhere; }
      .meta { flex: 1 1 12rem; }
    `,
  ],
})
export class RetentionAdminComponent implements OnInit {
  private readonly http = inject(HttpClient);
  readonly name = input<string>();
  readonly days = daysLabel;

  readonly settings = signal<RetentionResponse | null>(null);
  readonly loading = signal(false);
  readonly loadError = signal<string | null>(null);
  readonly removeError = signal<string | null>(null);

  readonly conversation = signal('');
  readonly daysInput = signal<number | null>(null);
  readonly saving = signal(false);
  readonly formError = signal<string | null>(null);
  readonly saved = signal<string | null>(null);

  readonly exportConversation = signal('');
  readonly after = signal('');
  readonly before = signal('');
  readonly exportHref = computed(() => exportHref({ conversation: this.exportConversation(), after: this.after(), before: this.before() }));

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      this.settings.set(await firstValueFrom(this.http.get<RetentionResponse>('/api/admin/retention')));
      this.loadError.set(null);
    } catch (error) {
      this.loadError.set(errorMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  async save(): Promise<void> {
    this.saved.set(null);
    const days = this.daysInput();
    const problem = overrideProblem(this.conversation(), days);
    this.formError.set(problem);
    if (problem || this.saving()) return;
    const conversation = this.conversation().trim();
    // The typed values stay on an error, so the admin can fix one character and send again.
    if (await this.put({ conversation, days }, (text) => this.formError.set(text))) {
      this.saved.set(`${conversation}: ${days === 0 ? 'kept forever' : daysLabel(days)}.`);
      this.conversation.set('');
      this.daysInput.set(null);
    }
  }

  async remove(conversation: string): Promise<void> {
    this.removeError.set(null);
    if (await this.put({ conversation, days: null }, (text) => this.removeError.set(`${conversation}: ${text}`))) {
      this.saved.set(`${conversation} follows the default again.`);
    }
  }

  /** Both writes answer with the whole new state, so the list is current without a reload. */
  private async put(body: SetRetentionRequest, onError: (text: string) => void): Promise<boolean> {
    this.saving.set(true);
    try {
      this.settings.set(await firstValueFrom(this.http.put<RetentionResponse>('/api/admin/retention', body)));
      return true;
    } catch (error) {
      onError(errorMessage(error));
      return false;
    } finally {
      this.saving.set(false);
    }
  }
}
