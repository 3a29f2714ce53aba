import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { type ChannelInfo, ConversationIds, type DirectoryEntry, withAttachmentLines } from '@parley/contract';
import { newConversation, type Conversation } from './chat.model';
import { conversationTitle, isTeamInbox, type People, personName, roleTitle } from './conversation-names';
import { ShownNamePipe } from './shown-name.pipe';

/**
 * The conversations column, in three sections as in Slack or Mattermost: groups (the role groups
 * and this user's own lines to other teams), channels (with "Browse / create"), and direct
 * messages (people, and the team conversations this user shares with their whole team, marked as
 * such). Each entry has its unread count and, apart, the mentions among them.
 */
@Component({
  selector: 'parley-conversation-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NgTemplateOutlet, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, ShownNamePipe],
  template: `
    <ng-template #entry let-conversation let-channel="channel">
      <li>
        <button type="button" class="conversation" [class.active]="conversation.id === activeId()"
          [attr.aria-current]="conversation.id === activeId() ? 'true' : null" [attr.data-conversation]="conversation.id"
          (click)="opened.emit(conversation.id)">
          <span class="name">
            @switch (conversation.kind) {
              @case ('group') {
                <span class="material-symbols-outlined" aria-hidden="true">groups</span>
              }
              @case ('channel') {
                <span class="material-symbols-outlined" aria-hidden="true">{{ channel?.visibility === 'private' ? 'lock' : 'tag' }}</span>
              }
              @case ('team') {
                <span class="material-symbols-outlined" aria-hidden="true">{{ isInbox(conversation) ? 'support_agent' : 'groups' }}</span>
              }
              @default {
                <span class="presence" [class.online]="isOnline(conversation.name)" [class.unknown]="online() === null" aria-hidden="true"></span>
              }
            }
            <span class="title">{{ titleOf(conversation) }}</span>
            @if (conversation.kind === 'user') {
              @if (titleOf(conversation) !== (conversation.name | shownName)) {
                <span class="login">{{ conversation.name }}</span>
              }
              <span class="visually-hidden">({{ presenceText(conversation.name) }})</span>
            }
            @if (channel?.visibility === 'private') {
              <span class="visually-hidden">(private channel)</span>
            }
            @if (channel?.archived) {
              <span class="tag">archived</span>
            }
            @if (isInbox(conversation)) {
              <span class="tag" [attr.title]="'Shared with the whole ' + conversation.name + ' team'">{{ teamName(conversation) }} team</span>
            }
            @if (conversation.notify === 'nothing') {
              <span class="material-symbols-outlined muted" aria-hidden="true" title="Notifications off">notifications_off</span>
              <span class="visually-hidden">(notifications off)</span>
            }
            <span class="counts">
              @if (conversation.mentions > 0) {
                <span class="mentions" data-testid="mentions-badge" [attr.aria-label]="conversation.mentions + (conversation.mentions === 1 ? ' mention' : ' mentions')">&#64;{{ conversation.mentions }}</span>
              }
              @if (conversation.unread > 0) {
                <span class="unread" [attr.aria-label]="conversation.unread + ' unread'">{{ conversation.unread }}</span>
              }
            </span>
          </span>
          <span class="last">{{ lastText(conversation) }}</span>
        </button>
      </li>
    </ng-template>

    <nav aria-label="Conversations">
      <h2 class="section" id="groups-heading">Groups</h2>
      <ul aria-labelledby="groups-heading">
        @for (conversation of groups(); track conversation.id) {
          <ng-container *ngTemplateOutlet="entry; context: { $implicit: conversation }" />
        }
      </ul>

      <div class="section-head">
        <h2 class="section" id="channels-heading">Channels</h2>
        @if (canBrowseChannels()) {
          <button mat-button type="button" class="browse" (click)="browseChannels.emit()">
            <span class="material-symbols-outlined" aria-hidden="true">add</span> Browse / create
          </button>
        }
      </div>
      @if (channelRows().length > 0) {
        <ul aria-labelledby="channels-heading">
          @for (row of channelRows(); track row.conversation.id) {
            <ng-container *ngTemplateOutlet="entry; context: { $implicit: row.conversation, channel: row.channel }" />
          }
        </ul>
      } @else if (!channelsLoaded()) {
        <p class="none" role="status">Loading channels…</p>
      } @else {
        <p class="none" data-testid="no-channels">
          {{ canBrowseChannels() ? 'No channels yet: browse or create one.' : 'No channels yet: you will see those you are invited to here.' }}
        </p>
      }

      <h2 class="section" id="direct-heading">Direct messages</h2>
      @if (direct().length === 0) {
        <p class="none">No direct messages yet: pick someone below.</p>
      }
      <ul aria-labelledby="direct-heading">
        @for (conversation of direct(); track conversation.id) {
          <ng-container *ngTemplateOutlet="entry; context: { $implicit: conversation }" />
        }
      </ul>
      @if (conversationsHaveMore()) {
        <!-- The server lists conversations in pages of 200, newest first: older ones load on request. -->
        <button mat-stroked-button type="button" class="older" (click)="olderRequested.emit()">Show older conversations</button>
      }
      @if (newPeople().length > 0 || directorySearch() !== '') {
        <!-- The directory comes in pages: a search asks the server, "More people" loads the next page. -->
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="new find">
          <mat-label>Find people</mat-label>
          <input matInput type="search" name="find" [value]="directorySearch()" (input)="searched.emit(valueOf($event))" />
        </mat-form-field>
      }
      @if (newPeople().length > 0) {
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="new">
          <mat-label>New direct message</mat-label>
          <mat-select (selectionChange)="started.emit($event.value)" [value]="null">
            @for (person of newPeople(); track person.username) {
              <mat-option [value]="person.username">
                {{ person.display_name }} ({{ person.username }}, {{ person.role }}){{ isOnline(person.username) ? ' · online' : '' }}
              </mat-option>
            }
          </mat-select>
        </mat-form-field>
      }
      @if (directoryHasMore()) {
        <button mat-button type="button" class="more" (click)="moreRequested.emit()">More people</button>
      }
    </nav>
  `,
  styles: `
    ul { list-style: none; margin: 0; padding: 0; }
    .section { font-size: 0.75rem; font-weight: 500; letter-spacing: 0.05em; text-transform: uppercase; margin: 0.75rem 0.75rem 0.25rem;
      color: var(--mat-sys-on-surface-variant); }
    nav > .section:first-child { margin-top: 0.25rem; }
    .section-head { display: flex; align-items: center; justify-content: space-between; gap: 0.25rem; }
    .section-head .section { margin-bottom: 0.25rem; }
    .browse { font-size: 0.8rem; }
    .browse .material-symbols-outlined { font-size: 18px; vertical-align: middle; }
    .none { margin: 0.25rem 0.75rem; font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); }
    .conversation { width: 100%; text-align: left; border: 0; background: none; padding: 0.6rem 0.75rem;
      border-radius: 8px; cursor: pointer; display: flex; flex-direction: column; gap: 0.15rem; font: inherit; color: inherit; }
    .conversation:hover, .conversation:focus-visible { background: var(--mat-sys-surface-container-high); }
    .conversation.active { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .name { display: flex; align-items: center; gap: 0.4rem; font-weight: 500; min-width: 0; }
    .name .material-symbols-outlined { font-size: 18px; }
    .muted { color: var(--mat-sys-on-surface-variant); }
    .title { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .login { font-weight: 400; font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); }
    .tag { font-weight: 400; font-size: 0.7rem; padding: 0 0.4rem; border-radius: 999px; white-space: nowrap;
      background: var(--mat-sys-surface-container-highest); color: var(--mat-sys-on-surface-variant); }
    .last { font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .counts { margin-left: auto; display: flex; gap: 0.25rem; }
    .unread, .mentions { border-radius: 999px; min-width: 1.4rem; padding: 0 0.4rem; font-size: 0.8rem; text-align: center; }
    .unread { background: var(--mat-sys-primary); color: var(--mat-sys-on-primary); }
    .mentions { background: var(--mat-sys-error); color: var(--mat-sys-on-error); }
    .presence { width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--mat-sys-outline); display: inline-block; flex: none; }
    .presence.online { background: var(--mat-sys-tertiary); }
    /* Disconnected: a hollow dot, neither online nor offline. */
    .presence.unknown { background: none; box-shadow: inset 0 0 0 1px var(--mat-sys-outline); }
    .new { width: 100%; margin-top: 0.75rem; }
    .more { margin-top: 0.25rem; }
    .older { width: 100%; margin-top: 0.5rem; white-space: normal; }
  `,
})
export class ConversationListComponent {
  readonly conversations = input.required<Conversation[]>();
  readonly activeId = input<string | null>(null);
  /** Who is online, or null while disconnected (presence unknown: no one shows as online). */
  readonly online = input<ReadonlySet<string> | null>(new Set());
  /** Display names and roles by login name (conversation-names.ts). */
  readonly people = input<People>(new Map());
  /** The viewer's user name: their own team lines are named after the team. */
  readonly me = input<string | null>(null);
  /** The channels the viewer is in (ChannelsStore). */
  readonly channels = input<ChannelInfo[]>([]);
  /** The channel list is known; before that, no channels means "loading". */
  readonly channelsLoaded = input(true);
  /** Whether "Browse / create" is offered (the role may join or create channels). */
  readonly canBrowseChannels = input(false);
  readonly directory = input<DirectoryEntry[]>([]);
  /** More directory pages wait on the server. */
  readonly directoryHasMore = input(false);
  readonly directorySearch = input('');
  /** Older conversations wait on the server. */
  readonly conversationsHaveMore = input(false);
  readonly opened = output<string>();
  readonly started = output<string>();
  /** The text in "Find people", as typed. */
  readonly searched = output<string>();
  readonly moreRequested = output<void>();
  /** "Show older conversations": the next page of the list. */
  readonly olderRequested = output<void>();
  readonly browseChannels = output<void>();

