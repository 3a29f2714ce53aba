import { ChangeDetectionStrategy, Component, computed, inject, signal, type OnInit } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { MatAutocompleteModule, type MatAutocompleteSelectedEvent } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatRadioModule } from '@angular/material/radio';
import { CHANNEL_NAME_RULE, CHANNEL_TOPIC_MAX, type ChannelInfo, type ChannelVisibility, type DirectoryEntry, isChannelName } from '@parley/contract';
import { ChannelsStore } from './channels.store';

export interface ChannelBrowserData {
  /** Whom the create form may invite: the directory (only people this user may see). */
  people: DirectoryEntry[];
}

/** What the dialog closes with: the channel to open, if one was joined, created or picked. */
export type ChannelBrowserResult = { open: string } | undefined;

/** A name the server would take: trimmed and lower-cased first, as the server does. */
function channelNameValidator(control: AbstractControl<string>): ValidationErrors | null {
  const name = (control.value ?? '').trim().toLowerCase();
  return name === '' || isChannelName(name) ? null : { channelName: true };
}

/**
 * "Browse / create": the channels this user may see (theirs, and public ones to join, for
 * roles allowed to join), and, for roles allowed to create channels, a form for a new one.
 */
@Component({
  selector: 'parley-channel-browser',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatAutocompleteModule,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatRadioModule,
  ],
  template: `
    <h2 mat-dialog-title>Channels</h2>
    <mat-dialog-content>
      <section aria-labelledby="browse-heading">
        <h3 id="browse-heading">{{ store.canBrowse() ? 'Find a channel' : 'Your channels' }}</h3>
        @switch (state()) {
          @case ('loading') {
            <p class="quiet" role="status">Loading channels…</p>
          }
          @case ('error') {
            <p class="error" role="alert">Could not load the channels: {{ loadError() }}</p>
            <button mat-button type="button" (click)="load()">Try again</button>
          }
          @default {
            @if (listed().length === 0) {
              <p class="quiet" data-testid="no-channels-found">
                {{ store.canBrowse() ? 'There are no channels yet.' : 'You are in no channels yet; someone has to invite you.' }}
              </p>
            } @else {
              <ul class="channels" aria-labelledby="browse-heading">
                @for (channel of listed(); track channel.conversation) {
                  <li [attr.data-channel]="channel.name">
                    <span class="material-symbols-outlined" aria-hidden="true">{{ channel.visibility === 'private' ? 'lock' : 'tag' }}</span>
                    <div class="about">
                      <span class="name">#{{ channel.name }}
                        @if (channel.visibility === 'private') { <span class="visually-hidden">(private)</span> }
                        @if (channel.archived) { <span class="tag">archived</span> }
                      </span>
                      <span class="quiet">{{ channel.member_count }} {{ channel.member_count === 1 ? 'member' : 'members' }}{{ channel.topic ? ' · ' + channel.topic : '' }}</span>
                    </div>
                    @if (channel.member) {
                      <button mat-stroked-button type="button" (click)="close(channel.conversation)" [attr.aria-label]="'Open #' + channel.name">Open</button>
                    } @else if (store.canBrowse() && !channel.archived) {
                      <button mat-flat-button type="button" [disabled]="busy()" (click)="join(channel)" [attr.aria-label]="'Join #' + channel.name">Join</button>
                    }
                  </li>
                }
              </ul>
            }
          }
        }
        @if (joinError(); as error) {
          <p class="error" role="alert">{{ error }}</p>
        }
      </section>

      @if (store.canCreate()) {
        <section aria-labelledby="create-heading">
          <h3 id="create-heading">Create a channel</h3>
          <form class="create" [formGroup]="form" (ngSubmit)="create()">
            <!-- The label stays up: the '#' before the name would otherwise run into it. -->
            <mat-form-field appearance="outline" floatLabel="always" subscriptSizing="dynamic">
              <mat-label>Name</mat-label>
              <span matTextPrefix>#&nbsp;</span>
              <input matInput formControlName="name" maxlength="64" autocomplete="off" required />
              <mat-hint>Lower-case letters, digits, - and _; not a role name.</mat-hint>
              <mat-error>The name {{ nameRule }}.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Topic (optional)</mat-label>
              <input matInput formControlName="topic" [maxlength]="topicMax" autocomplete="off" />
              <mat-hint align="end">{{ form.controls.topic.value.length }} / {{ topicMax }}</mat-hint>
            </mat-form-field>
            <mat-radio-group formControlName="visibility" aria-label="Who may find it" class="visibility">
              <mat-radio-button value="public">Public: anyone allowed may find and join it</mat-radio-button>
              <mat-radio-button value="private">Private: invited people only</mat-radio-button>
            </mat-radio-group>
            <mat-form-field appearance="outline">
              <mat-label>Invite people</mat-label>
              <input #inviteInput matInput placeholder="Name…" autocomplete="off" [matAutocomplete]="inviteAuto"
                [value]="inviteSearch()" (input)="inviteSearch.set(inviteInput.value)" />
              <mat-autocomplete #inviteAuto="matAutocomplete" (optionSelected)="invite($event); inviteInput.value = ''">
                @for (person of invitable(); track person.username) {
                  <mat-option [value]="person.username">{{ person.display_name }} ({{ person.username }}, {{ person.role }})</mat-option>
                }
              </mat-autocomplete>
            </mat-form-field>
            @if (invitees().length > 0) {
              <ul class="invited" aria-label="People invited">
                @for (person of invitees(); track person.username) {
                  <li [attr.data-invited]="person.username">
                    {{ person.display_name }}
                    <button mat-icon-button type="button" (click)="uninvite(person.username)" [attr.aria-label]="'Do not invite ' + person.display_name">
                      <span class="material-symbols-outlined" aria-hidden="true">close</span>
                    </button>
                  </li>
                }
              </ul>
            }
            @if (createError(); as error) {
              <p class="error" role="alert">{{ error }}</p>
            }
            <button mat-flat-button type="submit" [disabled]="busy()">Create channel</button>
          </form>
        </section>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    h3 { font-size: 1rem; font-weight: 500; margin: 0.5rem 0; color: var(--mat-sys-on-surface); }
    .channels { list-style: none; margin: 0; padding: 0; }
    .channels li { display: flex; align-items: center; gap: 0.75rem; padding: 0.4rem 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .about { flex: 1; min-width: 0; display: flex; flex-direction: column; }
    .name { font-weight: 500; color: var(--mat-sys-on-surface); }
    .quiet { color: var(--mat-sys-on-surface-variant); font-size: 0.875rem; overflow-wrap: anywhere; }
    .tag { font-size: 0.7rem; font-weight: 400; padding: 0 0.4rem; border-radius: 999px; background: var(--mat-sys-surface-container-highest); }
    .error { color: var(--mat-sys-error); }
    .create { display: flex; flex-direction: column; gap: 0.5rem; }
    .visibility { display: flex; flex-direction: column; margin-bottom: 0.5rem; }
    .create button[type='submit'] { align-self: flex-start; }
    .invited { list-style: none; margin: -0.25rem 0 0.5rem; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem; }
    .invited li { display: flex; align-items: center; padding-left: 0.75rem; border-radius: 999px; color: var(--mat-sys-on-secondary-container);
      background: var(--mat-sys-secondary-container); }
  `,
})
export class ChannelBrowserDialogComponent implements OnInit {
  readonly store = inject(ChannelsStore);
  private readonly data = inject<ChannelBrowserData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<ChannelBrowserDialogComponent, ChannelBrowserResult>>(MatDialogRef);
  readonly nameRule = CHANNEL_NAME_RULE;
  readonly topicMax = CHANNEL_TOPIC_MAX;
  readonly state = signal<'loading' | 'error' | 'ready'>('loading');
  readonly loadError = signal('');
  readonly listed = signal<ChannelInfo[]>([]);
  readonly busy = signal(false);
  readonly joinError = signal<string | null>(null);
  readonly createError = signal<string | null>(null);
  readonly inviteSearch = signal('');
  readonly invitees = signal<DirectoryEntry[]>([]);
  readonly invitable = computed(() => {
    const search = this.inviteSearch().trim().toLowerCase();
    const chosen = new Set(this.invitees().map((person) => person.username));
    return this.data.people
      .filter((person) => !chosen.has(person.username))
      .filter((person) => search === '' || person.username.includes(search) || person.display_name.toLowerCase().includes(search))
      .slice(0, 20);
  });
  readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, channelNameValidator] }),
    topic: new FormControl('', { nonNullable: true, validators: [Validators.maxLength(CHANNEL_TOPIC_MAX)] }),
    visibility: new FormControl<ChannelVisibility>('public', { nonNullable: true }),
  });

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.state.set('loading');
    try {
      this.listed.set(await this.store.list());
      this.state.set('ready');
    } catch (error) {
      this.loadError.set(error instanceof Error ? error.message : String(error));
      this.state.set('error');
    }
  }

  async join(channel: ChannelInfo): Promise<void> {
    this.busy.set(true);
    this.joinError.set(null);
    try {
      await this.store.join(channel.name);
      this.close(channel.conversation);
    } catch (error) {
      this.joinError.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.busy.set(false);
    }
  }

  invite(event: MatAutocompleteSelectedEvent): void {
    const person = this.data.people.find((p) => p.username === event.option.value);
    if (person) this.invitees.update((list) => [...list, person]);
    this.inviteSearch.set('');
  }

  uninvite(username: string): void {
    this.invitees.update((list) => list.filter((person) => person.username !== username));
  }

  async create(): Promise<void> {
    this.form.markAllAsTouched();
    if (this.form.invalid) return;
    const { name, topic, visibility } = this.form.getRawValue();
    this.busy.set(true);
    this.createError.set(null);
    try {
      const members = this.invitees().map((person) => person.username);
      const channel = await this.store.create({
        name: name.trim().toLowerCase(),
        visibility,
        ...(topic.trim() ? { topic: topic.trim() } : {}),
        ...(members.length > 0 ? { members } : {}),
      });
      this.close(channel.conversation);
    } catch (error) {
      this.createError.set(error instanceof Error ? error.message : String(error));
    } finally {
      this.busy.set(false);
    }
  }

  close(open: string): void {
    this.ref.close({ open });
  }
}
