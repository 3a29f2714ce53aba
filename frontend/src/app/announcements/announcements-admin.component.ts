import { HttpClient, HttpParams } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal, type OnDestroy, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { firstValueFrom, Subscription } from 'rxjs';
import {
  ANNOUNCEMENT_MAX_CHARS,
  type AnnouncementResponse,
  type AnnouncementStatus,
  type AnnouncementStatusListResponse,
  ClientEvents,
  type CreateAnnouncementRequest,
  type Role,
  ROLES,
  ServerEvents,
} from '@parley/contract';
import { AuthService, errorMessage } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { MessageTextComponent } from '../chat/message-text.component';
import { AnnouncementAcksComponent } from './announcement-acks.component';
import { ackLabel, appendOlder, applyAck, audienceLabel, formProblems } from './announcements.model';

const PAGE_SIZE = 50;

/**
 * Post an announcement to everyone or to chosen roles, and watch the acknowledgements come in:
 * counts move live (announcement_acked over this page's own verified socket), and each row
 * opens to who has and who has not.
 */
@Component({
  selector: 'parley-announcements-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, RouterLink, MatButtonModule, MatCheckboxModule, MatFormFieldModule, MatInputModule, MessageTextComponent, AnnouncementAcksComponent],
  template: `
    <main>
      <header class="top">
        <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
        <h1>Announcements</h1>
      </header>
      <form class="post" (ngSubmit)="post()" aria-label="Post an announcement" novalidate>
        <h2 class="section">New announcement</h2>
        <mat-form-field appearance="outline" class="message">
          <mat-label>Announcement</mat-label>
          <textarea matInput name="message" rows="3" [ngModel]="message()" (ngModelChange)="message.set($event)"
            [attr.aria-invalid]="!!problems()?.message" aria-describedby="message-problem"></textarea>
          <mat-hint align="end">{{ message().trim().length }} / {{ maxChars }}</mat-hint>
        </mat-form-field>
        @if (problems()?.message; as problem) { <p class="problem" id="message-problem" role="alert">{{ problem }}</p> }
        <fieldset class="roles" [attr.aria-invalid]="!!problems()?.roles">
          <legend>Send to</legend>
          @for (role of roles; track role) {
            <mat-checkbox [checked]="chosen().includes(role)" (change)="toggle(role, $event.checked)">{{ role }}</mat-checkbox>
          }
          <span class="hint">{{ chosen().length === roles.length ? 'Everyone' : '' }}</span>
        </fieldset>
        @if (problems()?.roles; as problem) { <p class="problem" role="alert">{{ problem }}</p> }
        @if (postError(); as text) { <p class="problem" role="alert">{{ text }}</p> }
        @if (posted(); as text) { <p role="status">{{ text }}</p> }
        <button mat-flat-button type="submit" [disabled]="posting()">Post announcement</button>
      </form>

      <h2 class="section">Posted</h2>
      @if (offline() && loaded()) {
        <div class="banner" role="status">Connection lost. Reconnecting… The counts below may be out of date.</div>
      }
      @if (listError(); as text) {
        <p class="problem" role="alert">{{ text }} <button mat-button type="button" (click)="load(false)">Retry</button></p>
      }
      @if (announcements().length > 0) {
        <ul class="list" aria-label="Posted announcements" [attr.aria-busy]="loading()">
          @for (item of announcements(); track item.id) {
            <li class="item" [attr.data-announcement]="item.id" data-testid="announcement-row">
              <div class="meta">
                <time [attr.datetime]="item.created_at">{{ item.created_at | date: 'medium' }}</time>
                · {{ item.author_display_name }} · to {{ audience(item.roles) }}
              </div>
              <parley-message-text [text]="item.message" />
              <div class="status">
                <span class="count" data-testid="ack-count" aria-live="polite">{{ label(item) }}</span>
                <button mat-button type="button" [attr.aria-expanded]="open() === item.id" [attr.aria-controls]="'acks-' + item.id"
                  (click)="open.set(open() === item.id ? null : item.id)">
                  {{ open() === item.id ? 'Hide who' : 'Who has, who has not' }}
                </button>
              </div>
              @if (open() === item.id) {
                <parley-announcement-acks [id]="'acks-' + item.id" [announcementId]="item.id" [revision]="revisions().get(item.id) ?? 0" />
              }
            </li>
          }
        </ul>
      } @else if (!listError()) {
        <p class="empty" role="status">{{ loading() ? 'Loading announcements…' : 'No announcements yet. The first one you post shows here.' }}</p>
      }
      @if (more()) {
        <button mat-button type="button" (click)="load(true)" [disabled]="loading()">Older announcements</button>
      }
    </main>
  `,
  styles: `
    :host { display: block; padding: 0.5rem 1rem 1rem; max-width: 60rem; }
    .top { display: flex; align-items: center; gap: 0.25rem 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    .section { font-size: 1.05rem; font-weight: 500; margin: 1rem 0 0.5rem; }
    .post { display: flex; flex-direction: column; align-items: flex-start; gap: 0.25rem; }
    .message { width: 100%; }
    .roles { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 0 0.5rem; }
    .roles legend { padding: 0; margin-bottom: 0.25rem; color: var(--mat-sys-on-surface-variant); }
    .hint { color: var(--mat-sys-on-surface-variant); font-size: 0.85rem; }
    .problem { color: var(--mat-sys-error); margin: 0.25rem 0; }
    .banner { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 0.4rem 1rem; border-radius: 0.25rem; margin-bottom: 0.5rem; }
    .list { list-style: none; margin: 0; padding: 0; }
    .item { border: 1px solid var(--mat-sys-outline-variant); border-radius: 0.5rem; padding: 0.5rem 0.75rem; margin-bottom: 0.5rem; }
    .meta { font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); margin-bottom: 0.25rem; }
    .status { display: flex; align-items: center; flex-wrap: wrap; gap: 0 0.5rem; margin-top: 0.25rem; }
    .count { font-weight: 500; }
    .empty { color: var(--mat-sys-on-surface-variant); padding: 1rem 0; }
  `,
})
export class AnnouncementsAdminComponent implements OnInit, OnDestroy {
  private readonly http = inject(HttpClient);
  private readonly socket = inject(SocketService);
  private readonly auth = inject(AuthService);
  private readonly subscriptions = new Subscription();
  readonly name = input<string>();
  readonly roles = ROLES;
  readonly maxChars = ANNOUNCEMENT_MAX_CHARS;
  readonly audience = audienceLabel;
  readonly label = ackLabel;

