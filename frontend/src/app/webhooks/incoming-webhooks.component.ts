import { HttpClient } from '@angular/common/http';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';
import type { BotListResponse, IncomingWebhook, IncomingWebhookCreatedResponse, IncomingWebhookListResponse } from '@parley/contract';
import { ADMIN_PAGE_STYLES } from '../core/admin-page.styles';
import { errorMessage } from '../core/auth.service';
import { confirmAction } from '../core/confirm-dialog.component';
import { CLIPBOARD } from '../core/tokens';
import { WEBHOOK_LIST_STYLES } from './webhook-list.styles';

/** The create form as typed. */
interface IncomingForm {
  bot: string;
  conversation: string;
  name: string;
}
const EMPTY_FORM: IncomingForm = { bot: '', conversation: '', name: '' };

/**
 * Incoming webhooks (README "Incoming webhooks"), a section of the Webhooks page: the hooks,
 * a form to create one (a bot from the Bots list and a conversation id), and revocation after
 * confirming. A hook's URL is shown once, right after it was created: Parley keeps only a hash.
 */
@Component({
  selector: 'parley-incoming-webhooks',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  template: `
    <section aria-labelledby="incoming-title">
      <h2 id="incoming-title" class="section">Incoming webhooks</h2>
      <p class="hint">A secret URL that posts into one conversation as one bot: <code>curl -X POST &lt;url&gt; -H 'content-type: application/json' -d '{{ '{' }}"text":"Build 42 passed"{{ '}' }}'</code></p>

      @if (created(); as shown) {
        <div class="secret" role="status" data-testid="incoming-url">
          <p>URL for {{ shown.hook.bot }} → {{ shown.hook.conversation }}. Copy it now: Parley does not show it again.</p>
          <div class="secret-row">
            <input class="secret-value" readonly [value]="shown.url" aria-label="Incoming webhook URL" (focus)="$any($event.target).select()" />
            <button mat-flat-button type="button" (click)="copy(shown.url)">Copy URL</button>
            <button mat-button type="button" (click)="created.set(null)">Done</button>
          </div>
          @if (copied(); as text) { <p class="hint">{{ text }}</p> }
        </div>
      }

      @if (loadError(); as text) {
        <p class="problem" role="alert">{{ text }} <button mat-button type="button" (click)="load()">Retry</button></p>
      }
      @if (hooks(); as list) {
        @if (list.length > 0) {
          <ul class="list" aria-label="Incoming webhooks">
            @for (hook of list; track hook.id) {
              <li class="item" data-testid="incoming-webhook">
                <div class="line">
                  <span class="url">{{ hook.name || 'Hook ' + hook.id }}</span>
                  @if (hook.revoked_at) { <span class="tag">Revoked</span> }
                </div>
                <div class="meta">Posts as {{ hook.bot }} into {{ hook.conversation }} · added by {{ hook.created_by }}, <time [attr.datetime]="hook.created_at">{{ hook.created_at | date: 'mediumDate' }}</time></div>
                <div class="meta">{{ hook.last_used_at ? 'Last used ' + (hook.last_used_at | date: 'medium') : 'Never used' }}</div>
                @if (!hook.revoked_at) {
                  <div class="actions">
                    <button mat-button type="button" class="danger" (click)="revoke(hook)" [disabled]="busy() === hook.id">Revoke</button>
                  </div>
                }
              </li>
            }
          </ul>
        } @else {
          <p class="empty" role="status">No incoming webhooks yet.</p>
        }
      } @else if (!loadError()) {
        <p class="empty" role="status">Loading incoming webhooks…</p>
      }
      @if (actionError(); as text) { <p class="problem" role="alert">{{ text }}</p> }

      <form class="form" (ngSubmit)="create()" aria-label="Create an incoming webhook" novalidate>
        <h3 class="section">Create an incoming webhook</h3>
        <div class="fields">
          <mat-form-field appearance="outline" subscriptSizing="dynamic">
            <mat-label>Posts as (bot)</mat-label>
            <select matNativeControl name="bot" [ngModel]="form().bot" (ngModelChange)="patch({ bot: $event })">
              <option value="">Choose a bot</option>
              @for (bot of bots(); track bot) { <option [value]="bot">{{ bot }}</option> }
            </select>
            <mat-hint>Make one under Users → Bots</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Conversation</mat-label>
            <input matInput name="conversation" autocomplete="off" [ngModel]="form().conversation" (ngModelChange)="patch({ conversation: $event })" />
            <mat-hint>group:staff, channel:ops or user:sam (the bot must be in a channel)</mat-hint>
          </mat-form-field>
          <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide-field">
            <mat-label>Name (optional)</mat-label>
            <input matInput name="hook-name" autocomplete="off" maxlength="100" [ngModel]="form().name" (ngModelChange)="patch({ name: $event })" />
            <mat-hint>What posts through it</mat-hint>
          </mat-form-field>
        </div>
        @if (formError(); as text) { <p class="problem" role="alert" data-testid="incoming-form-error">{{ text }}</p> }
        <button mat-flat-button type="submit" [disabled]="saving()">Create incoming webhook</button>
      </form>
    </section>
  `,
  // A section inside the Webhooks page, so none of a page's own padding.
  styles: [ADMIN_PAGE_STYLES, WEBHOOK_LIST_STYLES, ':host { padding: 0; } code { overflow-wrap: anywhere; }'],
})
export class IncomingWebhooksComponent implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly dialog = inject(MatDialog);
  private readonly clipboard = inject(CLIPBOARD);

  readonly hooks = signal<IncomingWebhook[] | null>(null);
  /** Bot names for the form; enabled or not (a disabled bot's hook works once it is enabled). */
  readonly bots = signal<string[]>([]);
  readonly loadError = signal<string | null>(null);
  readonly actionError = signal<string | null>(null);
  readonly busy = signal<number | null>(null);
  /** The hook just made and its URL; cleared by Done. */
  readonly created = signal<IncomingWebhookCreatedResponse | null>(null);
  readonly copied = signal<string | null>(null);

  readonly form = signal<IncomingForm>(EMPTY_FORM);
  readonly formError = signal<string | null>(null);
  readonly saving = signal(false);

  ngOnInit(): void {
    void this.load();
  }

  patch(change: Partial<IncomingForm>): void {
    this.form.update((form) => ({ ...form, ...change }));
  }

  async load(): Promise<void> {
    try {
      const [hooks, bots] = await Promise.all([
        firstValueFrom(this.http.get<IncomingWebhookListResponse>('/api/admin/incoming-webhooks')),
        firstValueFrom(this.http.get<BotListResponse>('/api/admin/bots')),
      ]);
      this.hooks.set(hooks.hooks);
      this.bots.set(bots.bots.map((bot) => bot.username));
      this.loadError.set(null);
    } catch (error) {
      this.loadError.set(errorMessage(error));
    }
  }

  async create(): Promise<void> {
    const { bot, conversation, name } = this.form();
    const problem = !bot ? 'Choose the bot it posts as.' : !conversation.trim() ? 'Enter the conversation, for example group:staff or channel:ops.' : null;
    this.formError.set(problem);
    if (problem || this.saving()) return;
    this.saving.set(true);
    try {
      const body = { bot, conversation: conversation.trim(), ...(name.trim() ? { name: name.trim() } : {}) };
      const answer = await firstValueFrom(this.http.post<IncomingWebhookCreatedResponse>('/api/admin/incoming-webhooks', body));
      this.copied.set(null);
      this.created.set(answer);
      this.hooks.update((list) => [answer.hook, ...(list ?? [])]);
      this.form.set(EMPTY_FORM);
    } catch (error) {
      // The typed values stay, so the admin can fix the conversation and send again.
      this.formError.set(errorMessage(error));
    } finally {
      this.saving.set(false);
    }
  }

  async revoke(hook: IncomingWebhook): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Revoke the incoming webhook ${hook.name || hook.id}?`,
      consequences: [`Its URL stops working at once: whatever posts to ${hook.conversation} through it gets 404.`, 'It cannot be restored; create a new one instead.'],
      confirm: 'Revoke webhook',
    });
    if (!confirmed) return;
    this.actionError.set(null);
    this.busy.set(hook.id);
    try {
      const revoked = await firstValueFrom(this.http.delete<IncomingWebhook>(`/api/admin/incoming-webhooks/${hook.id}`));
      this.hooks.update((list) => list?.map((item) => (item.id === revoked.id ? revoked : item)) ?? null);
    } catch (error) {
      this.actionError.set(errorMessage(error));
    } finally {
      this.busy.set(null);
    }
  }

  async copy(url: string): Promise<void> {
    this.copied.set((await this.clipboard(url)) ? 'Copied.' : 'This browser would not copy it: select the URL and copy it yourself.');
  }
}
