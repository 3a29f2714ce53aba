import { Clipboard } from '@angular/cdk/clipboard';
import { DatePipe } from '@angular/common';
import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, inject, output, signal, type OnInit } from '@angular/core';
import { FormsModule, type NgForm } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom, type Observable } from 'rxjs';
import { type Bot, type BotListResponse, type BotResponse, type BotTokenResponse, type CreateBotRequest, type Role } from '@parley/contract';
import { confirmAction } from '../core/confirm-dialog.component';
import { describeUserError } from './user-errors';
import { AccountFieldsComponent } from './account-fields.component';

/**
 * The Users page's bots: create one (a role, a display name), see whether it has a working
 * token and when it was last used, rotate or revoke it. A new token is shown once, with a copy
 * button: the server keeps only its hash. Disabling and deleting a bot are the user table's.
 */
@Component({
  selector: 'parley-bots-admin',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, MatButtonModule, AccountFieldsComponent],
  template: `
    <section aria-labelledby="bots-heading">
      <h2 id="bots-heading" class="section">Bots</h2>
      <p class="hint">Accounts for scripts and integrations: no password, they sign in with an API token (REST or the socket).</p>
      @if (error(); as text) { <p class="message error" role="alert">{{ text }}</p> }
      @if (secret(); as shown) {
        <div class="secret" role="status" data-testid="bot-token">
          <p>The token for <strong>{{ shown.username }}</strong>, shown only now: copy it somewhere safe.</p>
          <code>{{ shown.token }}</code>
          <div class="secret-actions">
            <button mat-flat-button type="button" (click)="copy(shown.token)">{{ copied() ? 'Copied' : 'Copy token' }}</button>
            <button mat-button type="button" (click)="secret.set(null)">Done</button>
          </div>
        </div>
      }
      <form class="create" #botForm="ngForm" (ngSubmit)="create(botForm)" aria-label="Create a bot">
        <parley-account-fields usernameLabel="Bot user name" roleHint="What it may post and read, as for a person of that role." [(username)]="draft.username" [(displayName)]="draft.display_name" [(role)]="draft.role" />
        <button mat-flat-button type="submit" [disabled]="busy()">Create bot</button>
      </form>
      @switch (state()) {
        @case ('loading') { <p class="hint" role="status">Loading bots…</p> }
        @case ('failed') {
          <p class="message error" role="alert">The bots could not be loaded. <button mat-button type="button" (click)="load()">Try again</button></p>
        }
        @default {
          @if (bots().length === 0) {
            <p class="hint" data-testid="no-bots">No bots yet.</p>
          } @else {
            <div class="admin-table">
              <table aria-label="Bots" class="cards">
                <thead><tr><th>Bot</th><th>Role</th><th>Token</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
                <tbody>
                  @for (bot of bots(); track bot.username) {
                    <tr [attr.data-bot]="bot.username">
                      <td data-label="Bot" class="lead">{{ bot.display_name }} <span class="name">({{ bot.username }})</span>{{ bot.disabled ? ' · disabled' : '' }}</td>
                      <td data-label="Role">{{ bot.role }}</td>
                      <td data-label="Token" data-testid="token-state">
                        @if (bot.token; as token) {
                          Working, made {{ token.created_at | date: 'medium' }} by {{ token.created_by }};
                          {{ token.last_used_at ? 'last used ' + (token.last_used_at | date: 'medium') : 'never used' }}
                        } @else {
                          <strong>No working token</strong>
                        }
                      </td>
                      <td class="actions">
                        <button mat-button type="button" (click)="rotate(bot)" [attr.aria-label]="(bot.token ? 'Rotate token of ' : 'New token for ') + bot.username">
                          {{ bot.token ? 'Rotate token' : 'New token' }}
                        </button>
                        @if (bot.token) {
                          <button mat-button type="button" class="delete" (click)="revoke(bot)" [attr.aria-label]="'Revoke token of ' + bot.username">Revoke</button>
                        }
                      </td>
                    </tr>
                  }
                </tbody>
              </table>
            </div>
          }
        }
      }
    </section>
  `,
  styles: `
    :host { display: block; margin-top: 1.5rem; }
    .section { font-size: 1rem; font-weight: 500; margin: 0; }
    .hint { color: var(--mat-sys-on-surface-variant); margin: 0.25rem 0 0.75rem; }
    .error { color: var(--mat-sys-error); }
    .create { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: flex-start; margin-bottom: 1rem; max-width: 64rem; }
    .secret { padding: 0.75rem; margin-bottom: 1rem; border-radius: 0.5rem; max-width: 48rem;
      border: 1px solid var(--mat-sys-outline-variant); border-inline-start: 4px solid var(--mat-sys-primary);
      background: var(--mat-sys-surface-container-high); color: var(--mat-sys-on-surface); }
    .secret p { margin: 0 0 0.5rem; }
    .secret code { display: block; overflow-wrap: anywhere; font-size: 0.875rem; padding: 0.5rem; border-radius: 4px;
      background: var(--mat-sys-surface-container-lowest); color: var(--mat-sys-on-surface); }
    .secret-actions { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
    .name { color: var(--mat-sys-on-surface-variant); }
    .actions { white-space: nowrap; }
    .delete { color: var(--mat-sys-error); }
  `,
})
export class BotsAdminComponent implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly dialog = inject(MatDialog);
  private readonly clipboard = inject(Clipboard);
  /** A bot was created: it is an account too, so the user list shows it. */
  readonly changed = output<void>();
  readonly bots = signal<Bot[]>([]);
  readonly state = signal<'loading' | 'loaded' | 'failed'>('loading');
  /** The token just made, until the admin is done with it; never stored anywhere else. */
  readonly secret = signal<{ username: string; token: string } | null>(null);
  readonly copied = signal(false);
  readonly error = signal<string | null>(null);
  readonly busy = signal(false);
  draft = { username: '', display_name: '', role: 'staff' as Role };

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.bots.set((await firstValueFrom(this.http.get<BotListResponse>('/api/admin/bots'))).bots);
      this.state.set('loaded');
    } catch {
      this.state.set('failed');
    }
  }

  async create(form?: NgForm): Promise<void> {
    const { display_name, ...rest } = this.draft;
    const body: CreateBotRequest = display_name.trim() ? this.draft : rest;
    const made = await this.run(() => this.http.post<BotTokenResponse>('/api/admin/bots', body));
    if (!made) return;
    const role = this.draft.role;
    this.draft = { username: '', display_name: '', role };
    form?.resetForm({ username: '', display_name: '', role });
    this.changed.emit();
  }

  async rotate(bot: Bot): Promise<void> {
    if (bot.token) {
      const confirmed = await confirmAction(this.dialog, {
        title: `Rotate the token of ${bot.username}?`,
        consequences: [`The current token stops working at once and ${bot.username}'s connections close.`, 'The new token is shown once; give it to whatever runs the bot.'],
        confirm: 'Rotate token',
      });
      if (!confirmed) return;
    }
    await this.run(() => this.http.post<BotTokenResponse>(`/api/admin/bots/${encodeURIComponent(bot.username)}/token`, {}));
  }

  async revoke(bot: Bot): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Revoke the token of ${bot.username}?`,
      consequences: [`${bot.username} can no longer post or connect, and its connections close.`, 'Its account and messages stay; a new token can be made later.'],
      confirm: 'Revoke token',
    });
    if (confirmed) await this.run(() => this.http.delete<BotResponse>(`/api/admin/bots/${encodeURIComponent(bot.username)}/token`));
  }

  copy(token: string): void {
    this.copied.set(this.clipboard.copy(token));
  }

  /** A change, then the list again; a new token is shown until Done. Resolves whether it succeeded. */
  private async run(request: () => Observable<BotTokenResponse | BotResponse>): Promise<boolean> {
    this.busy.set(true);
    try {
      const answer = await firstValueFrom(request());
      this.error.set(null);
      this.copied.set(false);
      this.secret.set('token' in answer ? { username: answer.bot.username, token: answer.token } : null);
      await this.load();
      return true;
    } catch (error) {
      this.error.set(describeUserError(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}