  readonly message = signal('');
  /** Everyone by default. */
  readonly chosen = signal<Role[]>([...ROLES]);
  /** Shown once a post was tried, and kept up to date as the form changes after that. */
  private readonly tried = signal(false);
  readonly problems = computed(() => (this.tried() ? formProblems(this.message(), this.chosen(), this.maxChars) : null));
  readonly posting = signal(false);
  readonly postError = signal<string | null>(null);
  readonly posted = signal<string | null>(null);

  readonly announcements = signal<AnnouncementStatus[]>([]);
  readonly loading = signal(false);
  readonly loaded = signal(false);
  readonly more = signal(false);
  readonly listError = signal<string | null>(null);
  readonly open = signal<number | null>(null);
  /** Per announcement, how many acknowledgements arrived live: an open "who" list reloads on each. */
  readonly revisions = signal<ReadonlyMap<number, number>>(new Map());
  readonly offline = computed(() => this.socket.status() !== 'online');
  private latest = 0;

  ngOnInit(): void {
    this.subscriptions.add(
      this.socket.on(ServerEvents.AnnouncementAcked).subscribe((ack) => {
        this.announcements.update((list) => applyAck(list, ack));
        this.revisions.update((map) => new Map(map).set(ack.id, (map.get(ack.id) ?? 0) + 1));
      }),
    );
    // One posted by another admin (to admins): the first page brings it with its counts.
    this.subscriptions.add(this.socket.on(ServerEvents.Announcement).subscribe((a) => this.knows(a.id) || void this.load(false)));
    // Verified sockets are in role:admin, where acknowledgements arrive; after a reconnect the counts may have moved.
    let connects = 0;
    this.subscriptions.add(this.socket.connected$.subscribe(() => void this.verify(++connects > 1)));
    this.socket.connect();
    void this.load(false);
  }

  ngOnDestroy(): void {
    this.subscriptions.unsubscribe();
    this.socket.disconnect();
  }

  toggle(role: Role, checked: boolean): void {
    this.chosen.update((roles) => ROLES.filter((r) => (r === role ? checked : roles.includes(r))));
  }

  async post(): Promise<void> {
    this.tried.set(true);
    this.posted.set(null);
    this.postError.set(null);
    if (this.problems() || this.posting()) return;
    const everyone = this.chosen().length === ROLES.length;
    const body: CreateAnnouncementRequest = everyone ? { message: this.message() } : { message: this.message(), roles: this.chosen() };
    this.posting.set(true);
    try {
      const { announcement } = await firstValueFrom(this.http.post<AnnouncementResponse>('/api/announcements', body));
      this.message.set('');
      this.tried.set(false);
      this.posted.set(`Posted to ${audienceLabel(announcement.roles)}.`);
      await this.load(false);
    } catch (error) {
      this.postError.set(errorMessage(error));
    } finally {
      this.posting.set(false);
    }
  }

  private knows(id: number): boolean {
    return this.announcements().some((a) => a.id === id);
  }

  private async verify(reconnected: boolean): Promise<void> {
    const user = this.auth.user();
    if (!user) return;
    const verified = await this.socket.request(ClientEvents.VerifyUser, { user_type: user.role, user_name: user.username });
    if (!verified.ok) return this.listError.set(verified.error.message);
    if (reconnected) await this.load(false);
  }

  async load(older: boolean): Promise<void> {
    let params = new HttpParams().set('limit', PAGE_SIZE);
    const last = this.announcements().at(-1);
    if (older && last) params = params.set('before', last.id);
    const request = ++this.latest;
    this.loading.set(true);
    try {
      const page = await firstValueFrom(this.http.get<AnnouncementStatusListResponse>('/api/admin/announcements', { params }));
      if (request !== this.latest) return;
      this.announcements.set(older ? appendOlder(this.announcements(), page.announcements) : page.announcements);
      this.more.set(page.announcements.length === PAGE_SIZE);
      this.loaded.set(true);
      this.listError.set(null);
    } catch (error) {
      if (request === this.latest) this.listError.set(errorMessage(error));
    } finally {
      if (request === this.latest) this.loading.set(false);
    }
  }
}