  readonly groups = computed(() => this.conversations().filter((c) => c.kind === 'group' || (c.kind === 'team' && !this.isInbox(c))));
  readonly direct = computed(() => this.conversations().filter((c) => c.kind === 'user' || this.isInbox(c)));
  /** Each channel with its conversation (messages, counts), in name order. */
  readonly channelRows = computed(() => {
    const held = new Map(this.conversations().map((c) => [c.id, c]));
    return this.channels().map((channel) => ({ channel, conversation: held.get(channel.conversation) ?? newConversation(channel.conversation) }));
  });
  /** People without a conversation yet, for the picker. */
  readonly newPeople = computed(() => {
    const open = new Set(this.conversations().map((c) => c.id));
    return this.directory().filter((p) => !open.has(ConversationIds.user(p.username)));
  });

  titleOf(conversation: Conversation): string {
    return conversationTitle(conversation, this.people(), this.me());
  }

  isInbox(conversation: Conversation): boolean {
    return isTeamInbox(conversation, this.me());
  }

  teamName(conversation: Conversation): string {
    return roleTitle(conversation.name);
  }

  isOnline(username: string): boolean {
    return this.online()?.has(username) ?? false;
  }

  presenceText(username: string): string {
    const online = this.online();
    return online === null ? 'status unknown' : online.has(username) ? 'online' : 'offline';
  }

  valueOf(event: Event): string {
    return (event.target as HTMLInputElement).value.trim();
  }

  lastText(conversation: Conversation): string {
    const last = conversation.messages.at(-1);
    if (!last) return 'No messages yet';
    return `${last.mine ? 'You' : personName(last.senderName, this.people())}: ${last.deleted ? 'Message deleted' : withAttachmentLines(last.text, last.attachments ?? [])}`;
  }
}
