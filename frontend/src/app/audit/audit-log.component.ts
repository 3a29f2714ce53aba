import { HttpClient, HttpParams } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, signal, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { AUDIT_ACTIONS, type AuditEntry, type AuditPage } from '@parley/contract';
import { errorMessage } from '../core/auth.service';
import { actionLabel, appendPage, describeDetails } from './audit.model';

const PAGE_SIZE = 50;

/** The audit log: what admins did, newest first, filtered by action, paged with "Older". */
@Component({
  selector: 'parley-audit-log',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, RouterLink, MatButtonModule, MatFormFieldModule, MatSelectModule],
  template: `
    <main>
    <header class="top">
      <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
      <h1>Audit log</h1>
      <a mat-button [routerLink]="['/admin', name(), 'announcements']">Announcements</a>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="filter">
        <mat-label>Action</mat-label>
        <mat-select [value]="action()" (valueChange)="filterBy($event)" aria-label="Filter by action">
          <mat-option [value]="null">All actions</mat-option>
          @for (option of actions; track option) { <mat-option [value]="option">{{ label(option) }}</mat-option> }
        </mat-select>
      </mat-form-field>
    </header>
    @if (message(); as text) { <p role="status">{{ text }}</p> }
    <div class="admin-table">
      <table aria-label="Audit log" class="cards">
        <thead><tr><th>When</th><th>Who</th><th>Action</th><th>On</th><th>Details</th><th>From</th></tr></thead>
        <tbody>
          @for (entry of entries(); track entry.id) {
            <tr [attr.data-action]="entry.action" data-testid="audit-row">
              <td data-label="When" class="lead"><time [attr.datetime]="entry.at">{{ entry.at | date: 'medium' }}</time></td>
              <td data-label="Who">{{ entry.actor }}</td>
              <td data-label="Action">{{ label(entry.action) }}</td>
              <td data-label="On" [class.blank]="!entry.target">{{ entry.target ?? '' }}</td>
              <td data-label="Details" class="details" [class.blank]="!details(entry)">{{ details(entry) }}</td>
              <td data-label="From" [class.blank]="!entry.ip">{{ entry.ip ?? '' }}</td>
            </tr>
          } @empty {
            <tr><td colspan="6">{{ loading() ? 'Loading…' : 'Nothing recorded yet.' }}</td></tr>
          }
        </tbody>
      </table>
    </div>
    @if (nextBefore() !== null) {
      <button mat-button type="button" class="older" (click)="loadOlder()" [disabled]="loading()">Older entries</button>
    }
    </main>
  `,
  styles: `
    /* Room above the header, so the filter's outlined label never touches the page top. */
    :host { display: block; padding: 0.75rem 1rem 1rem; }
    .top { display: flex; align-items: center; gap: 0.5rem 1rem; flex-wrap: wrap; margin-bottom: 0.5rem; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    .filter { width: min(16rem, 100%); margin-left: auto; }
    td { vertical-align: top; }
    .details { white-space: normal; max-width: 28rem; }
    .older { margin-top: 0.5rem; }
    /* A phone: each entry is a card, nothing scrolls sideways. */
    @media (max-width: 40rem) {
      .cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      .cards, .cards tbody, .cards tr, .cards td { display: block; width: auto; }
      .cards tr { border: 1px solid var(--mat-sys-outline-variant); border-radius: 0.5rem; padding: 0.5rem; margin-bottom: 0.5rem; }
      .cards td { border: 0; padding: 0.15rem 0.25rem; white-space: normal; overflow-wrap: anywhere; max-width: none; }
      .cards td[data-label]:not(.lead)::before { content: attr(data-label) ": "; color: var(--mat-sys-on-surface-variant); }
      .cards .lead { font-weight: 500; }
      /* A card leaves out what the entry does not have, rather than an empty "Details:". */
      .cards td.blank { display: none; }
    }
  `,
})
export class AuditLogComponent implements OnInit {
  private readonly http = inject(HttpClient);
  readonly name = input<string>();
  readonly actions = AUDIT_ACTIONS;
  readonly entries = signal<AuditEntry[]>([]);
  readonly nextBefore = signal<number | null>(null);
  readonly action = signal<string | null>(null);
  readonly loading = signal(false);
  readonly message = signal<string | null>(null);
  readonly label = actionLabel;
  /** Numbers each load; only the latest may show its answer or end "loading". */
  private latest = 0;
  readonly details = describeDetails;

  ngOnInit(): void {
    void this.load(false);
  }

  filterBy(action: string | null): void {
    this.action.set(action);
    void this.load(false);
  }

  loadOlder(): void {
    void this.load(true);
  }

  private async load(older: boolean): Promise<void> {
    let params = new HttpParams().set('limit', PAGE_SIZE);
    const action = this.action();
    if (action) params = params.set('action', action);
    const before = this.nextBefore();
    if (older && before !== null) params = params.set('before', before);
    const request = ++this.latest;
    this.loading.set(true);
    try {
      const page = await firstValueFrom(this.http.get<AuditPage>('/api/admin/audit', { params }));
      // A filter change may have raced this request; only the latest answer counts.
      if (request !== this.latest) return;
      this.entries.set(older ? appendPage(this.entries(), page.entries) : page.entries);
      this.nextBefore.set(page.next_before);
      this.message.set(null);
    } catch (error) {
      if (request === this.latest) this.message.set(errorMessage(error));
    } finally {
      if (request === this.latest) this.loading.set(false);
    }
  }
}
