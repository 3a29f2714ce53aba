import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, type OnDestroy, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSortModule, type Sort } from '@angular/material/sort';
import { RouterLink } from '@angular/router';
import { firstValueFrom, Subscription } from 'rxjs';
import { ClientEvents, ROLES, type RosterEntry, ServerEvents } from '@parley/contract';
import { AuthService, errorMessage } from '../core/auth.service';
import { confirmAction } from '../core/confirm-dialog.component';
import { SocketService } from '../core/socket.service';
import { applyRosterDiff, connectionsLabel, sortRoster, spansNodes, type RosterColumn } from './roster.model';

/**
 * The live table of every connection, from the roster snapshot plus diffs. While the socket is
 * down the rows are the last known ones: dimmed, under a banner, until a new snapshot.
 */
@Component({
  selector: 'parley-roster',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, MatSortModule],
  template: `
    <main>
      <header class="top">
        <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
        <h1>Roster</h1>
        <a mat-button [routerLink]="['/admin', name(), 'announcements']">Announcements</a>
        <span class="counts" aria-live="polite">
          {{ countLabel() }}{{ stale() && loaded() ? ' (last known)' : '' }} ·
          @for (count of perRole(); track count.role) { {{ count.role }} {{ count.count }} · }
          unverified {{ unverified() }}
        </span>
      </header>
      @if (offline() && loaded()) {
        <div class="banner" role="status">Connection lost. Reconnecting… The connections below are the last known ones and may have changed.</div>
      }
      @if (message(); as text) { <p class="message" role="status">{{ text }}</p> }
      <mat-form-field appearance="outline" class="filter" subscriptSizing="dynamic">
        <mat-label>Filter</mat-label>
        <input matInput [ngModel]="filter()" (ngModelChange)="filter.set($event)" placeholder="name, role, IP…" />
      </mat-form-field>
      <div class="admin-table">
        <table matSort (matSortChange)="sort.set($event)" aria-label="Connections" class="cards" [class.stale]="stale()" [attr.aria-busy]="!loaded()">
          <thead>
            <tr>
              <th mat-sort-header="user_name">User</th>
              <th mat-sort-header="role">Role</th>
              <th mat-sort-header="ip">IP</th>
              <th mat-sort-header="connected_at">Connected at</th>
              <th mat-sort-header="verification">Verified</th>
              @if (clustered()) { <th mat-sort-header="node">Node</th> }
              <th>User agent</th>
              <th>Devices</th>
              <th><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            @for (row of rows(); track row.socket_id) {
              <tr [attr.data-socket]="row.socket_id" data-testid="roster-row">
                <td data-label="User" class="lead">{{ row.user_name ?? '—' }}</td>
                <td data-label="Role">{{ row.role ?? '—' }}</td>
                <td data-label="IP">{{ row.ip }}</td>
                <td data-label="Connected at"><time [attr.datetime]="row.connected_at">{{ row.connected_at | date: 'medium' }}</time></td>
                <td data-label="Verified">{{ row.verification }}</td>
                @if (clustered()) { <td data-label="Node">{{ row.node }}</td> }
                <td data-label="User agent" class="ua">{{ row.user_agent }}</td>
                <td data-label="Devices">{{ row.user_name ? devices().get(row.user_name) : '' }}</td>
                <td class="actions">
                  <button mat-button type="button" (click)="disconnect(row)" [disabled]="stale()">Disconnect</button>
                  @if (row.user_name) {
                    <button mat-button type="button" (click)="signOut(row.user_name)" [disabled]="stale()">Sign out user</button>
                  }
                </td>
              </tr>
            } @empty {
              <tr class="empty">
                <td [attr.colspan]="clustered() ? 9 : 8">
                  @if (!loaded()) { Loading connections… }
                  @else if (filter().trim()) { No connection matches “{{ filter().trim() }}”. <button mat-button type="button" (click)="filter.set('')">Clear the filter</button> }
                  @else { Nobody is connected. }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    </main>
  `,
  styles: `
    :host { display: block; padding: 0.5rem 1rem 1rem; }
    .top { display: flex; align-items: center; gap: 0.25rem 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    .counts { color: var(--mat-sys-on-surface-variant); }
    .banner { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 0.4rem 1rem; border-radius: 0.25rem; margin-bottom: 0.5rem; }
    .message { margin: 0 0 0.5rem; }
    .filter { width: min(24rem, 100%); margin-bottom: 0.5rem; }
    th, td { white-space: nowrap; }
    .ua { max-width: 16rem; overflow: hidden; text-overflow: ellipsis; }
    /* Last known, not live: dimmed until a fresh snapshot arrives. */
    .stale tbody { opacity: 0.6; }
    .empty td { white-space: normal; color: var(--mat-sys-on-surface-variant); padding: 1rem 0.6rem; }
    /* A phone: each connection is a card with its actions, nothing scrolls sideways. */
    @media (max-width: 40rem) {
      .cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      .cards, .cards tbody, .cards tr, .cards td { display: block; width: auto; }
      .cards tr { border: 1px solid var(--mat-sys-outline-variant); border-radius: 0.5rem; padding: 0.5rem; margin-bottom: 0.5rem; }
      .cards td { border: 0; padding: 0.15rem 0.25rem; white-space: normal; overflow-wrap: anywhere; }
      .cards td[data-label]:not(.lead)::before { content: attr(data-label) ": "; color: var(--mat-sys-on-surface-variant); }
      .cards .lead { font-weight: 500; }
      .cards .ua { max-width: none; }
      .cards .actions { display: flex; flex-wrap: wrap; gap: 0.25rem; }
    }
  `,
})
export class RosterComponent implements OnInit, OnDestroy {
  private readonly socket = inject(SocketService);
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  private readonly dialog = inject(MatDialog);
  private readonly subscriptions = new Subscription();
  readonly name = input<string>();
  readonly connections = signal<RosterEntry[]>([]);
  private version = 0;
  readonly filter = signal('');
  readonly sort = signal<Sort>({ active: 'connected_at', direction: 'asc' });
  readonly message = signal<string | null>(null);
  /** A snapshot has arrived at least once: before that the page is loading, not offline. */
  readonly loaded = signal(false);
  /** The rows match the server's roster: a snapshot came on this connection and it is still up. */
  private readonly fresh = signal(false);
  readonly offline = computed(() => this.socket.status() !== 'online');
  readonly stale = computed(() => this.loaded() && (this.offline() || !this.fresh()));
  readonly countLabel = computed(() => connectionsLabel(this.connections().length));

