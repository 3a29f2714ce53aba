import { HttpClient, HttpParams } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule, type NgForm } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { type AdminUser, type CreateUserRequest, type ResetPasswordRequest, type Role, type UpdateUserRequest, type UserListResponse } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { confirmAction } from '../core/confirm-dialog.component';
import { SOURCE_DESCRIPTIONS, SOURCE_LABELS } from './account-source';
import { BotsAdminComponent } from './bots-admin.component';
import { AccountFieldsComponent } from './account-fields.component';
import { ConfirmDeleteDialogComponent, type ConfirmDeleteData } from './confirm-delete-dialog.component';
import { EditUserDialogComponent } from './edit-user-dialog.component';
import { ResetPasswordDialogComponent } from './reset-password-dialog.component';
import { describeUserError } from './user-errors';
import { PasswordFeedbackComponent } from './password-feedback.component';
import { PasswordStrength } from './password-strength.service';

/**
 * List (a page at a time, with a search), create, edit, disable/enable, reset password, delete:
 * the admin REST API in a page. Whatever ends someone's session asks first, in a dialog.
 * Directory and single sign-on accounts keep their password elsewhere, and bots have none (their
 * tokens are BotsAdminComponent's, below the list): no reset is offered.
 */
@Component({
  selector: 'parley-users-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, MatTooltipModule, PasswordFeedbackComponent, BotsAdminComponent, AccountFieldsComponent],
  template: `
    <main>
      <header class="top">
        <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
        <h1>Users</h1>
        <a mat-button [routerLink]="['/admin', name(), 'announcements']">Announcements</a>
      </header>
      @if (message(); as text) { <p class="message" role="status">{{ text }}</p> }
      @if (error(); as text) { <p class="message error" role="alert">{{ text }}</p> }
      <form class="create" #createForm="ngForm" (ngSubmit)="create(createForm)" aria-label="Create a user">
        <h2 class="section">New account</h2>
        <parley-account-fields [(username)]="draft.username" [(displayName)]="draft.display_name" [(role)]="draft.role" />
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Initial password</mat-label>
          <input matInput name="password" type="password" autocomplete="new-password" required [(ngModel)]="draft.password" />
          <mat-error>Required.</mat-error>
        </mat-form-field>
        <parley-password-feedback [password]="draft.password" [userInputs]="[draft.username, draft.display_name]" />
        <button mat-flat-button type="submit" [disabled]="busy() || isWeak(draft.password, [draft.username, draft.display_name])">Create user</button>
      </form>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="find">
        <mat-label>Find users</mat-label>
        <input matInput type="search" name="find" [ngModel]="search()" (ngModelChange)="searchFor($event)" />
      </mat-form-field>
      <div class="admin-table">
        <table aria-label="Users" class="cards">
          <thead><tr><th>User</th><th>Display name</th><th>Role</th><th>Source</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            @for (user of users(); track user.username) {
              <tr [attr.data-user]="user.username">
                <td data-label="User" class="lead">{{ user.username }}@if (user.bot) { <span class="bot" data-testid="bot-badge">bot</span> }</td>
                <td data-label="Display name">{{ user.display_name }}</td>
                <td data-label="Role">{{ user.role }}</td>
                <td data-label="Source">
                  <!-- Focusable where it says more than its word, so the keyboard reaches the tooltip too. -->
                  <span class="source" [class.external]="user.source !== 'local'" data-testid="source"
                        [matTooltip]="sourceDescriptions[user.source]" [attr.tabindex]="user.source === 'local' ? null : 0">{{ sourceLabels[user.source] }}</span>
                </td>
                <!-- Directory and single sign-on accounts never have a Parley password: not worth a remark. -->
                <!-- A bot never has one either: its token is in the Bots section. -->
                <td data-label="Status">{{ user.disabled ? 'disabled' : 'active' }}{{ user.has_password || user.source !== 'local' || user.bot ? '' : ' (no password)' }}</td>
                <td class="actions">
                  <button mat-button type="button" (click)="edit(user)" [attr.aria-label]="'Edit ' + user.username">Edit</button>
                  @if (user.disabled) {
                    <button mat-button type="button" (click)="setDisabled(user, false)">Enable</button>
                  } @else if (user.username !== me()) {
                    <button mat-button type="button" (click)="confirmDisable(user)">Disable</button>
                  }
                  @if (user.source === 'local' && !user.bot) {
                    <button mat-button type="button" (click)="startReset(user)">Reset password</button>
                  }
                  @if (user.username !== me()) {
                    <button mat-button type="button" class="delete" (click)="confirmDelete(user)">Delete</button>
                  }
                </td>
              </tr>
            } @empty {
              <tr class="empty"><td colspan="6">{{ search() ? 'No user matches “' + search() + '”.' : 'Loading…' }}</td></tr>
            }
          </tbody>
        </table>
      </div>
      @if (nextAfter() !== null) {
        <button mat-button type="button" class="more" (click)="loadMore()">More users</button>
      }
      <parley-bots-admin (changed)="load()" />
    </main>
  `,
  styles: `
    :host { display: block; padding: 0.5rem 1rem 1rem; }
    .top { display: flex; align-items: center; gap: 1rem; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    .section { font-size: 1rem; font-weight: 500; width: 100%; margin: 0; }
    .create { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: flex-start; margin-bottom: 1rem; max-width: 64rem; }
    .create mat-form-field { width: min(18rem, 100%); }
    .create parley-password-feedback { width: 100%; }
    .message { margin: 0 0 0.75rem; }
    .error { color: var(--mat-sys-error); }
    .find { margin-bottom: 0.5rem; width: min(24rem, 100%); }
    .actions { white-space: nowrap; }
    .source { white-space: nowrap; }
    .source.external {
      display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8125rem;
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container);
    }
    .source:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: 1px; }
    .bot { margin-left: 0.4rem; padding: 0 0.3rem; border-radius: 4px; font-size: 0.75rem; font-weight: 500;
      background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    @media (max-width: 40rem) {
      .create mat-form-field { width: 100%; }
    }
  `,
})
export class UsersAdminComponent implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly dialog = inject(MatDialog);
  /** The signed-in admin: the server refuses deleting yourself, so the page does not offer it. */
  private readonly auth = inject(AuthService);
  readonly me = computed(() => this.auth.user()?.username ?? null);
  private readonly strength = inject(PasswordStrength);
  readonly name = input<string>();
  readonly sourceLabels = SOURCE_LABELS;
  readonly sourceDescriptions = SOURCE_DESCRIPTIONS;
  readonly users = signal<AdminUser[]>([]);
  /** Where the next page starts; null when every user matching the search is shown. */
  readonly nextAfter = signal<string | null>(null);
  readonly search = signal('');
  readonly message = signal<string | null>(null);
  /** The last refusal, in plain words; cleared by the next success. */
  readonly error = signal<string | null>(null);
  readonly busy = signal(false);
  /** Numbers each load; only the latest may show its answer (a search can overtake a page). */
  private latest = 0;
  draft = { username: '', display_name: '', role: 'staff' as Role, password: '' };

  ngOnInit(): void {
    void this.load();
  }

  /** The first page, of everyone or of the users matching the search. */
  async load(): Promise<void> {
    await this.fetchPage(null);
  }

  async loadMore(): Promise<void> {
    const after = this.nextAfter();
    if (after !== null) await this.fetchPage(after);
  }

  searchFor(text: string): void {
    this.search.set(text.trim());
    void this.load();
  }

  private async fetchPage(after: string | null): Promise<void> {
    let params = new HttpParams();
    if (this.search()) params = params.set('q', this.search());
    if (after !== null) params = params.set('after', after);
    const request = ++this.latest;
    const page = await firstValueFrom(this.http.get<UserListResponse>('/api/users', { params }));
    if (request !== this.latest) return;
    this.users.update((shown) => (after === null ? page.users : [...shown, ...page.users]));
    this.nextAfter.set(page.next_after);
  }

  async create(form?: NgForm): Promise<void> {
    const { display_name, ...rest } = this.draft;
    const body: CreateUserRequest = display_name.trim() ? this.draft : rest;
    await this.run(async () => {
      await firstValueFrom(this.http.post('/api/users', body));
      const created = this.draft.username;
      const role = this.draft.role;
      this.draft = { username: '', display_name: '', role, password: '' };
      // A blank form for the next person, not one flagged as submitted with empty required fields.
      form?.resetForm({ username: '', display_name: '', role, password: '' });
      return `Created ${created}`;
    });
  }

  async edit(user: AdminUser): Promise<void> {
    const ref = this.dialog.open<EditUserDialogComponent, AdminUser, UpdateUserRequest>(EditUserDialogComponent, { data: user, maxWidth: '28rem' });
    const change = await firstValueFrom(ref.afterClosed());
    if (!change || Object.keys(change).length === 0) return;
    await this.run(async () => {
      await firstValueFrom(this.http.patch(`/api/users/${encodeURIComponent(user.username)}`, change));
      return change.role ? `Saved ${user.username}; the new role signed them out everywhere` : `Saved ${user.username}`;
    });
  }

  async confirmDisable(user: AdminUser): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Disable ${user.username}?`,
      consequences: [
        `${user.username} is signed out on every device at once and can no longer sign in.`,
        'Their messages and conversations stay; Enable lets them sign in again.',
      ],
      confirm: `Disable ${user.username}`,
    });
    if (confirmed) await this.setDisabled(user, true);
  }

  async setDisabled(user: AdminUser, disabled: boolean): Promise<void> {
    await this.run(async () => {
      await firstValueFrom(this.http.patch(`/api/users/${encodeURIComponent(user.username)}`, { disabled } satisfies UpdateUserRequest));
      return `${disabled ? 'Disabled' : 'Enabled'} ${user.username}`;
    });
  }

  async startReset(user: AdminUser): Promise<void> {
    const ref = this.dialog.open<ResetPasswordDialogComponent, AdminUser, string>(ResetPasswordDialogComponent, { data: user, maxWidth: '30rem' });
    const password = await firstValueFrom(ref.afterClosed());
    if (!password) return;
    await this.run(async () => {
      await firstValueFrom(this.http.post(`/api/users/${encodeURIComponent(user.username)}/password`, { password } satisfies ResetPasswordRequest));
      return `New password set for ${user.username}; they were signed out`;
    });
  }

  /** Deletes after the admin confirms in a dialog; cancelling changes nothing. */
  confirmDelete(user: AdminUser): void {
    const ref = this.dialog.open<ConfirmDeleteDialogComponent, ConfirmDeleteData, boolean>(ConfirmDeleteDialogComponent, {
      data: { username: user.username },
    });
    ref.afterClosed().subscribe((confirmed) => {
      if (confirmed !== true) return;
      void this.run(async () => {
        await firstValueFrom(this.http.delete(`/api/users/${encodeURIComponent(user.username)}`));
        return `Deleted ${user.username}; their messages stay, shown as from a deleted user`;
      });
    });
  }

  /** Known to fail the rule (the server checks too; while the rule loads, nothing is held back). */
  isWeak(password: string, userInputs: readonly string[]): boolean {
    return password.length > 0 && this.strength.verdict(password, userInputs)?.ok === false;
  }

  /** Runs a change; its success line or its refusal in plain words, then the list again. */
  private async run(action: () => Promise<string>): Promise<void> {
    this.busy.set(true);
    try {
      const done = await action();
      this.error.set(null);
      this.message.set(done);
      await this.load();
    } catch (error) {
      this.message.set(null);
      this.error.set(describeUserError(error));
    } finally {
      this.busy.set(false);
    }
  }
}
