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
  viewChild,
  type OnDestroy,
  type OnInit,
} from '@angular/core';
import { BreakpointObserver } from '@angular/cdk/layout';
import { toSignal } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatMenuModule } from '@angular/material/menu';
import { MatSlideToggleModule, type MatSlideToggleChange } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import { ConversationIds, type DirectoryEntry, hasCapability, type NotifyLevel, type PublicUser, type RoleCapabilities } from '@parley/contract';
import { ChannelBrowserDialogComponent, type ChannelBrowserData, type ChannelBrowserResult } from '../channels/channel-browser.dialog';
import { ChannelDetailsDialogComponent, type ChannelDetailsData } from '../channels/channel-details.dialog';
import { ChannelsStore } from '../channels/channels.store';
import { AuthService } from '../core/auth.service';
import { SocketService } from '../core/socket.service';
import { ThemeButtonComponent, ThemeMenuComponent } from '../core/theme-menu.component';
import { confirmAction } from '../core/confirm-dialog.component';
import { NOTIFIER, WINDOW } from '../core/tokens';
import type { ChatMessage } from './chat.model';
import { ChatStore } from './chat.store';
import { MessageActionsStore, type JumpState } from './message-actions.store';
import type { MessageAction } from './message-item.component';
import { ComposerComponent, type ComposedMessage } from './composer.component';
import { FileDropDirective } from '../files/file-drop.directive';
import { UploadStore } from '../files/upload.store';
import { ConversationListComponent } from './conversation-list.component';
import { conversationTitle, isTeamInbox, type People, personName, roleTitle } from './conversation-names';
import { MessageListComponent } from './message-list.component';
import { SearchPanelComponent, type SearchPanelData, type SearchPanelResult } from '../search/search-panel.component';
import { SearchStore } from '../search/search.store';
import { ShownNamePipe } from './shown-name.pipe';
import { TypingStore } from './typing.store';

/** The admin pages of the header's menus, each shown to a role with the capability it needs. */
const ADMIN_PAGES: ReadonlyArray<{ label: string; link: (name: string) => string; needs: keyof RoleCapabilities }> = [
  { label: 'Roster', link: (name) => `/admin/${name}/roster`, needs: 'watchRoster' },
  { label: 'Users', link: (name) => `/admin/${name}/users`, needs: 'manageUsers' },
  { label: 'Audit log', link: (name) => `/admin/${name}/audit`, needs: 'readAuditLog' },
  { label: 'Announcements', link: (name) => `/admin/${name}/announcements`, needs: 'announce' },
  { label: 'Retention & export', link: (name) => `/admin/${name}/retention`, needs: 'manageRetention' },
  { label: 'Webhooks', link: (name) => `/admin/${name}/webhooks`, needs: 'manageWebhooks' },
];

/** Phone width: one column at a time and a menu instead of the header's links. */
const PHONE_QUERY = '(max-width: 640px)';
/** How long a quote's original stays marked after the jump: long enough to find it with the eye. */
const HIGHLIGHT_MS = 2_500;

