import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  linkedSignal,
  signal,
  type OnDestroy,
  type OnInit,
} from '@angular/core';
import { BreakpointObserver } from '@angular/cdk/layout';
import { toSignal } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { MatButtonModule } from '@angular/material/button';
import { MatMenuModule } from '@angular/material/menu';
import { MatSlideToggleModule, type MatSlideToggleChange } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import { ConversationIds, type DirectoryEntry, hasCapability } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { ThemeButtonComponent, ThemeMenuComponent } from '../core/theme-menu.component';
import { NOTIFIER } from '../core/tokens';
import { ChatStore } from './chat.store';
import { ComposerComponent } from './composer.component';
import { ConversationListComponent } from './conversation-list.component';
import { conversationTitle } from './conversation-names';
import { MessageListComponent } from './message-list.component';
import { ShownNamePipe } from './shown-name.pipe';

/** Phone width: one column at a time and a menu instead of the header's links. */
const PHONE_QUERY = '(max-width: 640px)';

/** /admin/:name, /staff/:name, /client/:name: the same chat for every role, admins get links around it. */
@Component({
  selector: 'parley-chat-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [ChatStore],
  imports: [
    RouterLink,
    MatButtonModule,
    MatMenuModule,
    MatSlideToggleModule,
    ThemeButtonComponent,
    ThemeMenuComponent,
    ConversationListComponent,
    MessageListComponent,
    ComposerComponent,
    ShownNamePipe,
  ],
  template: `
    <header class="top">
      <h1>Parley</h1>
      <span class="me wide">{{ user()?.display_name }} <span class="role">{{ user()?.role }}</span></span>
      <!-- Wide screens show the pages and switches in the header; phones get one menu (the CSS picks). -->
      <div class="wide actions">
        @if (isAdmin()) {
          <a mat-button [routerLink]="['/admin', user()!.username, 'roster']">Roster</a>
          <a mat-button [routerLink]="['/admin', user()!.username, 'users']">Users</a>
        }
        @if (canReadAudit()) {
          <a mat-button [routerLink]="['/admin', user()!.username, 'audit']">Audit log</a>
        }
        @if (canAnnounce()) {
          <a mat-button [routerLink]="['/admin', user()!.username, 'announcements']">Announcements</a>
        }
        @if (notifierSupported) {
          <mat-slide-toggle [checked]="store.notificationsEnabled()" (change)="toggleNotifications($event)">
            Notifications
          </mat-slide-toggle>
        }
        <parley-theme-button />
        <button mat-button type="button" (click)="signOut()">Sign out</button>
      </div>
      <button mat-icon-button type="button" class="narrow" [matMenuTriggerFor]="pageMenu" aria-label="Menu">
        <span class="material-symbols-outlined" aria-hidden="true">menu</span>
      </button>
      <mat-menu #pageMenu="matMenu" aria-label="Menu">
        @if (isAdmin()) {
          <a mat-menu-item [routerLink]="['/admin', user()!.username, 'roster']">Roster</a>
          <a mat-menu-item [routerLink]="['/admin', user()!.username, 'users']">Users</a>
        }
        @if (canReadAudit()) {
          <a mat-menu-item [routerLink]="['/admin', user()!.username, 'audit']">Audit log</a>
        }
        @if (canAnnounce()) {
          <a mat-menu-item [routerLink]="['/admin', user()!.username, 'announcements']">Announcements</a>
        }
        @if (notifierSupported) {
          <button mat-menu-item type="button" role="menuitemcheckbox" [attr.aria-checked]="store.notificationsEnabled()"
            (click)="setNotifications(!store.notificationsEnabled())">
            Notifications: {{ store.notificationsEnabled() ? 'on' : 'off' }}
          </button>
        }
        <button mat-menu-item type="button" [matMenuTriggerFor]="themeMenu.menu()">Theme</button>
        <button mat-menu-item type="button" (click)="signOut()">Sign out {{ user()?.display_name }}</button>
      </mat-menu>
      <parley-theme-menu #themeMenu="parleyThemeMenu" />
    </header>
    <main class="body">
      @if (store.reconnecting()) {
        <div class="banner" role="status">Connection lost. Reconnecting… Messages you send now go out when it is back.</div>
      } @else if (store.syncing()) {
        <div class="banner info" role="status">Catching up…</div>
      }
      @if (store.error(); as error) {
        <div class="banner" role="alert">{{ error }}</div>
      }
      <!-- On a phone one column shows at a time: the list, or (after picking) the conversation. -->
      <div class="layout">
        @if (showList()) {
          <div class="list">
            <parley-conversation-list [conversations]="store.conversations()" [activeId]="store.activeId()"
              [online]="store.presence()" [names]="names()" [directory]="store.directory()"
              [directoryHasMore]="store.directoryNext() !== null" [directorySearch]="store.directorySearch()"
              [conversationsHaveMore]="store.conversationsBefore() !== null"
              (opened)="openConversation($event)" (started)="startConversation($event)"
              (searched)="store.refreshDirectory($event)" (moreRequested)="store.loadMoreDirectory()"
              (olderRequested)="store.loadOlderConversations()" />
          </div>
        }
        @if (showPane()) {
          <section class="pane" [attr.aria-label]="activeTitle() ?? 'Conversation'">
            @if (store.active(); as active) {
              <header class="conversation-head">
                @if (phone()) {
                  <button mat-icon-button type="button" aria-label="Back to conversations" (click)="closePane()">
                    <span class="material-symbols-outlined" aria-hidden="true">arrow_back</span>
                  </button>
                }
                <h2 tabindex="-1">{{ activeTitle() }}</h2>
                @if (active.kind === 'user') {
                  @if (activeTitle() !== (active.name | shownName)) {
                    <span class="login">{{ active.name }}</span>
                  }
                  @if (store.presence(); as online) {
                    <span class="status">{{ online.has(active.name) ? 'online' : 'offline' }}</span>
                  }
                }
              </header>
              <parley-message-list class="messages" [conversation]="active" [canPost]="store.canPost()" [connected]="store.status() === 'online'"
                [emptyTitle]="active.kind === 'group' ? 'The ' + active.name + ' group' : 'Your conversation with ' + activeTitle()"
                (loadOlder)="store.loadOlder(active.id)" (retry)="store.retry(active.id, $event)" />
              <div class="typing" aria-live="polite">{{ typingText() }}</div>
              <parley-composer [maxBytes]="store.maxMessageBytes()" [disabled]="!store.canPost()"
                [placeholder]="store.canPost() ? 'Write to ' + activeTitle() : 'You can read this group but not post to it'"
                [user]="user()?.username ?? null" [conversation]="active.id"
                (sent)="store.send($event)" (typing)="store.noteTyping()" />
            } @else {
              <p class="empty">Pick a conversation.</p>
            }
          </section>
        }
      </div>
    </main>
  `,
  styles: `
    /* Fills the app's column under the announcements banner (app.component.ts). */
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    .top { display: flex; align-items: center; gap: 0.75rem; padding: 0.25rem 1rem; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .top h1 { font-size: 1.25rem; font-weight: 500; margin: 0; }
    .me { margin-left: auto; }
    .actions { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; }
    .narrow { display: none; margin-left: auto; }
    /* Holds only the theme submenu's template, rendered in the overlay when opened. */
    parley-theme-menu { display: none; }
    .role { font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); }
    .body { flex: 1; display: flex; flex-direction: column; min-height: 0; }
    .banner { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 0.4rem 1rem; }
    .banner.info { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .layout { flex: 1; display: grid; grid-template-columns: minmax(14rem, 20rem) 1fr; min-height: 0; }
    .list { border-right: 1px solid var(--mat-sys-outline-variant); overflow-y: auto; padding: 0.5rem; }
    .pane { display: flex; flex-direction: column; min-height: 0; min-width: 0; }
    .conversation-head { display: flex; align-items: center; gap: 0.75rem; padding: 0 1rem; min-height: 3rem; }
    .conversation-head h2 { font-size: 1.1rem; font-weight: 500; margin: 0.5rem 0; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .conversation-head h2:focus { outline: none; }
    .login, .status { font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); }
    .messages { flex: 1; }
    .typing { min-height: 1.2rem; font-size: 0.8rem; padding: 0 1rem; color: var(--mat-sys-on-surface-variant); }
    .empty { padding: 2rem; color: var(--mat-sys-on-surface-variant); }
    /* Phones (PHONE_QUERY): a one-row header with a menu, and one column at a time (showList, showPane). */
    @media (max-width: 640px) {
      .top { gap: 0.25rem; padding: 0.125rem 0.25rem 0.125rem 1rem; }
      .wide { display: none; }
      .narrow { display: inline-flex; }
      .layout { grid-template-columns: 1fr; }
      .list { border-right: 0; }
      .conversation-head { padding: 0 0.5rem 0 0.25rem; gap: 0.25rem; border-bottom: 1px solid var(--mat-sys-outline-variant); }
      .conversation-head .login, .conversation-head .status { margin-left: 0.5rem; }
    }
  `,
})
export class ChatPageComponent implements OnInit, OnDestroy {
  readonly store = inject(ChatStore);
  private readonly auth = inject(AuthService);
  private readonly socket = inject(SocketService);
  private readonly router = inject(Router);
  private readonly title = inject(Title);
  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly injector = inject(Injector);
  readonly notifierSupported = inject(NOTIFIER).supported;
  readonly user = this.auth.user;
  readonly isAdmin = computed(() => !!this.user() && hasCapability(this.user()!.role, 'watchRoster'));
  readonly canReadAudit = computed(() => !!this.user() && hasCapability(this.user()!.role, 'readAuditLog'));
  readonly canAnnounce = computed(() => !!this.user() && hasCapability(this.user()!.role, 'announce'));
  /** Narrow screens show one column at a time; the styles' media query uses the same width. */
  readonly phone = toSignal(inject(BreakpointObserver).observe(PHONE_QUERY).pipe(map((state) => state.matches)), { initialValue: false });
  /** Phones only: the conversation is shown instead of the list. */
  readonly paneOpen = signal(false);
  /*
   * Rendered, not just hidden: a virtual scroller created inside a hidden column measures no
   * height and would show no messages once revealed.
   */
  readonly showList = computed(() => !this.phone() || !this.paneOpen());
  readonly showPane = computed(() => !this.phone() || this.paneOpen());
  /**
   * Display names of everyone met in the directory so far: a search narrows the directory, and
   * the names of conversations outside it must not fall back to login names meanwhile.
   */
  readonly names = linkedSignal<DirectoryEntry[], ReadonlyMap<string, string>>({
    source: this.store.directory,
    computation: (directory, previous) =>
      new Map([...(previous?.value ?? []), ...directory.map((p) => [p.username, p.display_name] as const)]),
  });
  readonly activeTitle = computed(() => {
    const active = this.store.active();
    return active ? conversationTitle(active, this.names()) : null;
  });
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

  async setNotifications(on: boolean): Promise<void> {
    await this.store.enableNotifications(on);
  }

  /** Picked in the list: on a phone the conversation replaces the list, so focus must follow it. */
  openConversation(id: string): void {
    this.store.open(id);
    this.paneOpen.set(true);
    this.focusConversation();
  }

  /** Picked under "New direct message": the select closes, and focus goes to the new conversation. */
  startConversation(username: string): void {
    this.store.startConversation(username);
    this.paneOpen.set(true);
    this.focusConversation();
  }

  /** Phones: back to the list, with focus on the conversation just left. */
  closePane(): void {
    const id = this.store.activeId();
    this.paneOpen.set(false);
    afterNextRender(() => this.host.querySelector<HTMLElement>(`[data-conversation="${CSS.escape(id ?? '')}"]`)?.focus(), { injector: this.injector });
  }

  /** The composer once it is on screen, or the conversation's heading where this user may only read. */
  private focusConversation(): void {
    afterNextRender(
      () => {
        const composer = this.host.querySelector<HTMLTextAreaElement>('parley-composer textarea');
        const target = composer && !composer.disabled ? composer : this.host.querySelector<HTMLElement>('.conversation-head h2');
        target?.focus();
      },
      { injector: this.injector },
    );
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
