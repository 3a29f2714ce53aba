import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatBadgeModule } from '@angular/material/badge';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { ConversationIds, type DirectoryEntry, shownName } from '@parley/contract';
import type { Conversation } from './chat.model';
import { conversationTitle } from './conversation-names';
import { ShownNamePipe } from './shown-name.pipe';

/** The conversations column: groups first, then direct conversations, each with unread count. */
@Component({
  selector: 'parley-conversation-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatBadgeModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, ShownNamePipe],
  template: `
    <nav aria-label="Conversations">
      <ul>
        @for (conversation of conversations(); track conversation.id) {
          <li>
            <button
              type="button"
              class="conversation"
              [class.active]="conversation.id === activeId()"
              [attr.aria-current]="conversation.id === activeId() ? 'true' : null"
              [attr.data-conversation]="conversation.id"
              (click)="opened.emit(conversation.id)"
            >
              <span class="name">
                @if (conversation.kind === 'group') {
                  <span class="material-symbols-outlined" aria-hidden="true">groups</span> <span class="title">{{ titleOf(conversation) }}</span>
                } @else {
                  <span class="presence" [class.online]="isOnline(conversation.name)" [class.unknown]="online() === null" aria-hidden="true"></span>
                  <span class="title">{{ titleOf(conversation) }}</span>
                  @if (titleOf(conversation) !== (conversation.name | shownName)) {
                    <span class="login">{{ conversation.name }}</span>
                  }
                  <span class="visually-hidden">({{ presenceText(conversation.name) }})</span>
                }
                @if (conversation.unread > 0) {
                  <span class="unread" [attr.aria-label]="conversation.unread + ' unread'">{{ conversation.unread }}</span>
                }
              </span>
              <span class="last">{{ lastText(conversation) }}</span>
            </button>
          </li>
        }
      </ul>
      @if (conversationsHaveMore()) {
        <!-- The server lists conversations in pages of 200, newest first: older ones load on request. -->
        <button mat-stroked-button type="button" class="older" (click)="olderRequested.emit()">Show older conversations</button>
      }
      @if (people().length > 0 || directorySearch() !== '') {
        <!-- The directory comes in pages: a search asks the server, "More people" loads the next page. -->
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="new find">
          <mat-label>Find people</mat-label>
          <input matInput type="search" name="find" [value]="directorySearch()" (input)="searched.emit(valueOf($event))" />
        </mat-form-field>
      }
      @if (people().length > 0) {
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="new">
          <mat-label>New direct message</mat-label>
          <mat-select (selectionChange)="started.emit($event.value)" [value]="null">
            @for (person of people(); track person.username) {
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
    .conversation { width: 100%; text-align: left; border: 0; background: none; padding: 0.6rem 0.75rem;
      border-radius: 8px; cursor: pointer; display: flex; flex-direction: column; gap: 0.15rem; font: inherit; color: inherit; }
    .conversation:hover, .conversation:focus-visible { background: var(--mat-sys-surface-container-high); }
    .conversation.active { background: var(--mat-sys-secondary-container); }
    .name { display: flex; align-items: center; gap: 0.4rem; font-weight: 500; }
    .name .material-symbols-outlined { font-size: 18px; }
    .title { min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .login { font-weight: 400; font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); }
    .last { font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .unread { margin-left: auto; background: var(--mat-sys-primary); color: var(--mat-sys-on-primary);
      border-radius: 999px; min-width: 1.4rem; padding: 0 0.4rem; font-size: 0.8rem; text-align: center; }
    .presence { width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--mat-sys-outline); display: inline-block; }
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
  /** Display names by login name (conversation-names.ts). */
  readonly names = input<ReadonlyMap<string, string>>(new Map());
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

  /** People without a conversation yet, for the picker. */
  readonly people = computed(() => {
    const open = new Set(this.conversations().map((c) => c.id));
    return this.directory().filter((p) => !open.has(ConversationIds.user(p.username)));
  });

  titleOf(conversation: Conversation): string {
    return conversationTitle(conversation, this.names());
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
    return last ? `${last.mine ? 'You' : (this.names().get(last.senderName) ?? shownName(last.senderName))}: ${last.text}` : 'No messages yet';
  }
}