/** /admin/:name, /staff/:name, /client/:name: the same chat for every role, admins get links around it. */
@Component({
  selector: 'parley-chat-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  providers: [ChatStore, ChannelsStore, TypingStore, MessageActionsStore, SearchStore],
  host: { '(document:keydown)': 'onShortcut($event)' },
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
    FileDropDirective,
    ShownNamePipe,
  ],
  template: `
    <header class="top">
      <h1>Parley</h1>
      @if (store.mentionsTotal() > 0) {
        <span class="mentions-total" data-testid="mentions-total" [attr.aria-label]="store.mentionsTotal() + (store.mentionsTotal() === 1 ? ' unread mention' : ' unread mentions')">&#64;{{ store.mentionsTotal() }}</span>
      }
      <span class="me wide">{{ user()?.display_name }} <span class="role">{{ user()?.role }}</span></span>
      <button mat-icon-button type="button" class="search" (click)="openSearch()" aria-label="Search" aria-keyshortcuts="Control+K Meta+K /"
        title="Search (Ctrl+K or /)">
        <span class="material-symbols-outlined" aria-hidden="true">search</span>
      </button>
      <!--
        Wide screens show the switches in the header and the admin pages under one "Admin" menu (six
        links in a row wrapped the header to two lines at 1280 px); below 960 px one menu holds all.
      -->
      <div class="wide actions">
        @if (adminPages().length > 0) {
          <button mat-button type="button" [matMenuTriggerFor]="adminMenu" class="admin-menu">
            Admin <span class="material-symbols-outlined" aria-hidden="true">expand_more</span>
          </button>
          <mat-menu #adminMenu="matMenu" aria-label="Admin pages">
            @for (page of adminPages(); track page.link) {
              <a mat-menu-item [routerLink]="page.link">{{ page.label }}</a>
            }
          </mat-menu>
        }
        <a mat-button [routerLink]="accountLink()">Account</a>
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
        @for (page of adminPages(); track page.link) {
          <a mat-menu-item [routerLink]="page.link">{{ page.label }}</a>
        }
        <a mat-menu-item [routerLink]="accountLink()">Account</a>
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
      @if (offlineNotice(); as notice) {
        <div class="banner" role="status" data-testid="offline-notice">{{ notice }}</div>
      } @else if (store.reconnecting()) {
        <div class="banner" role="status">Connection lost. Reconnecting… Messages you send now go out when it is back.</div>
      } @else if (store.syncing()) {
        <div class="banner info" role="status">Catching up…</div>
      }
      @if (store.error(); as error) {
        <div class="banner" role="alert">{{ error }}</div>
      }
      @if (channels.notice(); as notice) {
        <div class="banner info notice" role="status">
          <span>{{ notice }}</span>
          <button mat-button type="button" (click)="channels.dismissNotice()">Dismiss</button>
        </div>
      }
      <!-- On a phone one column shows at a time: the list, or (after picking) the conversation. -->
      <div class="layout">
        @if (showList()) {
          <div class="list">
            <parley-conversation-list [conversations]="store.conversations()" [activeId]="store.activeId()"
              [online]="store.presence()" [people]="people()" [me]="user()?.username ?? null" [directory]="store.directory()"
              [channels]="channels.channels()" [channelsLoaded]="channels.loaded()" [canBrowseChannels]="channels.canBrowse() || channels.canCreate()" (browseChannels)="browseChannels()"
              [directoryHasMore]="store.directoryNext() !== null" [directorySearch]="store.directorySearch()"
              [conversationsHaveMore]="store.conversationsBefore() !== null"
              (opened)="openConversation($event)" (started)="startConversation($event)"
              (searched)="store.refreshDirectory($event)" (moreRequested)="store.loadMoreDirectory()"
              (olderRequested)="store.loadOlderConversations()" />
          </div>
        }
        @if (showPane()) {
          <section class="pane" [attr.aria-label]="activeTitle() ?? 'Conversation'" [parleyFileDrop]="canPost()" #drop="parleyFileDrop"
            (dropped)="composer()?.attach($event)">
            @if (drop.dragging()) {
              <div class="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
                <span class="material-symbols-outlined" aria-hidden="true">upload_file</span>
                Drop files to send to {{ activeTitle() }}
              </div>
            }
            @if (store.active(); as active) {
              <header class="conversation-head">
                @if (phone()) {
                  <button mat-icon-button type="button" aria-label="Back to conversations" (click)="closePane()">
                    <span class="material-symbols-outlined" aria-hidden="true">arrow_back</span>
                  </button>
                }
                <div class="heading">
                  <h2 tabindex="-1">
                    @if (activeChannel(); as channel) {
                      <span class="material-symbols-outlined" aria-hidden="true">{{ channel.visibility === 'private' ? 'lock' : 'tag' }}</span>
                      @if (channel.visibility === 'private') { <span class="visually-hidden">Private channel</span> }
                    }
                    {{ activeTitle() }}
                  </h2>
                  @if (activeChannel(); as channel) {
                    <span class="topic" data-testid="channel-topic">{{ channel.topic || 'No topic' }}</span>
                  } @else if (teamInbox()) {
                    <span class="topic">Shared with the whole {{ active.name }} team</span>
                  }
                </div>
                @if (active.kind === 'user') {
                  @if (activeTitle() !== (active.name | shownName)) {
                    <span class="login">{{ active.name }}</span>
                  }
                  @if (store.presence(); as online) {
                    <span class="status">{{ online.has(active.name) ? 'online' : 'offline' }}</span>
                  }
                }
                @if (activeChannel(); as channel) {
                  <button mat-button type="button" class="members" (click)="channelDetails()" [attr.aria-label]="'Members and details: ' + channel.member_count + ' members'">
                    <span class="material-symbols-outlined" aria-hidden="true">group</span> {{ channel.member_count }}
                  </button>
                }
                <button mat-icon-button type="button" class="conversation-menu" [matMenuTriggerFor]="conversationMenu" aria-label="Conversation options">
                  <span class="material-symbols-outlined" aria-hidden="true">more_vert</span>
                </button>
                <mat-menu #conversationMenu="matMenu" aria-label="Conversation options">
                  @if (activeChannel()) {
                    <button mat-menu-item type="button" (click)="channelDetails()">Members and details</button>
                  }
                  <div class="menu-label" aria-hidden="true">Notify me about</div>
                  @for (level of notifyLevels; track level.value) {
                    <button mat-menu-item type="button" role="menuitemradio" [attr.aria-checked]="active.notify === level.value"
                      (click)="setNotify(active.id, level.value)">
                      <span class="material-symbols-outlined" aria-hidden="true">{{ active.notify === level.value ? 'radio_button_checked' : 'radio_button_unchecked' }}</span>
                      {{ level.label }}
                    </button>
                  }
                </mat-menu>
              </header>
              <parley-message-list class="messages" [conversation]="active" [canPost]="canPost()" [connected]="store.status() === 'online'"
                [people]="people()" [me]="user()?.username ?? null"
                [emptyTitle]="emptyTitle()"
                [readReceipts]="store.readReceipts()" [editing]="actions.editing()?.conversation === active.id ? actions.editing() : null"
                [highlighted]="actions.highlighted()" [mayEdit]="mayEdit" [mayDelete]="mayDelete" [isModeration]="isModeration" [touch]="touch()"
                (loadOlder)="store.loadOlder(active.id)" (retry)="store.retry(active.id, $event)" (action)="onMessageAction(active.id, $event)" />
              @if (actions.jump(); as jump) {
                @if (jump.conversation === active.id) {
                  <div class="banner info notice" role="status" data-testid="jump-status">
                    <span>{{ jumpText[jump.state] }}</span>
                    @if (jump.state !== 'loading') {
                      <button mat-button type="button" (click)="actions.clearJump()">Dismiss</button>
                    }
                  </div>
                }
              }
              <div class="typing" aria-live="polite">{{ typingText() }}</div>
              @if (activeChannel()?.archived) {
                <p class="archived" role="note" data-testid="archived-note">
                  <span class="material-symbols-outlined" aria-hidden="true">inventory_2</span>
                  This channel is archived: you can read it, but nobody can post in it.
                </p>
              } @else {
                @if (actions.replying().get(active.id); as quoted) {
                  <div class="replying" data-testid="replying">
                    <span class="material-symbols-outlined" aria-hidden="true">reply</span>
                    <div class="replying-text">
                      <span class="replying-to">Replying to {{ quoted.mine ? 'yourself' : (quoted.senderName | shownName) }}</span>
                      <span class="excerpt">{{ quoted.text }}</span>
                    </div>
                    <button mat-icon-button type="button" aria-label="Cancel reply" (click)="cancelReply(active.id)">
                      <span class="material-symbols-outlined" aria-hidden="true">close</span>
                    </button>
                  </div>
                }
                <parley-composer [maxBytes]="store.maxMessageBytes()" [disabled]="!canPost()"
                  [placeholder]="canPost() ? 'Write to ' + activeTitle() : 'You can read this group but not post to it'"
                  [user]="user()?.username ?? null" [conversation]="active.id"
                  [people]="store.directory()" [broadcast]="active.kind !== 'user'"
                  (sent)="send(active.id, $event)" (typing)="typing.noteTyping()"
                  (editLast)="actions.editLast(active.id)" (escaped)="actions.cancelReply(active.id)" />
              }
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
    .mentions-total { background: var(--mat-sys-error); color: var(--mat-sys-on-error); border-radius: 999px; padding: 0 0.5rem; font-size: 0.8rem; }
    .me { margin-left: auto; }
    .actions { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; }
    .narrow { display: none; margin-left: auto; }
    .admin-menu .material-symbols-outlined { font-size: 20px; vertical-align: middle; margin-inline-start: 0.125rem; }
    /* Holds only the theme submenu's template, rendered in the overlay when opened. */
    parley-theme-menu { display: none; }
    .role { font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); }
    .body { flex: 1; display: flex; flex-direction: column; min-height: 0; }
    .banner { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 0.4rem 1rem; }
    .banner.info { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); }
    .layout { flex: 1; display: grid; grid-template-columns: minmax(14rem, 20rem) 1fr; min-height: 0; }
    .list { border-right: 1px solid var(--mat-sys-outline-variant); overflow-y: auto; padding: 0.5rem; }
    .pane { display: flex; flex-direction: column; min-height: 0; min-width: 0; position: relative; }
    /* Over the whole conversation while files are held over it; events pass through to the pane. */
    .drop-overlay { position: absolute; inset: 0.5rem; z-index: 3; display: flex; flex-direction: column; align-items: center; justify-content: center;
      gap: 0.5rem; pointer-events: none; border: 2px dashed var(--mat-sys-primary); border-radius: 16px; font-size: 1.1rem; font-weight: 500;
      text-align: center; padding: 1rem; background: color-mix(in srgb, var(--mat-sys-primary-container) 88%, transparent); color: var(--mat-sys-on-primary-container); }
    .drop-overlay .material-symbols-outlined { font-size: 48px; }
    .conversation-head { display: flex; align-items: center; gap: 0.75rem; padding: 0 1rem; min-height: 3rem; }
    .heading { display: flex; flex-direction: column; min-width: 0; flex: 0 1 auto; }
    .conversation-head h2 { font-size: 1.1rem; font-weight: 500; margin: 0.5rem 0 0; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap;
      display: flex; align-items: center; gap: 0.25rem; }
    .conversation-head h2 .material-symbols-outlined { font-size: 20px; }
    .topic { font-size: 0.8rem; color: var(--mat-sys-on-surface-variant); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin-bottom: 0.25rem; }
    .members { margin-left: auto; }
    .members .material-symbols-outlined { vertical-align: middle; }
    .conversation-menu { flex: none; }
    .members + .conversation-menu { margin-left: 0; }
    .conversation-head > .conversation-menu:not(.members + .conversation-menu) { margin-left: auto; }
    .menu-label { padding: 0.5rem 1rem 0.25rem; font-size: 0.75rem; color: var(--mat-sys-on-surface-variant); }
    .archived { display: flex; align-items: center; gap: 0.5rem; margin: 0.5rem 1rem 1rem; padding: 0.75rem 1rem; border-radius: 12px;
      background: var(--mat-sys-surface-container-high); color: var(--mat-sys-on-surface-variant); }
    .notice { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; }
    .conversation-head h2:focus { outline: none; }
    .login, .status { font-size: 0.85rem; color: var(--mat-sys-on-surface-variant); }
    .messages { flex: 1; }
    .typing { min-height: 1.2rem; font-size: 0.8rem; padding: 0 1rem; color: var(--mat-sys-on-surface-variant); }
    .empty { padding: 2rem; color: var(--mat-sys-on-surface-variant); }
    .replying { display: flex; align-items: center; gap: 0.5rem; margin: 0 1rem; padding: 0.25rem 0.25rem 0.25rem 0.75rem; border-radius: 8px;
      border-inline-start: 3px solid var(--mat-sys-primary); background: var(--mat-sys-surface-container-high); color: var(--mat-sys-on-surface-variant); }
    .replying-text { display: flex; flex-direction: column; min-width: 0; flex: 1; font-size: 0.8rem; }
    .replying-to { font-weight: 500; color: var(--mat-sys-on-surface); }
    .excerpt { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    /* Tablets and narrow windows: the header's switches need ~900 px in a row, so below that they go into the menu too. */
    @media (max-width: 960px) {
      .actions { display: none; }
      .narrow { display: inline-flex; }
    }
    /* Phones (PHONE_QUERY): a one-row header with a menu, and one column at a time (showList, showPane). */
    @media (max-width: 640px) {
      .top { gap: 0.25rem; padding: 0.125rem 0.25rem 0.125rem 1rem; }
      .wide { display: none; }
      .narrow { display: inline-flex; margin-left: 0; }
      .search { margin-left: auto; }
      .layout { grid-template-columns: 1fr; }
      .list { border-right: 0; }
      .conversation-head { padding: 0 0.5rem 0 0.25rem; gap: 0.25rem; border-bottom: 1px solid var(--mat-sys-outline-variant); }
      .conversation-head .login, .conversation-head .status { margin-left: 0.5rem; }
    }
  `,
})
export class ChatPageComponent implements OnInit, OnDestroy {
  readonly store = inject(ChatStore);
  readonly channels = inject(ChannelsStore);
  readonly typing = inject(TypingStore);
  readonly actions = inject(MessageActionsStore);
  private readonly uploads = inject(UploadStore);
  readonly composer = viewChild(ComposerComponent);
  readonly jumpText: Record<JumpState['state'], string> = {
    loading: 'Loading older messages to find that message…',
    gone: 'That message is no longer here: it was deleted or removed.',
    failed: 'Could not load older messages to find that message; try again when the connection is back.',
  };
  readonly mayEdit = (message: ChatMessage) => this.actions.canEdit(message);
  readonly mayDelete = (message: ChatMessage) => this.actions.canDelete(message);
  readonly isModeration = (message: ChatMessage) => this.actions.isModeration(message);
  private readonly coarsePointer = !!inject(WINDOW).matchMedia?.('(pointer: coarse)').matches;
  private readonly dialog = inject(MatDialog);
  readonly notifyLevels: readonly { value: NotifyLevel; label: string }[] = [
    { value: 'all', label: 'All messages' },
    { value: 'mentions', label: 'Mentions only' },
    { value: 'nothing', label: 'Nothing' },
  ];
  private readonly auth = inject(AuthService);
  private readonly socket = inject(SocketService);
  private readonly router = inject(Router);
  private readonly title = inject(Title);
  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly injector = inject(Injector);
  readonly notifierSupported = inject(NOTIFIER).supported;
  readonly user = this.auth.user;
  /** Everyone's own account page (display name, password), whatever the role. */
  readonly accountLink = computed(() => {
    const me = this.user();
    return me ? ['/', me.role, me.username, 'account'] : ['/'];
  });
  /** The admin pages this role may open, in the menus' order (backend/src/contract/permissions.ts decides). */
  readonly adminPages = computed(() => {
    const me = this.user();
    return me ? ADMIN_PAGES.filter((page) => hasCapability(me.role, page.needs)).map((page) => ({ label: page.label, link: page.link(me.username) })) : [];
  });
  /** Narrow screens show one column at a time; the styles' media query uses the same width. */
  readonly phone = toSignal(inject(BreakpointObserver).observe(PHONE_QUERY).pipe(map((state) => state.matches)), { initialValue: false });
  /** Nothing hovers on a touch screen or a phone: message actions always show there. */
  readonly touch = computed(() => this.coarsePointer || this.phone());
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
  readonly people = linkedSignal<readonly PublicUser[], People>({
    // The saved copy's names first: the directory, once loaded, has the newer ones.
    source: computed(() => [...this.store.savedPeople(), ...this.store.directory()]),
    computation: (directory, previous) =>
      new Map([...(previous?.value ?? []), ...directory.map((p) => [p.username, { display_name: p.display_name, role: p.role }] as const)]),
  });
  readonly activeTitle = computed(() => {
    const active = this.store.active();
    return active ? conversationTitle(active, this.people(), this.user()?.username ?? null) : null;
  });
  /**
   * The page started with the server out of reach (no connection yet): what is shown, and that
   * what is written waits in the outbox.
   */
  readonly offlineNotice = computed(() => {
    // Not before the saved copy was looked for: the notice would flash "Trying again" first.
    if (this.store.hasConnected() || !this.auth.unreachable() || this.store.restoring()) return null;
    const savedAt = this.store.offlineCopyAt();
    if (!savedAt) return 'Offline: Parley cannot be reached. Trying again… Messages you write are sent when it is back.';
    const saved = new Date(savedAt);
    const today = saved.toDateString() === new Date().toDateString();
    const when = today ? saved.toLocaleTimeString(undefined, { timeStyle: 'short' }) : saved.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    return `Offline: showing your recent conversations as saved at ${when}. Messages you write are sent when Parley is back.`;
  });
  readonly activeChannel = computed(() => this.channels.info(this.store.activeId()));
  /** A team conversation the viewer shares with their whole team (not their own line to a team). */
  readonly teamInbox = computed(() => {
    const active = this.store.active();
    return !!active && isTeamInbox(active, this.user()?.username ?? null);
  });
  /** An archived channel is read-only. */
  readonly canPost = computed(() => this.store.canPost() && !this.activeChannel()?.archived);
  readonly emptyTitle = computed(() => {
    const active = this.store.active();
    if (!active) return '';
    switch (active.kind) {
      case 'group':
        return `The ${active.name} group`;
      case 'channel':
        return `The beginning of ${this.activeTitle()}`;
      case 'team':
        return this.teamInbox() ? `${this.activeTitle()}, with the ${active.name} team` : `Your line to the ${roleTitle(active.name)} team`;
      default:
        return `Your conversation with ${this.activeTitle()}`;
    }
  });
  readonly typingText = computed(() => {
    const id = this.store.activeId();
    const typists = (id && this.typing.typing().get(id)) || [];
    if (typists.length === 0) return '';
    const names = typists.map((name) => personName(name, this.people()));
    return names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  });

