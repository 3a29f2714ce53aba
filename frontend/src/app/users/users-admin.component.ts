import { HttpClient, HttpParams } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule, type NgForm } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { type AdminUser, type CreateUserRequest, type ResetPasswordRequest, type Role, ROLES, type UpdateUserRequest, type UserListResponse } from '@parley/contract';
import { AuthService, errorMessage } from '../core/auth.service';
import { ConfirmDeleteDialogComponent, type ConfirmDeleteData } from './confirm-delete-dialog.component';
import { PasswordFeedbackComponent } from './password-feedback.component';
import { PasswordStrength } from './password-strength.service';

/** List (a page at a time, with a search), create, disable/enable, reset password, delete: the admin REST API in a page. */
@Component({
  selector: 'parley-users-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [FormsModule, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, PasswordFeedbackComponent],
  template: `
    <header class="top">
      <a mat-button [routerLink]="['/admin', name()]">← Chat</a>
      <h1>Users</h1>
    </header>
    @if (message(); as text) { <p role="status">{{ text }}</p> }
    <form class="create" #createForm="ngForm" (ngSubmit)="create(createForm)" aria-label="Create a user">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>User name</mat-label>
        <input matInput name="username" required [(ngModel)]="draft.username" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Display name</mat-label>
        <input matInput name="display_name" [(ngModel)]="draft.display_name" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Role</mat-label>
        <mat-select name="role" [(ngModel)]="draft.role">
          @for (role of roles; track role) { <mat-option [value]="role">{{ role }}</mat-option> }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label>Initial password</mat-label>
        <input matInput name="password" type="password" autocomplete="new-password" required [(ngModel)]="draft.password" />
      </mat-form-field>
      <button mat-flat-button type="submit" [disabled]="isWeak(draft.password, [draft.username, draft.display_name])">Create user</button>
      <parley-password-feedback [password]="draft.password" [userInputs]="[draft.username, draft.display_name]" />
    </form>
    @if (resetting(); as user) {
      <form class="reset" (ngSubmit)="resetPassword(user)" [attr.aria-label]="'Reset password for ' + user.username">
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>New password for {{ user.username }}</mat-label>
          <input matInput name="new-password" type="password" autocomplete="new-password" required [(ngModel)]="newPassword" />
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="isWeak(newPassword, [user.username, user.display_name])">Set password</button>
        <button mat-button type="button" (click)="resetting.set(null)">Cancel</button>
        <parley-password-feedback [password]="newPassword" [userInputs]="[user.username, user.display_name]" />
      </form>
    }
    <mat-form-field appearance="outline" subscriptSizing="dynamic" class="find">
      <mat-label>Find users</mat-label>
      <input matInput type="search" name="find" [ngModel]="search()" (ngModelChange)="searchFor($event)" />
    </mat-form-field>
    <div class="admin-table">
      <table aria-label="Users">
        <thead><tr><th>User</th><th>Display name</th><th>Role</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          @for (user of users(); track user.username) {
            <tr [attr.data-user]="user.username">
              <td>{{ user.username }}</td>
              <td>{{ user.display_name }}</td>
              <td>{{ user.role }}</td>
              <td>{{ user.disabled ? 'disabled' : 'active' }}{{ user.has_password ? '' : ' (no password)' }}</td>
              <td class="actions">
                <button mat-button type="button" (click)="setDisabled(user, !user.disabled)">{{ user.disabled ? 'Enable' : 'Disable' }}</button>
                <button mat-button type="button" (click)="startReset(user)">Reset password</button>
                @if (user.username !== me()) {
                  <button mat-button type="button" class="delete" (click)="confirmDelete(user)">Delete</button>
                }
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    @if (nextAfter() !== null) {
      <button mat-button type="button" class="more" (click)="loadMore()">More users</button>
    }
  `,
  styles: `
    :host { display: block; padding: 0 1rem 1rem; }
    .top { display: flex; align-items: center; gap: 1rem; }
    h1 { font-size: 1.25rem; font-weight: 500; }
    .create, .reset { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 1rem; }
    .find { margin-bottom: 0.5rem; }
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
  readonly roles = ROLES;
  readonly users = signal<AdminUser[]>([]);
  /** Where the next page starts; null when every user matching the search is shown. */
  readonly nextAfter = signal<string | null>(null);
  readonly search = signal('');
  readonly message = signal<string | null>(null);
  /** Numbers each load; only the latest may show its answer (a search can overtake a page). */
  private latest = 0;
  draft = { username: '', display_name: '', role: 'staff' as Role, password: '' };
  /** The user whose new password is being typed, if any. */
  readonly resetting = signal<AdminUser | null>(null);
  newPassword = '';

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
      this.message.set(`Created ${this.draft.username}`);
      const role = this.draft.role;
      this.draft = { username: '', display_name: '', role, password: '' };
      // A blank form for the next person, not one flagged as submitted with empty required fields.
      form?.resetForm({ username: '', display_name: '', role, password: '' });
    });
  }

  async setDisabled(user: AdminUser, disabled: boolean): Promise<void> {
    await this.run(async () => {
      await firstValueFrom(this.http.patch(`/api/users/${encodeURIComponent(user.username)}`, { disabled } satisfies UpdateUserRequest));
      this.message.set(`${disabled ? 'Disabled' : 'Enabled'} ${user.username}`);
    });
  }

  startReset(user: AdminUser): void {
    this.newPassword = '';
    this.resetting.set(user);
  }

  async resetPassword(user: AdminUser): Promise<void> {
    const password = this.newPassword;
    await this.run(async () => {
      await firstValueFrom(this.http.post(`/api/users/${encodeURIComponent(user.username)}/password`, { password } satisfies ResetPasswordRequest));
      this.message.set(`New password set for ${user.username}; they were signed out`);
      this.resetting.set(null);
      this.newPassword = '';
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
        this.message.set(`Deleted ${user.username}; their messages stay, shown as from a deleted user`);
      });
    });
  }

  /** Known to fail the rule (the server checks too; while the rule loads, nothing is held back). */
  isWeak(password: string, userInputs: readonly string[]): boolean {
    return password.length > 0 && this.strength.verdict(password, userInputs)?.ok === false;
  }

  private async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      await this.load();
    } catch (error) {
      this.message.set(errorMessage(error));
    }
  }
}