  constructor() {
    // Diffs missed while down cannot be replayed: only the next snapshot makes the rows fresh again.
    effect(() => {
      if (this.offline()) this.fresh.set(false);
    });
  }

  readonly rows = computed(() => {
    const needle = this.filter().trim().toLowerCase();
    const filtered = needle
      ? this.connections().filter((c) =>
          [c.user_name, c.role, c.ip, c.verification, c.user_agent, c.node].some((v) => v?.toLowerCase().includes(needle)),
        )
      : this.connections();
    const { active, direction } = this.sort();
    return sortRoster(filtered, active as RosterColumn, direction || 'asc');
  });
  readonly perRole = computed(() =>
    ROLES.map((role) => ({ role, count: this.connections().filter((c) => c.role === role).length })),
  );
  readonly clustered = computed(() => spansNodes(this.connections()));
  readonly unverified = computed(() => this.connections().filter((c) => c.verification !== 'VERIFIED').length);
  readonly devices = computed(() => {
    const counts = new Map<string, number>();
    for (const c of this.connections()) if (c.user_name) counts.set(c.user_name, (counts.get(c.user_name) ?? 0) + 1);
    return counts;
  });

  ngOnInit(): void {
    this.subscriptions.add(
      this.socket.on(ServerEvents.RosterDiff).subscribe((diff) => {
        if (diff.version <= this.version) return;
        this.version = diff.version;
        this.connections.update((current) => applyRosterDiff(current, diff));
      }),
    );
    this.subscriptions.add(this.socket.connected$.subscribe(() => void this.subscribe()));
    this.socket.connect();
  }

  ngOnDestroy(): void {
    this.subscriptions.unsubscribe();
    this.socket.disconnect();
  }

  /** Verifies this socket as the admin, then takes the snapshot (diffs follow). */
  private async subscribe(): Promise<void> {
    const user = this.auth.user();
    if (!user) return;
    const verified = await this.socket.request(ClientEvents.VerifyUser, { user_type: user.role, user_name: user.username });
    if (!verified.ok) return this.message.set(verified.error.message);
    const snapshot = await this.socket.request(ClientEvents.Roster, {});
    if (!snapshot.ok) return this.message.set(snapshot.error.message);
    this.version = snapshot.version;
    this.connections.set(snapshot.connections);
    this.loaded.set(true);
    this.fresh.set(true);
  }

  async disconnect(row: RosterEntry): Promise<void> {
    const who = row.user_name ?? `this unverified connection (${row.ip})`;
    const own = row.user_name === this.auth.user()?.username;
    const confirmed = await confirmAction(this.dialog, {
      title: row.user_name ? `Disconnect this device of ${row.user_name}?` : 'Disconnect this connection?',
      consequences: row.user_name
        ? [
            `The session of ${who} on this device (${row.ip}) ends: every tab of it closes and must sign in again.`,
            `Their other devices stay signed in.${own ? ' This is your own account: if it is this browser, you will be signed out.' : ''}`,
          ]
        : ['It is closed; a page without a session may connect again.'],
      confirm: row.user_name ? `Disconnect ${row.user_name}` : 'Disconnect',
    });
    if (!confirmed) return;
    await this.act(`/api/admin/connections/${encodeURIComponent(row.socket_id)}/disconnect`, `Disconnected ${row.user_name ?? row.socket_id}`);
  }

  async signOut(username: string): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Sign ${username} out everywhere?`,
      consequences: [
        `Every session of ${username} ends, on every device: each page closes and must sign in again.`,
        `Their account stays; they can sign in again with their password.`,
      ],
      confirm: `Sign out ${username}`,
    });
    if (!confirmed) return;
    await this.act(`/api/users/${encodeURIComponent(username)}/sign-out`, `Signed ${username} out everywhere`);
  }

  private async act(url: string, done: string): Promise<void> {
    try {
      await firstValueFrom(this.http.post(url, {}));
      this.message.set(done);
    } catch (error) {
      this.message.set(errorMessage(error));
    }
  }
}