  constructor() {
    effect(() => {
      const unread = this.store.unreadTotal();
      const mentions = this.store.mentionsTotal();
      this.title.setTitle(unread > 0 ? `(${unread}${mentions > 0 ? ` · @${mentions}` : ''}) Parley` : 'Parley');
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

  setNotify(id: string, level: NotifyLevel): void {
    void this.store.setNotify(id, level);
  }

  /** A message's menu, reaction picker, chips, quote or inline editor asked for something. */
  async onMessageAction(conversation: string, action: MessageAction): Promise<void> {
    const { message } = action;
    switch (action.kind) {
      case 'reply':
        this.actions.startReply(conversation, message);
        return this.focusComposer();
      case 'edit':
        return this.actions.startEdit(conversation, message);
      case 'edit-text':
        return this.actions.setEditText(action.text);
      case 'save-edit':
        await this.actions.saveEdit();
        if (!this.actions.editing()) this.focusComposer();
        return;
      case 'cancel-edit':
        this.actions.cancelEdit();
        return this.focusComposer();
      case 'delete':
        if (!(await this.confirmDelete(message))) return;
        await this.actions.remove(conversation, message);
        // Its buttons went with it: the keyboard goes on from the message box.
        return this.focusComposer();
      case 'reaction':
        return this.actions.toggleReaction(conversation, message, action.emoji);
      case 'retry-action':
        if (message.id !== null) await this.actions.retry(message.id);
        return;
      case 'jump':
        return this.jumpTo(conversation, action.id);
      case 'retry-send':
        return this.store.retry(conversation, message.key);
    }
  }

  private async jumpTo(conversation: string, id: number): Promise<void> {
    if (await this.actions.jumpTo(conversation, id)) {
      setTimeout(() => {
        if (this.actions.highlighted() === id) this.actions.highlighted.set(null);
      }, HIGHLIGHT_MS);
    }
  }

  /** Ctrl+K or Cmd+K anywhere, or `/` outside a text field, opens the search panel. */
  onShortcut(event: KeyboardEvent): void {
    const k = event.key.toLowerCase() === 'k' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTextField(event.target);
    if (!k && !slash) return;
    event.preventDefault();
    this.openSearch();
  }

  /** The search panel; a result picked there opens its conversation at that message. */
  openSearch(): void {
    // Already open, or another dialog (a confirmation) has the keyboard: a shortcut must not stack on it.
    if (this.dialog.openDialogs.length > 0) return;
    const phone = this.phone();
    const ref = this.dialog.open<SearchPanelComponent, SearchPanelData, SearchPanelResult>(SearchPanelComponent, {
      data: { people: this.people, me: this.user()?.username ?? null },
      // The panel reads this page's SearchStore (the query outlives the panel) and connection.
      injector: this.injector,
      panelClass: phone ? ['search-dialog', 'search-dialog-phone'] : 'search-dialog',
      width: phone ? '100vw' : '40rem',
      maxWidth: phone ? '100vw' : '95vw',
      height: phone ? '100%' : '36rem',
      maxHeight: phone ? '100%' : '85vh',
      position: phone ? undefined : { top: '8vh' },
      autoFocus: '.box',
      ariaLabel: 'Search messages',
    });
    ref.afterClosed().subscribe((result) => {
      if (!result) return;
      // Focus goes to the conversation's heading, not the composer: the person came to read (and
      // a phone's keyboard would cover the message).
      this.openConversation(result.conversation, 'heading');
      void this.jumpTo(result.conversation, result.id);
    });
  }

  /**
   * Sends what the composer gave. Its files stay on their cards (as sending) until the server
   * answers; then the message holds them, sent or with its own Retry.
   */
  async send(conversation: string, message: ComposedMessage): Promise<void> {
    await this.actions.send(conversation, message.text, message.files);
    const user = this.user();
    if (user && message.files.length > 0) this.uploads.release(user.username, conversation, message.files.map((file) => file.id));
  }

  cancelReply(conversation: string): void {
    this.actions.cancelReply(conversation);
    this.focusComposer();
  }

  /** Asks first: a deletion cannot be undone, and an admin's is moderation of someone else's words. */
  private confirmDelete(message: ChatMessage): Promise<boolean> {
    const moderation = this.actions.isModeration(message);
    const whose = moderation ? `${personName(message.senderName, this.people())}'s message` : 'this message';
    return confirmAction(this.dialog, {
      title: `Delete ${whose}?`,
      consequences: [
        'It is deleted for everyone in the conversation, and its text and reactions are removed from the server. This cannot be undone.',
        ...(moderation ? ['The deletion is recorded in the audit log (who deleted which message, never its text).'] : []),
      ],
      confirm: moderation ? 'Delete (moderation)' : 'Delete message',
    });
  }

  private focusComposer(): void {
    afterNextRender(() => this.host.querySelector<HTMLTextAreaElement>('parley-composer textarea')?.focus(), { injector: this.injector });
  }

  /** "Browse / create": a channel joined, created or picked there opens. */
  browseChannels(): void {
    const ref = this.dialog.open<ChannelBrowserDialogComponent, ChannelBrowserData, ChannelBrowserResult>(ChannelBrowserDialogComponent, {
      data: { people: this.store.directory() },
      // The dialog reads this page's ChannelsStore, which lives in this component's injector.
      injector: this.injector,
      width: '36rem',
      maxWidth: '95vw',
      autoFocus: 'first-heading',
    });
    ref.afterClosed().subscribe((result) => {
      if (result?.open) this.openConversation(result.open);
    });
  }

  channelDetails(): void {
    const conversation = this.store.activeId();
    if (!conversation) return;
    this.dialog.open<ChannelDetailsDialogComponent, ChannelDetailsData>(ChannelDetailsDialogComponent, {
      data: { conversation, people: this.store.directory() },
      injector: this.injector,
      width: '32rem',
      maxWidth: '95vw',
      autoFocus: 'first-heading',
    });
  }

  /** Picked in the list: on a phone the conversation replaces the list, so focus must follow it. */
  openConversation(id: string, focus: 'composer' | 'heading' = 'composer'): void {
    this.channels.dismissNotice();
    this.store.open(id);
    this.paneOpen.set(true);
    this.focusConversation(focus);
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
  private focusConversation(focus: 'composer' | 'heading' = 'composer'): void {
    afterNextRender(
      () => {
        const composer = focus === 'composer' ? this.host.querySelector<HTMLTextAreaElement>('parley-composer textarea') : null;
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
    this.store.stopSaving();
    this.socket.disconnect();
    await this.auth.logout();
    await this.router.navigateByUrl('/login');
  }
}

/** Where `/` is typed rather than a shortcut. */
function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}
