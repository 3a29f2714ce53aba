import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal, type OnDestroy, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSortModule, type Sort } from '@angular/material/sort';
import { RouterLink } from '@angular/router';
import { firstValueFrom, Subscription } from 'rxjs';
import { ClientEvents, ROLES, type RosterEntry, ServerEvents } from '@parley/contract';
import { AuthService, errorMessage } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { applyRosterDiff, sortRoster, spansNodes, type RosterColumn } from './roster.model';

/** The live table of every connection, from the roster snapshot plus diffs. */
@Component({
  selector: 'parley-roster',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, MatSortModule],
  template: `
    <header class="top">
      <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
      <h1>Roster</h1>
      <span class="counts" aria-live="polite">
        {{ connections().length }} connections ·
        @for (count of perRole(); track count.role) { {{ count.role }} {{ count.count }} · }
        unverified {{ unverified() }}
      </span>
    </header>
    @if (message(); as text) { <p class="message" role="status">{{ text }}</p> }
    <mat-form-field appearance="outline" class="filter" subscriptSizing="dynamic">
      <mat-label>Filter</mat-label>
      <input matInput [ngModel]="filter()" (ngModelChange)="filter.set($event)" placeholder="name, role, IP…" />
    </mat-form-field>
    <div class="admin-table">
      <table matSort (matSortChange)="sort.set($event)" aria-label="Connections">
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
              <td>{{ row.user_name ?? '—' }}</td>
              <td>{{ row.role ?? '—' }}</td>
              <td>{{ row.ip }}</td>
              <td><time [attr.datetime]="row.connected_at">{{ row.connected_at | date: 'medium' }}</time></td>
              <td>{{ row.verification }}</td>
              @if (clustered()) { <td>{{ row.node }}</td> }
              <td class="ua">{{ row.user_agent }}</td>
              <td>{{ row.user_name ? devices().get(row.user_name) : '' }}</td>
              <td class="actions">
                <button mat-button type="button" (click)="disconnect(row)">Disconnect</button>
                @if (row.user_name) {
                  <button mat-button type="button" (click)="signOut(row.user_name)">Sign out user</button>
                }
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    :host { display: block; padding: 0 1rem 1rem; }
    .top { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    .counts { color: var(--mat-sys-on-surface-variant); }
    .filter { width: min(24rem, 100%); margin-bottom: 0.5rem; }
    th, td { white-space: nowrap; }
    .ua { max-width: 16rem; overflow: hidden; text-overflow: ellipsis; }
  `,
})
export class RosterComponent implements OnInit, OnDestroy {
  private readonly socket = inject(SocketService);
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthService);
  private readonly subscriptions = new Subscription();
  readonly name = input<string>();
  readonly connections = signal<RosterEntry[]>([]);
  private version = 0;
  readonly filter = signal('');
  readonly sort = signal<Sort>({ active: 'connected_at', direction: 'asc' });
  readonly message = signal<string | null>(null);

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
  }

  async disconnect(row: RosterEntry): Promise<void> {
    await this.act(`/api/admin/connections/${encodeURIComponent(row.socket_id)}/disconnect`, `Disconnected ${row.user_name ?? row.socket_id}`);
  }

  async signOut(username: string): Promise<void> {
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
