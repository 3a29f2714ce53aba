import { ChangeDetectionStrategy, Component, computed, effect, inject, type OnDestroy, type OnInit } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { MatButtonModule } from '@angular/material/button';
import { MatSlideToggleModule, type MatSlideToggleChange } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { ConversationIds, hasCapability } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { NOTIFIER } from '../core/tokens';
import { ChatStore } from './chat.store';
import { ComposerComponent } from './composer.component';
import { ConversationListComponent } from './conversation-list.component';
import { MessageListComponent } from './message-list.component';
import { ShownNamePipe } from './shown-name.pipe';

/** /admin/:name, /staff/:name, /client/:name: the same chat for every role, admins get links around it. */
@Component({
  selector: 'parley-chat-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [ChatStore],
  imports: [RouterLink, MatButtonModule, MatSlideToggleModule, ConversationListComponent, MessageListComponent, ComposerComponent, ShownNamePipe],
  template: `
    <header class="top">
      <h1>Parley</h1>
      <span class="me">{{ user()?.display_name }} <span class="role">{{ user()?.role }}</span></span>
      @if (isAdmin()) {
        <a mat-button [routerLink]="['/admin', user()!.username, 'roster']">Roster</a>
        <a mat-button [routerLink]="['/admin', user()!.username, 'users']">Users</a>
      }
      @if (canReadAudit()) {
        <a mat-button [routerLink]="['/admin', user()!.username, 'audit']">Audit log</a>
      }
      @if (notifierSupported) {
        <mat-slide-toggle [checked]="store.notificationsEnabled()" (change)="toggleNotifications($event)">
          Notifications
        </mat-slide-toggle>
      }
      <button mat-button type="button" (click)="signOut()">Sign out</button>
    </header>
    @if (store.reconnecting()) {
      <div class="banner" role="status">Connection lost. Reconnecting… Messages you send now go out when it is back.</div>
    } @else if (store.syncing()) {
      <div class="banner info" role="status">Catching up…</div>
    }
    @if (store.error(); as error) {
      <div class="banner" role="alert">{{ error }}</div>
    }
    <div class="layout">
      <aside>
        <parley-conversation-list [conversations]="store.conversations()" [activeId]="store.activeId()"
          [online]="store.online()" [directory]="store.directory()"
          [directoryHasMore]="store.directoryNext() !== null" [directorySearch]="store.directorySearch()"
          [conversationsHaveMore]="store.conversationsBefore() !== null"
          (opened)="store.open($event)" (started)="store.startConversation($event)"
          (searched)="store.refreshDirectory($event)" (moreRequested)="store.loadMoreDirectory()"
          (olderRequested)="store.loadOlderConversations()" />
      </aside>
      <main>
        @if (store.active(); as active) {
          <header class="conversation-head">
            <h2>{{ active.kind === 'group' ? active.name + ' group' : (active.name | shownName) }}</h2>
            @if (active.kind === 'user') {
              <span class="status">{{ store.online().has(active.name) ? 'online' : 'offline' }}</span>
            }
          </header>
          <parley-message-list class="messages" [conversation]="active" [canPost]="store.canPost()" [connected]="store.status() === 'online'"
            [emptyTitle]="active.kind === 'group' ? 'The ' + active.name + ' group' : 'Your conversation with ' + (active.name | shownName)"
            (loadOlder)="store.loadOlder(active.id)" (retry)="store.retry(active.id, $event)" />
          <div class="typing" aria-live="polite">{{ typingText() }}</div>
          <parley-composer [maxBytes]="store.maxMessageBytes()" [disabled]="!store.canPost()"
            [placeholder]="store.canPost() ? 'Write to ' + active.name : 'You can read this group but not post to it'"
            [user]="user()?.username ?? null" [conversation]="active.id"
            (sent)="store.send($event)" (typing)="store.noteTyping()" />
        } @else {
          <p class="empty">Pick a conversation.</p>
        }
      </main>
    </div>
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100dvh; }
    .top { display: flex; align-items: center; gap: 0.75rem; padding: 0.25rem 1rem; border-bottom: 1px solid var(--mat-sys-outline-variant); flex-wrap: wrap; }
    .top h1 { font-size: 1.25rem; font-weight: 500; margin: 0; }
    .me { margin-left: auto; }
    .role { font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); }
    .banner { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 0.4rem 1rem; }
    .banner.info { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .layout { flex: 1; display: grid; grid-template-columns: minmax(14rem, 20rem) 1fr; min-height: 0; }
    aside { border-right: 1px solid var(--mat-sys-outline-variant); overflow-y: auto; padding: 0.5rem; }
    main { display: flex; flex-direction: column; min-height: 0; }
    .conversation-head { display: flex; align-items: baseline; gap: 0.75rem; padding: 0 1rem; }
    .conversation-head h2 { font-size: 1.1rem; font-weight: 500; }
    .status { font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); }
    .messages { flex: 1; }
    .typing { min-height: 1.2rem; font-size: 0.8rem; padding: 0 1rem; color: var(--mat-sys-on-surface-variant); }
    .empty { padding: 2rem; color: var(--mat-sys-on-surface-variant); }
    @media (max-width: 640px) {
      .layout { grid-template-columns: 1fr; grid-template-rows: auto 1fr; }
      aside { border-right: 0; border-bottom: 1px solid var(--mat-sys-outline-variant); max-height: 30vh; }
    }
  `,
})
export class ChatPageComponent implements OnInit, OnDestroy {
  readonly store = inject(ChatStore);
  private readonly auth = inject(AuthService);
  private readonly socket = inject(SocketService);
  private readonly router = inject(Router);
  private readonly title = inject(Title);
  readonly notifierSupported = inject(NOTIFIER).supported;
  readonly user = this.auth.user;
  readonly isAdmin = computed(() => !!this.user() && hasCapability(this.user()!.role, 'watchRoster'));
  readonly canReadAudit = computed(() => !!this.user() && hasCapability(this.user()!.role, 'readAuditLog'));
  readonly typingText = computed(() => {
    const id = this.store.activeId();
    const names = (id && this.store.typing().get(id)) || [];
    if (names.length === 0) return '';
    return names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  });

  constructor() {
    effect(() => {
      const unread = this.store.unreadTotal();
      this.title.setTitle(unread > 0 ? `(${unread}) Parley` : 'Parley');
    });
    // Signed out elsewhere (logout, password reset, disabled): back to the sign-in page.
    effect(() => {
      if (!this.store.signedOut()) return;
      this.socket.disconnect();
      this.auth.forget();
      void this.router.navigateByUrl('/login');
    });
  }

  /** The switch shows what was granted, not what was clicked (the browser may refuse). */
  async toggleNotifications(event: MatSlideToggleChange): Promise<void> {
    await this.store.enableNotifications(event.checked);
    event.source.checked = this.store.notificationsEnabled();
  }

  ngOnInit(): void {
    const user = this.user();
    if (!user) return;
    this.store.start(user);
    this.store.open(ConversationIds.group(user.role));
    this.socket.connect();
  }

  ngOnDestroy(): void {
    this.socket.disconnect();
  }

  async signOut(): Promise<void> {
    this.socket.disconnect();
    await this.auth.logout();
    await this.router.navigateByUrl('/login');
  }
}
