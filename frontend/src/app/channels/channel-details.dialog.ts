import { ChangeDetectionStrategy, Component, computed, inject, signal, type OnInit } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { MatAutocompleteModule, type MatAutocompleteSelectedEvent } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { CHANNEL_NAME_RULE, CHANNEL_TOPIC_MAX, type ChannelMember, type DirectoryEntry, isChannelName } from '@parley/contract';
import { confirmAction } from '../core/confirm-dialog.component';
import { ChatStore } from '../chat/chat.store';
import { ChannelsStore } from './channels.store';

export interface ChannelDetailsData {
  /** 'channel:<name>'. */
  conversation: string;
  /** Whom a manager may add: the directory. */
  people: DirectoryEntry[];
}

function channelNameValidator(control: AbstractControl<string>): ValidationErrors | null {
  return isChannelName((control.value ?? '').trim().toLowerCase()) ? null : { channelName: true };
}

/**
 * A channel's details: its topic and size, its members with presence, Leave, and adding
 * someone (members who are not clients); for those who manage it (ChannelInfo.manageable)
 * rename, topic, archive and removing members too. Reads
 * the channel from ChannelsStore, so a change made elsewhere (channel_updated) shows at once.
 */
@Component({
  selector: 'parley-channel-details',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatAutocompleteModule, MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule],
  template: `
    @if (channel(); as channel) {
      <h2 mat-dialog-title>
        <span class="material-symbols-outlined" aria-hidden="true">{{ channel.visibility === 'private' ? 'lock' : 'tag' }}</span>
        {{ channel.name }}
        @if (channel.visibility === 'private') { <span class="visually-hidden">(private)</span> }
      </h2>
      <mat-dialog-content>
        <p class="quiet">
          {{ channel.visibility === 'private' ? 'Private channel' : 'Public channel' }} · {{ channel.member_count }}
          {{ channel.member_count === 1 ? 'member' : 'members' }}{{ channel.created_by ? ' · created by ' + channel.created_by : '' }}
        </p>
        @if (channel.archived) {
          <p class="note" role="note">Archived: its messages can be read, and nobody can post or join.</p>
        }
        @if (channel.manageable) {
          <form class="settings" [formGroup]="form" (ngSubmit)="save()" aria-label="Channel settings">
            <!-- The label stays up: the '#' before the name would otherwise run into it. -->
            <mat-form-field appearance="outline" floatLabel="always" subscriptSizing="dynamic">
              <mat-label>Name</mat-label>
              <span matTextPrefix>#&nbsp;</span>
              <input matInput formControlName="name" maxlength="64" autocomplete="off" required />
              <mat-error>The name {{ nameRule }}.</mat-error>
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Topic</mat-label>
              <input matInput formControlName="topic" [maxlength]="topicMax" autocomplete="off" />
            </mat-form-field>
            <div class="buttons">
              <button mat-flat-button type="submit" [disabled]="busy() || form.pristine">Save</button>
              <button mat-stroked-button type="button" [disabled]="busy()" (click)="setArchived(!channel.archived)">
                {{ channel.archived ? 'Unarchive' : 'Archive' }}
              </button>
            </div>
          </form>
        } @else {
          <p>{{ channel.topic || 'No topic.' }}</p>
        }

        <h3 id="members-heading">Members</h3>
        @switch (state()) {
          @case ('loading') {
            <p class="quiet" role="status">Loading members…</p>
          }
          @case ('error') {
            <p class="error" role="alert">Could not load the members: {{ loadError() }}</p>
            <button mat-button type="button" (click)="load()">Try again</button>
          }
          @default {
            @if (members().length === 0) {
              <p class="quiet">No members you can see.</p>
            } @else {
              <ul class="members" aria-labelledby="members-heading">
                @for (member of members(); track member.username) {
                  <li [attr.data-member]="member.username">
                    <span class="presence" [class.online]="isOnline(member)" aria-hidden="true"></span>
                    <span class="who">{{ member.display_name }} <span class="quiet">{{ member.username }} · {{ member.role }}</span></span>
                    <span class="visually-hidden">({{ isOnline(member) ? 'online' : 'offline' }})</span>
                    @if (member.username === me()) {
                      <span class="quiet">you</span>
                    } @else if (channel.manageable) {
                      <button mat-button type="button" [disabled]="busy()" (click)="remove(member)" [attr.aria-label]="'Remove ' + member.display_name">Remove</button>
                    }
                  </li>
                }
              </ul>
            }
          }
        }
        @if (canInvite()) {
          <mat-form-field appearance="outline" class="add">
            <mat-label>Add someone</mat-label>
            <input #addInput matInput [matAutocomplete]="addAuto" [value]="addSearch()" (input)="addSearch.set(addInput.value)" />
            <mat-autocomplete #addAuto="matAutocomplete" (optionSelected)="add($event); addInput.value = ''">
              @for (person of addable(); track person.username) {
                <mat-option [value]="person.username">{{ person.display_name }} ({{ person.username }}, {{ person.role }})</mat-option>
              }
            </mat-autocomplete>
          </mat-form-field>
        }
        @if (actionError(); as error) {
          <p class="error" role="alert">{{ error }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" class="leave" [disabled]="busy()" (click)="leave()">Leave channel</button>
        <button mat-button type="button" mat-dialog-close>Close</button>
      </mat-dialog-actions>
    } @else {
      <h2 mat-dialog-title>Channel</h2>
      <mat-dialog-content><p>You are no longer in this channel.</p></mat-dialog-content>
      <mat-dialog-actions align="end"><button mat-button type="button" mat-dialog-close>Close</button></mat-dialog-actions>
    }
  `,
  styles: `
    h2 { display: flex; align-items: center; gap: 0.25rem; }
    h3 { font-size: 1rem; font-weight: 500; margin: 1rem 0 0.25rem; color: var(--mat-sys-on-surface); }
    .quiet { color: var(--mat-sys-on-surface-variant); font-size: 0.875rem; }
    .note { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); padding: 0.5rem 0.75rem; border-radius: 8px; }
    .error { color: var(--mat-sys-error); }
    .settings { display: flex; flex-direction: column; gap: 0.25rem; }
    .buttons { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .members { list-style: none; margin: 0; padding: 0; }
    .members li { display: flex; align-items: center; gap: 0.5rem; min-height: 2.5rem; }
    .who { flex: 1; min-width: 0; color: var(--mat-sys-on-surface); }
    .presence { width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--mat-sys-outline); flex: none; }
    .presence.online { background: var(--mat-sys-tertiary); }
    .add { width: 100%; margin-top: 0.5rem; }
    .leave { margin-right: auto; color: var(--mat-sys-error); }
  `,
})
export class ChannelDetailsDialogComponent implements OnInit {
  private readonly store = inject(ChannelsStore);
  private readonly chat = inject(ChatStore);
  private readonly dialog = inject(MatDialog);
  private readonly data = inject<ChannelDetailsData>(MAT_DIALOG_DATA);
  private readonly ref = inject(MatDialogRef);
  readonly nameRule = CHANNEL_NAME_RULE;
  readonly topicMax = CHANNEL_TOPIC_MAX;
  /** The channel as it is now; null once this user is no longer in it. */
  readonly channel = computed(() => this.store.channels().find((c) => c.conversation === this.conversation()) ?? null);
  /** Follows a rename made while the dialog is open. */
  private readonly conversation = signal(this.data.conversation);
  readonly me = computed(() => this.chat.me()?.username ?? null);
  /** Members other than clients may add people (the server checks whom they may reach). */
  readonly canInvite = computed(() => !!this.channel() && !this.channel()!.archived && this.chat.me()?.role !== 'client');
  readonly state = signal<'loading' | 'error' | 'ready'>('loading');
  readonly loadError = signal('');
  readonly members = signal<ChannelMember[]>([]);
  readonly busy = signal(false);
  readonly actionError = signal<string | null>(null);
  readonly addSearch = signal('');
  readonly addable = computed(() => {
    const search = this.addSearch().trim().toLowerCase();
    const members = new Set(this.members().map((m) => m.username));
    return this.data.people
      .filter((person) => !members.has(person.username))
      .filter((person) => search === '' || person.username.includes(search) || person.display_name.toLowerCase().includes(search))
      .slice(0, 20);
  });
  readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, channelNameValidator] }),
    topic: new FormControl('', { nonNullable: true, validators: [Validators.maxLength(CHANNEL_TOPIC_MAX)] }),
  });

  ngOnInit(): void {
    const channel = this.channel();
    if (channel) this.form.reset({ name: channel.name, topic: channel.topic });
    void this.load();
  }

  isOnline(member: ChannelMember): boolean {
    return this.chat.presence()?.has(member.username) ?? member.online;
  }

  async load(): Promise<void> {
    const channel = this.channel();
    if (!channel) return;
    this.state.set('loading');
    try {
      this.members.set(await this.store.members(channel.name));
      this.state.set('ready');
    } catch (error) {
      this.loadError.set(messageOf(error));
      this.state.set('error');
    }
  }

  async save(): Promise<void> {
    const channel = this.channel();
    this.form.markAllAsTouched();
    if (!channel || this.form.invalid) return;
    const name = this.form.controls.name.value.trim().toLowerCase();
    const topic = this.form.controls.topic.value.trim();
    const change = { ...(name !== channel.name ? { name } : {}), ...(topic !== channel.topic ? { topic } : {}) };
    if (Object.keys(change).length === 0) return;
    await this.act(async () => {
      await this.store.update(channel.name, change);
      this.conversation.set(`channel:${name}`);
      this.form.markAsPristine();
    });
  }

  async setArchived(archived: boolean): Promise<void> {
    const channel = this.channel();
    if (!channel) return;
    if (archived) {
      const sure = await confirmAction(this.dialog, {
        title: `Archive #${channel.name}?`,
        consequences: ['Its members can still read it, but nobody can post in it or join it.', 'You can unarchive it later.'],
        confirm: `Archive #${channel.name}`,
      });
      if (!sure) return;
    }
    await this.act(() => this.store.update(channel.name, { archived }));
  }

  async add(event: MatAutocompleteSelectedEvent): Promise<void> {
    const channel = this.channel();
    this.addSearch.set('');
    if (!channel) return;
    await this.act(async () => {
      await this.store.addMember(channel.name, event.option.value as string);
      await this.load();
    });
  }

  async remove(member: ChannelMember): Promise<void> {
    const channel = this.channel();
    if (!channel) return;
    await this.act(async () => {
      await this.store.removeMember(channel.name, member.username);
      this.members.update((members) => members.filter((m) => m.username !== member.username));
    });
  }

  async leave(): Promise<void> {
    const channel = this.channel();
    if (!channel) return;
    const sure = await confirmAction(this.dialog, {
      title: `Leave #${channel.name}?`,
      consequences: [
        channel.visibility === 'private' ? 'It is private: only someone in it can add you back.' : 'You can join it again from "Browse / create".',
      ],
      confirm: `Leave #${channel.name}`,
    });
    if (!sure) return;
    await this.act(async () => {
      await this.store.leave(channel.name);
      this.ref.close();
    });
  }

  private async act(action: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.actionError.set(null);
    try {
      await action();
    } catch (error) {
      this.actionError.set(messageOf(error));
    } finally {
      this.busy.set(false);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
