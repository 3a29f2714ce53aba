import { Injectable, computed, inject, signal, type OnDestroy } from '@angular/core';
import { Subject, Subscription } from 'rxjs';
import {
  type AckOf,
  type ChannelInfo,
  ClientEvents,
  ConversationIds,
  conversationIdOf,
  type ConversationsAck,
  DEFAULT_PERMISSIONS,
  type DirectoryEntry,
  ErrorCodes,
  groupsFor,
  MENTION_CHANNEL,
  MENTION_HERE,
  mentionedNames,
  type NotifyChangedPayload,
  type NotifyLevel,
  type PayloadOf,
  type PresencePayload,
  type PublicUser,
  type ReadPayload,
  type ReadReceipt,
  readableGroups,
  type ReplyQuote,
  type Role,
  ServerEvents,
  type UploadedFile,
  type WireMessage,
} from '@parley/contract';
import { rememberedUser } from '../core/auth.service';
import { ChatConnection } from '../core/socket.service';
import { toAttachment } from '../files/files.model';
import { UploadStore } from '../files/upload.store';
import { NotificationSettings, notificationsSwitchKey } from '../core/notification-settings';
import { OFFLINE_COPY_STORAGE, offlineCopyOf, type OfflineCopy } from './offline-copy';
import { OUTBOX_STORAGE } from './outbox';
import { ID_GENERATOR, NOTIFIER, STORAGE, WINDOW } from '../core/tokens';
import {
  insertMessage,
  newConversation,
  notifies,
  readRetryDelay,
  toChatMessage,
  withReceipts,
  type ChatMessage,
  type Conversation,
} from './chat.model';
import { notificationTitle, peopleOf } from './conversation-names';

/** The most messages one history page may hold (the server's HISTORY_PAGE.max). */
export const HISTORY_PAGE_MAX = 200;
/**
 * How long after a change the offline copy is saved: changes come in bursts (a sync, a busy
 * group), and each save writes the whole copy.
 */
const OFFLINE_SAVE_DELAY_MS = 3_000;
/** Used when a refusal carries no retry_after_ms (an older server). */
const READ_RETRY_MS = 250;

/** The most characters of the answered message a reply being written quotes (the server's REPLY_EXCERPT_CHARS). */
const LOCAL_EXCERPT_CHARS = 200;

/** The requests the server counts as reads, refused with RATE_LIMITED when too many are out. */
type ReadEvent = typeof ClientEvents.Sync | typeof ClientEvents.History | typeof ClientEvents.Conversations | typeof ClientEvents.Directory;

/**
 * The chat's state for one signed-in user: conversations, their messages and unread counts,
 * delivery states and presence (typing is TypingStore's, channels ChannelsStore's). Components
 * read its signals and call its methods.
 * On every (re)connect it verifies, then replays with `sync` from the last id it has seen, so
 * nothing is missed and, ids being unique, nothing is shown twice.
 */
@Injectable()
export class ChatStore implements OnDestroy {
  private readonly connection = inject(ChatConnection);
  private readonly storage = inject(STORAGE);
  private readonly notifier = inject(NOTIFIER);
  /** Messages not yet acknowledged, kept across reloads (IndexedDB). */
  private readonly outbox = inject(OUTBOX_STORAGE);
  /** The recent conversations kept on this device, shown when the app starts offline. */
  private readonly offlineCopies = inject(OFFLINE_COPY_STORAGE);
  /** The saved copy being put back (start()); the first connect waits for it, as it sets the cursor. */
  private restored: Promise<void> = Promise.resolve();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Saving stops for good when the user signs out or the page closes (the copy is theirs alone). */
  private saving = true;
  /** Do not disturb, quiet hours and the chime (this device's). */
  private readonly quiet = inject(NotificationSettings);
  private readonly window = inject(WINDOW);
  private readonly newId = inject(ID_GENERATOR);
  private readonly uploads = inject(UploadStore);
  /**
   * This tab's sync cursor: every message up to it has been received here. Moved by sync pages,
   * and by live messages only once this connection has caught up (then they arrive in id
   * order); never by another tab. Persisted so a reload resumes from it.
   */
  private cursor: number | null = null;
  private caughtUp = false;
  private readonly subscriptions = new Subscription();

  private readonly conversationMap = signal<ReadonlyMap<string, Conversation>>(new Map());
  readonly me = signal<PublicUser | null>(null);
  readonly activeId = signal<string | null>(null);
  /** The people loaded so far (the server sends the directory in pages). */
  readonly directory = signal<DirectoryEntry[]>([]);
  /** Where the next directory page starts, or null when every page matching the search is loaded. */
  readonly directoryNext = signal<string | null>(null);
  /** The name filter the directory was loaded with ('' for everyone). */
  readonly directorySearch = signal('');
  /**
   * Where the next page of the conversation list starts (the newest message id of the oldest
   * conversation listed), or null when the server has no older conversations to list.
   */
  readonly conversationsBefore = signal<number | null>(null);
  /** The user has loaded pages past the first: a reconnect's first page must not move the cursor back up. */
  private olderConversationsLoaded = false;
  readonly online = signal<ReadonlySet<string>>(new Set());
  readonly error = signal<string | null>(null);
  readonly maxMessageBytes = signal(16 * 1024);
  /** How long after sending one may edit or delete one's own message (ms): null always, 0 never. */
  readonly editWindowMs = signal<number | null>(0);
  /** Whether "Seen" and "Seen by N" are shown: the organisation may turn read receipts off. */
  readonly readReceipts = signal(false);
  /** True from the first successful verify: a later disconnect shows the reconnect banner. */
  readonly hasConnected = signal(false);
  /** The server no longer accepts this user's session: the page should go to sign-in. */
  readonly signedOut = signal(false);
  readonly syncing = signal(false);
  /** True until the copy saved on this device has been looked for (and shown, if there was one). */
  readonly restoring = signal(true);
  /** When the copy shown was saved, while only the saved copy is shown (no connection yet); else null. */
  readonly offlineCopyAt = signal<string | null>(null);
  /** The names kept with the saved copy, for the people in it while the directory cannot be asked. */
  readonly savedPeople = signal<readonly PublicUser[]>([]);
  /** The user's channels as the channels store holds them, for the saved copy (keepChannelsWith). */
  private channelSource: () => readonly ChannelInfo[] = () => [];
  readonly notificationsEnabled = signal(false);
  /** Groups this user may post to (the shared table at first, then the server's answer). */
  readonly postableGroups = signal<readonly Role[]>([]);
  /**
   * For each postable group, the conversation a post there goes to: the group itself, or this
   * user's team conversation with that role when they do not read the group (verify's answer).
   */
  readonly groupConversations = signal<Partial<Record<Role, string>>>({});
  /** The channels this user is in, from each sync's answer: ChannelsStore reconciles its list with them. */
  private readonly channelsSyncedSubject = new Subject<ChannelInfo[]>();
  readonly channelsSynced$ = this.channelsSyncedSubject.asObservable();

  readonly status = computed(() => this.connection.status());
  readonly reconnecting = computed(() => this.hasConnected() && this.status() !== 'online');
  /** Who is online, or null while disconnected: nobody's presence is known then. */
  readonly presence = computed(() => (this.status() === 'online' ? this.online() : null));
  readonly conversations = computed(() => {
    const all = [...this.conversationMap().values()];
    const lastId = (c: Conversation) => c.messages.findLast((m) => m.id !== null)?.id ?? 0;
    return all.sort((a, b) => (a.kind === b.kind ? lastId(b) - lastId(a) : a.kind === 'group' ? -1 : 1));
  });
  readonly active = computed(() => {
    const id = this.activeId();
    return id ? (this.conversationMap().get(id) ?? null) : null;
  });
  /** Whether the composer may send to the active conversation. */
  readonly canPost = computed(() => {
    const active = this.active();
    if (!active) return false;
    if (active.kind === 'group') return this.postableGroups().some((group) => group === active.name);
    // A team conversation: its guest, or a member of the team who may post to that group.
    if (active.kind === 'team') {
      const me = this.me();
      return active.guest === me?.username || (me?.role === active.name && this.postableGroups().some((group) => group === active.name));
    }
    // A channel listed is one this user is in; an archived one is closed, which the page says.
    if (active.kind === 'channel') return true;
    // The directory lists exactly the people the policy lets this user message; when only part
    // of it is loaded (more pages, or a search), the server decides.
    const directory = this.directory();
    const partial = this.directoryNext() !== null || this.directorySearch() !== '';
    return directory.length === 0 || partial || directory.some((person) => person.username === active.name);
  });
  readonly unreadTotal = computed(() => this.conversations().reduce((sum, c) => sum + c.unread, 0));
  readonly mentionsTotal = computed(() => this.conversations().reduce((sum, c) => sum + c.mentions, 0));

  /** Starts listening and connecting as this user. */
  start(user: PublicUser): void {
    this.me.set(user);
    // What was written before a reload shows as sending at once, with or without a connection.
    this.restored = this.restoreCopy(user.username)
      .then(() => this.restoreOutbox(user.username))
      .finally(() => this.restoring.set(false));
    this.notificationsEnabled.set(this.storage.getItem(notificationsSwitchKey(user.username)) === 'on' && this.notifier.permission() === 'granted');
    // The shared table gives the groups at once; the server's answer to verify_user confirms them.
    const postable = groupsFor(DEFAULT_PERMISSIONS, user.role);
    const read = readableGroups(DEFAULT_PERMISSIONS, user.role);
    this.showGroups(postable, read, groupConversationsOf(postable, read, user.username));
    this.subscriptions.add(this.connection.connected$.subscribe(() => void this.onConnected()));
    this.subscriptions.add(this.connection.on(ServerEvents.MessageFromUser).subscribe((m) => this.ingest(m, true)));
    this.subscriptions.add(this.connection.on(ServerEvents.Presence).subscribe((p) => this.onPresence(p)));
    this.subscriptions.add(this.connection.on(ServerEvents.Read).subscribe((r) => this.onRead(r)));
    this.subscriptions.add(this.connection.on(ServerEvents.NotifyChanged).subscribe((n) => this.onNotifyChanged(n)));
    // Changes to messages already delivered: the message as it now is (a tombstone once deleted).
    for (const event of [ServerEvents.MessageEdited, ServerEvents.MessageDeleted, ServerEvents.ReactionChanged] as const) {
      this.subscriptions.add(this.connection.on(event).subscribe((m) => this.fileChange(m)));
    }
    this.subscriptions.add(this.connection.on(ServerEvents.ReadReceipt).subscribe((r) => this.applyReceipts([r], true)));
    this.subscriptions.add(this.connection.on(ServerEvents.SessionEnded).subscribe(() => this.stopSaving()));
    // Coming back to the tab reads what arrived in the open conversation meanwhile.
    const onVisible = () => {
      const active = this.activeId();
      if (active && this.window.document.visibilityState === 'visible') void this.markRead(active);
      // Hidden may be the last moment this page runs (a phone closing the tab): save now.
      if (this.window.document.visibilityState === 'hidden') this.saveCopy();
    };
    this.window.document.addEventListener?.('visibilitychange', onVisible);
    this.subscriptions.add(() => this.window.document.removeEventListener?.('visibilitychange', onVisible));
  }

  ngOnDestroy(): void {
    this.stopSaving();
    this.subscriptions.unsubscribe();
  }

  /** Where the saved copy takes the channel list from: ChannelsStore, which keeps it current. */
  keepChannelsWith(source: () => readonly ChannelInfo[]): void {
    this.channelSource = source;
  }

  /** No more saves of the offline copy (signing out removes it; none may be written after). */
  stopSaving(): void {
    this.saving = false;
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }

  /**
   * Puts back the copy saved on this device, unless the server already answered. The sync
   * cursor goes back to the copy's, so the first sync brings everything since it was saved:
   * new messages, and edits and deletions of the ones in the copy.
   */
  private async restoreCopy(user: string): Promise<void> {
    try {
      await this.putBackCopy(user);
    } catch {
      // A copy this version cannot read (written by another, or damaged) is dropped, and the
      // page starts as it would without one.
      void this.offlineCopies.remove(user);
    }
  }

  private async putBackCopy(user: string): Promise<void> {
    const copy = await this.offlineCopies.load(user);
    if (!copy || copy.user !== user || this.hasConnected()) return;
    this.update((map) => {
      for (const saved of copy.conversations) {
        const held = map.get(saved.id) ?? newConversation(saved.id);
        if (held.messages.length > 0) continue;
        map.set(saved.id, {
          ...held,
          messages: saved.messages.map((m) => ({ ...m })),
          unread: saved.unread,
          mentions: saved.mentions,
          notify: saved.notify,
          lastReadId: saved.lastReadId,
          // The saved unread count covers what the copy holds.
          countedThrough: saved.messages.at(-1)?.id ?? 0,
          olderAvailable: saved.olderAvailable,
          historyLoaded: saved.historyLoaded,
          receipts: new Map(saved.receipts),
        });
      }
    });
    this.cursor = Math.min(copy.cursor, this.lastSeenId ?? copy.cursor);
    this.savedPeople.set(copy.people ?? []);
    // As a sync's list would: the channels store lists them (the first real sync replaces it).
    if (copy.channels) this.channelsSyncedSubject.next(copy.channels);
    this.offlineCopyAt.set(copy.savedAt);
  }

  /**
   * Whether this browser still has this person signed in: another tab may have signed them out
   * (and removed the copy) while this one, not yet told, is about to save it again.
   */
  private stillSignedIn(username: string): boolean {
    return rememberedUser(this.storage)?.username === username;
  }

  private scheduleSave(): void {
    if (!this.saving || this.saveTimer !== null || !this.hasConnected()) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.saveCopy();
    }, OFFLINE_SAVE_DELAY_MS);
  }

  private saveCopy(): void {
    const me = this.me();
    if (!this.saving || !me || this.cursor === null || !this.hasConnected() || this.signedOut() || !this.stillSignedIn(me.username)) return;
    const copy: OfflineCopy = offlineCopyOf(me.username, this.cursor, [...this.conversationMap().values()], new Date(), {
      people: [...this.directory(), ...this.savedPeople()],
      channels: this.channelSource(),
    });
    void this.offlineCopies.save(copy);
  }

  /** The sync cursor as persisted for the next page load. */
  get lastSeenId(): number | null {
    const raw = this.storage.getItem(this.key('lastSeen'));
    return raw === null ? null : Number(raw);
  }

  private advanceCursor(id: number): void {
    if (this.cursor !== null && id <= this.cursor) return;
    this.cursor = id;
    if (id > (this.lastSeenId ?? 0)) this.storage.setItem(this.key('lastSeen'), String(id));
  }

  async onConnected(): Promise<void> {
    const me = this.me();
    if (!me) return;
    await this.restored;
    this.caughtUp = false;
    // Presence from before the outage is stale: the directory and presence events tell it again.
    this.online.set(new Set());
    const verified = await this.connection.request(ClientEvents.VerifyUser, { user_type: me.role, user_name: me.username });
    if (!verified.ok) {
      this.error.set(verified.error.message);
      if (verified.error.code === ErrorCodes.NotAuthorised || verified.error.code === ErrorCodes.AccountDisabled) {
        this.stopSaving();
        this.signedOut.set(true);
      }
      return;
    }
    this.error.set(null);
    this.hasConnected.set(true);
    this.offlineCopyAt.set(null);
    this.maxMessageBytes.set(verified.max_message_bytes);
    // An older server sends none: every file is then tried, and refused by the server if need be.
    this.uploads.limits.set(verified.file_limits ?? null);
    // An older server sends neither: it cannot edit, and has no receipts.
    this.editWindowMs.set(verified.edit_window_ms === undefined ? 0 : verified.edit_window_ms);
    this.readReceipts.set(verified.read_receipts ?? false);
    // An older server sends neither field: every postable group is then the group itself.
    const read = verified.read_groups ?? [me.role];
    this.showGroups(verified.groups, read, verified.group_conversations ?? groupConversationsOf(verified.groups, verified.groups, me.username));
    // A first visit on this device starts from now; older messages come from history.
    if (this.cursor === null) this.advanceCursor(this.lastSeenId ?? verified.latest_id);
    await Promise.all([this.refreshConversations(), this.refreshDirectory()]);
    await this.syncMissed();
    await this.restoreOutbox(me.username);
    await this.resendPending();
    // Whatever was opened while offline (the page opens one at once) is loaded and read now.
    const active = this.activeId();
    if (active) this.open(active);
  }

  /**
   * Replays, page by page, everything after this tab's cursor: new messages at their id, changed
   * ones (edited, deleted, reacted to) at their rev, read receipts at theirs. The page's `cursor`
   * is the next `since`.
   */
  async syncMissed(): Promise<void> {
    this.syncing.set(true);
    try {
      for (;;) {
        const since = this.cursor ?? 0;
        const page = await this.read(ClientEvents.Sync, { since });
        if (!page.ok) {
          // Offline: the reconnect banner is up and the next connect syncs again. Online, the
          // server refused for another reason: say so rather than leave messages silently missing.
          if (this.status() === 'online') this.error.set(`Could not load missed messages (${page.error.message}); reload to try again`);
          return;
        }
        // A changed message sent before `since` was received before (or is older than this
        // device's start): it replaces the copy held, if any. One sent after is new here.
        for (const message of page.messages) {
          if (message.rev !== undefined && message.id <= since) this.fileChange(message, false);
          else this.ingest(message, false);
        }
        this.applyReceipts(page.receipts ?? [], false);
        // Every page carries the channels as they are now; the last page's are the newest.
        if (!page.more && page.channels) this.channelsSyncedSubject.next(page.channels);
        // An older server sends no cursor: its pages end at their last message's id.
        const next = Math.max(page.cursor ?? 0, ...page.messages.map(streamPosition));
        if (next > since) this.advanceCursor(next);
        if (!page.more || next <= since) break;
      }
      this.caughtUp = true;
    } finally {
      this.syncing.set(false);
    }
  }

  private async refreshConversations(): Promise<void> {
    const ack = await this.read(ClientEvents.Conversations, {});
    if (!ack.ok) return;
    if (!this.olderConversationsLoaded) this.conversationsBefore.set(nextConversationsCursor(ack));
    this.applySummaries(ack);
  }

  /**
   * Appends the next page of the conversation list ("Show older conversations"). One held
   * already (it moved to the top meanwhile) is not on that page; if it were, the map keeps it once.
   */
  async loadOlderConversations(): Promise<void> {
    const before = this.conversationsBefore();
    if (before === null) return;
    const ack = await this.read(ClientEvents.Conversations, { before });
    // A second click while this page was out asked for the same page: apply it once.
    if (!ack.ok || before !== this.conversationsBefore()) return;
    this.olderConversationsLoaded = true;
    this.conversationsBefore.set(nextConversationsCursor(ack));
    this.applySummaries(ack);
  }

  private applySummaries(ack: ConversationsAck): void {
    this.update((map) => {
      for (const summary of ack.conversations) {
        const conversation = map.get(summary.conversation) ?? newConversation(summary.conversation);
        // A long last message comes cut short (last_truncated): shown as the preview until
        // history or sync brings it whole.
        // A stand-in until history or sync brings the message whole: the text may be cut short
        // (last_truncated), and a preview need not carry reactions or a reply's quote.
        const preview: ChatMessage = { ...toChatMessage(summary.last, this.me()!.username), partial: true };
        const messages = insertMessage(conversation.messages, preview);
        // Messages held past the server's newest arrived live while this answer was out (the
        // conversation moved to the top meanwhile): the server's count does not include them.
        const lastReadId = Math.max(summary.last_read_id, conversation.lastReadId);
        const unreadSince = conversation.messages.filter((m) => !m.mine && m.id !== null && m.id > summary.last.id && m.id > lastReadId);
        map.set(summary.conversation, {
          ...conversation,
          messages: messages ?? conversation.messages,
          unread: (lastReadId >= summary.last.id ? 0 : summary.unread) + unreadSince.length,
          mentions: (lastReadId >= summary.last.id ? 0 : (summary.mentions ?? 0)) + unreadSince.filter((m) => m.mentionsMe).length,
          notify: summary.notify ?? conversation.notify,
          lastReadId,
          // The server's count covers everything up to its newest message; a replay of those
          // must not count them again.
          countedThrough: Math.max(conversation.countedThrough, summary.last.id),
        });
      }
    });
  }

  /** Loads the first directory page, of everyone or of the people matching `search`. */
  async refreshDirectory(search = this.directorySearch()): Promise<void> {
    this.directorySearch.set(search);
    const ack = await this.read(ClientEvents.Directory, search ? { q: search } : {});
    // A newer search may have been typed while this one was out.
    if (!ack.ok || search !== this.directorySearch()) return;
    this.directory.set(ack.users);
    this.directoryNext.set(ack.next_after);
    this.notePresence(ack.users);
  }

  /** Appends the next directory page, if there is one. */
  async loadMoreDirectory(): Promise<void> {
    const after = this.directoryNext();
    const search = this.directorySearch();
    if (after === null) return;
    const ack = await this.read(ClientEvents.Directory, { after, ...(search ? { q: search } : {}) });
    if (!ack.ok || after !== this.directoryNext() || search !== this.directorySearch()) return;
    this.directory.update((loaded) => [...loaded, ...ack.users]);
    this.directoryNext.set(ack.next_after);
    this.notePresence(ack.users);
  }

  /** Online states from a directory page; people on other pages keep theirs (presence events move them). */
  private notePresence(users: DirectoryEntry[]): void {
    this.online.update((online) => {
      const next = new Set(online);
      for (const user of users) {
        if (user.online) next.add(user.username);
        else next.delete(user.username);
      }
      return next;
    });
  }

  /**
   * A read (sync, history, conversations, directory). The server runs only a couple of reads
   * per user at once and refuses more with RATE_LIMITED and a retry hint: wait at least that
   * long (longer after each refusal, with jitter so a user's tabs do not retry in step) and ask
   * again, for as long as the connection is up. A refusal is load, not an answer: giving up
   * after a few left messages missing until the next reconnect when several tabs caught up at once.
   */
  private async read<E extends ReadEvent>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>> {
    for (let refusals = 0; ; refusals++) {
      const ack = await this.connection.request(event, payload);
      if (ack.ok || ack.error.code !== ErrorCodes.RateLimited || this.status() !== 'online') return ack;
      const delay = readRetryDelay(ack.error.retry_after_ms ?? READ_RETRY_MS, refusals, Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Adds a stored message (live or replayed) once; counts it unread unless it is being read. */
  ingest(wire: WireMessage, live: boolean): void {
    const me = this.me()!.username;
    const id = conversationIdOf(wire, me);
    const message = toChatMessage(wire, me);
    const held = this.conversationMap().get(id) ?? newConversation(id);
    const messages = insertMessage(held.messages, message);
    const counts =
      !message.mine && !message.deleted && wire.id > held.lastReadId && wire.id > held.countedThrough && !this.isBeingRead(id);
    const conversation: Conversation | null = messages && {
      ...held,
      messages,
      unread: held.unread + (counts ? 1 : 0),
      mentions: held.mentions + (counts && message.mentionsMe ? 1 : 0),
      countedThrough: counts ? wire.id : held.countedThrough,
    };
    if (conversation) this.update((map) => map.set(id, conversation));
    if (live && this.caughtUp) this.advanceCursor(streamPosition(wire));
    if (!conversation || message.mine || message.deleted) return;
    if (this.isBeingRead(id)) void this.markRead(id);
    else if (live && this.notificationsEnabled() && notifies(conversation.notify, message) && this.quiet.alertsNowFor(me)) {
      this.notifier.show(notificationTitle(conversation, wire.sender_name, peopleOf(this.directory()), me), wire.message.slice(0, 140));
      this.quiet.shown();
    }
  }

  /**
   * A message changed (message_edited, message_deleted, reaction_changed, or replayed by sync):
   * the held copy is replaced when this one is newer. One not held is left out: it is older than
   * what is loaded (history brings it as it now is), and filing it would leave a gap before it.
   * Never counted unread, never notified: nothing new was said.
   */
  fileChange(wire: WireMessage, live = true): void {
    const me = this.me()!.username;
    const id = conversationIdOf(wire, me);
    if (live && this.caughtUp) this.advanceCursor(streamPosition(wire));
    const held = this.conversationMap().get(id);
    const messages = held && insertMessage(held.messages, toChatMessage(wire, me));
    if (!held || !messages || messages.length !== held.messages.length) return;
    this.update((map) => map.set(id, { ...held, messages }));
    if (wire.deleted) this.quotesGone(id, wire.id);
  }

  /** Replies held that quote a message just deleted say so at once, as history will ("Original message deleted"). */
  quotesGone(conversationId: string, id: number): void {
    const held = this.conversationMap().get(conversationId);
    if (!held?.messages.some((m) => m.replyTo?.id === id && !m.replyTo.deleted)) return;
    const messages = held.messages.map((m) =>
      m.replyTo?.id === id ? { ...m, replyTo: { ...m.replyTo, excerpt: '', deleted: true as const } } : m,
    );
    this.update((map) => map.set(conversationId, { ...held, messages }));
  }

  /** The message with this id in a held conversation, if loaded. */
  message(conversationId: string, id: number): ChatMessage | undefined {
    return this.conversationMap().get(conversationId)?.messages.find((m) => m.id === id);
  }

  /** Changes the held message with this id (an edit, delete or reaction of the viewer's being applied). */
  patchMessage(conversationId: string, id: number, change: (m: ChatMessage) => ChatMessage): void {
    const key = this.message(conversationId, id)?.key;
    if (key !== undefined) this.replaceMessage(conversationId, key, change);
  }

  /**
   * Read receipts (history's, sync's, live): others' marks move "Seen"; the viewer's own, from
   * another device (sync), read the conversation here as the `read` event does.
   */
  private applyReceipts(receipts: readonly ReadReceipt[], live: boolean): void {
    const me = this.me()!.username;
    for (const receipt of receipts) {
      if (live && this.caughtUp && receipt.rev !== undefined) this.advanceCursor(receipt.rev);
      if (receipt.user_name === me) {
        this.onRead({ conversation: receipt.conversation, up_to: receipt.up_to });
        continue;
      }
      const held = this.conversationMap().get(receipt.conversation);
      if (held) this.patch(receipt.conversation, { receipts: withReceipts(held.receipts, [receipt]) });
    }
  }

  open(id: string): void {
    this.ensure(id);
    const reopened = this.activeId() === id;
    this.activeId.set(id);
    const conversation = this.conversationMap().get(id)!;
    // The "New" divider marks where this visit's unread messages start, so it is placed before
    // markRead moves the read mark. Opening it again while it is open (after a reconnect) keeps
    // the divider unless there is something newer unread.
    const newAfter = conversation.unread > 0 ? conversation.lastReadId : reopened ? conversation.newAfter : null;
    if (newAfter !== conversation.newAfter) this.update((map) => map.set(id, { ...conversation, newAfter }));
    if (!conversation.historyLoaded) void this.loadOlder(id).then(() => this.reachFirstUnread(id));
    void this.markRead(id);
  }

  /**
   * The conversation opens at its first unread message, so that message must be loaded: when
   * the first page of history did not reach back to it, one larger page is asked for.
   */
  private async reachFirstUnread(id: string): Promise<void> {
    const conversation = this.conversationMap().get(id);
    const oldest = conversation?.messages.find((m) => m.id !== null)?.id;
    if (!conversation || conversation.newAfter === null || !conversation.olderAvailable || oldest == null || oldest <= conversation.newAfter) return;
    await this.loadOlder(id, HISTORY_PAGE_MAX);
  }

  /** Loads the page of history before the oldest message held (`limit` messages, or the server's default). */
  /** False when the server did not answer with a page (offline, refused). */
  async loadOlder(id: string, limit?: number): Promise<boolean> {
    const conversation = this.conversationMap().get(id);
    if (!conversation || (!conversation.olderAvailable && conversation.historyLoaded)) return true;
    const oldest = conversation.messages.find((m) => m.id !== null)?.id;
    const ack = await this.read(ClientEvents.History, {
      conversation: id,
      // The found message has an id; `!= null` also tells the type so.
      ...(oldest != null && conversation.historyLoaded ? { before: oldest } : {}),
      ...(limit ? { limit } : {}),
    });
    if (!ack.ok) return false;
    const me = this.me()!.username;
    this.update((map) => {
      // Forgotten or renamed (a channel left, renamed) while the page was out: nothing to add to.
      const current = map.get(id);
      if (!current) return;
      let messages = current.messages;
      for (const wire of ack.messages) messages = insertMessage(messages, toChatMessage(wire, me)) ?? messages;
      // Only the newest page carries receipts (every other member's mark as it is now).
      const receipts = ack.receipts?.length ? withReceipts(current.receipts, ack.receipts) : current.receipts;
      map.set(id, { ...current, messages, olderAvailable: ack.more, historyLoaded: true, receipts });
    });
    return true;
  }

  /** Marks everything held in a conversation read, here and on the server. */
  async markRead(id: string): Promise<void> {
    const conversation = this.conversationMap().get(id);
    const newest = conversation?.messages.findLast((m) => m.id !== null)?.id ?? null;
    if (!conversation || newest === null || (conversation.unread === 0 && newest <= conversation.lastReadId)) return;
    this.update((map) => map.set(id, { ...conversation, unread: 0, mentions: 0, lastReadId: Math.max(newest, conversation.lastReadId) }));
    await this.connection.request(ClientEvents.MarkRead, { conversation: id, up_to: newest });
  }

  startConversation(username: string): void {
    this.open(ConversationIds.user(username));
  }

  /**
   * Sends text and uploaded files to the active conversation, as a reply to `replyTo` when
   * given; the message shows as sending (with its quote and files) until acknowledged.
   */
  async send(text: string, replyTo?: ChatMessage, files: readonly UploadedFile[] = []): Promise<void> {
    const id = this.activeId();
    const me = this.me();
    if (!id || !me || (text.trim() === '' && files.length === 0)) return;
    const key = this.newId();
    const message: ChatMessage = {
      key,
      id: null,
      clientId: key,
      text,
      senderName: me.username,
      senderRole: me.role,
      sentAt: new Date().toISOString(),
      mine: true,
      state: 'sending',
      ...this.ownMentions(text),
      ...(replyTo?.id != null ? { replyTo: quoteOf(replyTo, replyTo.id) } : {}),
      ...(files.length > 0 ? { attachments: files.map(toAttachment) } : {}),
    };
    // Pending messages go last; insertMessage appends one that has no id yet.
    this.update((map) => {
      const conversation = map.get(id) ?? newConversation(id);
      map.set(id, { ...conversation, messages: insertMessage(conversation.messages, message) ?? conversation.messages });
    });
    // Kept as it is sent: a reload or a closed tab while offline does not lose it. Not awaited:
    // the outbox's transactions run in order, so the delete on its ack always comes after.
    void this.outbox.put({ clientId: key, user: me.username, conversation: id, message });
    await this.deliver(id, message);
  }

  /** Sends a failed message again with the same client_id: the server stores it at most once. */
  async retry(conversationId: string, key: string): Promise<void> {
    const message = this.conversationMap().get(conversationId)?.messages.find((m) => m.key === key);
    if (!message || message.state !== 'failed') return;
    this.replaceMessage(conversationId, key, (m) => ({ ...m, state: 'sending', error: undefined }));
    const me = this.me();
    if (me && message.clientId) void this.outbox.put({ clientId: message.clientId, user: me.username, conversation: conversationId, message: { ...message, state: 'sending', error: undefined } });
    await this.deliver(conversationId, { ...message, state: 'sending' });
  }

  /**
   * Sets when a conversation may notify (all, mentions, nothing), here at once and on the
   * server, which tells this user's other devices; a refusal puts the old setting back.
   */
  async setNotify(id: string, notify: NotifyLevel): Promise<void> {
    const before = this.conversationMap().get(id)?.notify;
    if (before === undefined || before === notify) return;
    this.patch(id, { notify });
    const ack = await this.connection.request(ClientEvents.SetNotify, { conversation: id, notify });
    if (!ack.ok) {
      this.patch(id, { notify: before });
      this.error.set(`Could not change notifications: ${ack.error.message}`);
    }
  }

  /** Drops a conversation this user is no longer in (a channel they left or were removed from). */
  forget(id: string): void {
    if (!this.conversationMap().has(id)) return;
    this.update((map) => map.delete(id));
    if (this.activeId() === id) this.activeId.set(null);
  }

  /** A channel was renamed: its conversation, open or not, moves to the new id with its messages. */
  rename(from: string, to: string): void {
    const conversation = this.conversationMap().get(from);
    if (!conversation || from === to) return;
    const renamed = { ...newConversation(to), ...conversation, id: to, name: newConversation(to).name };
    this.update((map) => {
      map.delete(from);
      map.set(to, renamed);
    });
    if (this.activeId() === from) this.activeId.set(to);
  }

  /** Shows a conversation in the list (a channel just joined) without opening it. */
  show(id: string): void {
    this.ensure(id);
  }

  async enableNotifications(on: boolean): Promise<void> {
    if (on && this.notifier.permission() !== 'granted') {
      if ((await this.notifier.requestPermission()) !== 'granted') on = false;
    }
    this.notificationsEnabled.set(on);
    this.storage.setItem(notificationsSwitchKey(this.me()?.username ?? ''), on ? 'on' : 'off');
  }

  private async deliver(conversationId: string, message: ChatMessage): Promise<void> {
    const ack = await this.connection.request(ClientEvents.SendMessage, {
      message: message.text,
      recipients: conversationId,
      // Mine always have one; null is only in the type, for others' messages.
      client_id: message.clientId ?? undefined,
      ...(message.replyTo ? { reply_to: message.replyTo.id } : {}),
      ...(message.attachments ? { attachments: message.attachments.map((file) => file.id) } : {}),
    });
    if (!ack.ok) {
      // Not connected, or the server is restarting (it closes the connection next): leave it
      // sending; resendPending() delivers it after the reconnect.
      if (this.status() !== 'online' || ack.error.code === ErrorCodes.ShuttingDown) return;
      const current = this.conversationMap().get(conversationId)?.messages.find((m) => m.key === message.key);
      // A late failure (a timed-out first attempt) must not undo a later success.
      if (current && current.id === null) {
        this.replaceMessage(conversationId, message.key, (m) => ({ ...m, state: 'failed', error: ack.error.message }));
      }
      // Refused for good: shown as failed with Retry, not sent again by itself after a reload.
      if (message.clientId) void this.outbox.delete(message.clientId);
      return;
    }
    if (message.clientId) void this.outbox.delete(message.clientId);
    this.update((map) => {
      const conversation = map.get(conversationId);
      if (!conversation) return;
      // An extension on the server may have changed the text (ack.message): show what others got.
      const sent: ChatMessage = { ...message, text: ack.message ?? message.text, id: ack.id, sentAt: ack.sent_at, state: 'sent', error: undefined };
      // Drop the pending copy and any echo of it (same id) already filed, then file it once.
      const others = conversation.messages.filter((m) => m.key !== message.key && m.id !== ack.id);
      map.set(conversationId, { ...conversation, messages: insertMessage(others, sent) ?? others });
    });
  }

  /**
   * Messages written before a reload (or in a tab since closed) that the server never
   * acknowledged, back in their conversations as sending; resendPending() then sends each with
   * its client_id, so one the server did store (its ack lost) is not stored twice. One that
   * sync already brought back is only dropped from the outbox.
   */
  private async restoreOutbox(user: string): Promise<void> {
    for (const entry of await this.outbox.list(user)) {
      const known = this.conversationMap().get(entry.conversation)?.messages.find((m) => m.key === entry.clientId || m.clientId === entry.clientId);
      if (known && known.state !== 'sending') {
        void this.outbox.delete(entry.clientId);
        continue;
      }
      if (known) continue;
      const message: ChatMessage = { ...entry.message, state: 'sending', error: undefined };
      this.update((map) => {
        const conversation = map.get(entry.conversation) ?? newConversation(entry.conversation);
        map.set(entry.conversation, { ...conversation, messages: insertMessage(conversation.messages, message) ?? conversation.messages });
      });
    }
  }

  private async resendPending(): Promise<void> {
    for (const conversation of this.conversationMap().values()) {
      for (const message of conversation.messages) {
        if (message.state === 'sending') await this.deliver(conversation.id, message);
      }
    }
  }

  /**
   * What a message just written mentions, as the server will work it out, so the sender sees
   * their own @names marked before any echo: the loaded directory's people, '@here', '@channel'.
   */
  private ownMentions(text: string): Pick<ChatMessage, 'mentions'> {
    const known = new Set(this.directory().map((person) => person.username));
    const mentions = mentionedNames(text)
      .map((name) => (name === 'here' ? MENTION_HERE : name === 'channel' ? MENTION_CHANNEL : name))
      .filter((name) => name.startsWith('@') || known.has(name));
    return mentions.length > 0 ? { mentions } : {};
  }

  /** The group conversations to list: those readable, and per postable group its own or the team one. */
  private showGroups(postable: readonly Role[], read: readonly Role[], conversations: Partial<Record<Role, string>>): void {
    this.postableGroups.set(postable);
    this.groupConversations.set(conversations);
    const wanted = new Set([...read.map((group) => ConversationIds.group(group)), ...postable.map((group) => conversations[group] ?? ConversationIds.group(group))]);
    // Entries the shared table guessed that the server's answer does not confirm (another
    // permission table), while nothing is in them: gone, so the list shows only what is real.
    this.update((map) => {
      for (const [id, conversation] of map) {
        const guessed = conversation.kind === 'group' || (conversation.kind === 'team' && conversation.guest === this.me()?.username);
        if (guessed && !wanted.has(id) && conversation.messages.length === 0 && id !== this.activeId()) map.delete(id);
      }
    });
    for (const id of wanted) this.ensure(id);
  }

  private onNotifyChanged(change: NotifyChangedPayload): void {
    this.ensure(change.conversation);
    this.patch(change.conversation, { notify: change.notify });
  }

  private onPresence(presence: PresencePayload): void {
    this.online.update((set) => {
      const next = new Set(set);
      if (presence.online) next.add(presence.user_name);
      else next.delete(presence.user_name);
      return next;
    });
  }

  private onRead(read: ReadPayload): void {
    const conversation = this.conversationMap().get(read.conversation);
    if (!conversation || read.up_to < conversation.lastReadId) return;
    const unreadMessages = conversation.messages.filter((m) => !m.mine && m.id !== null && m.id > read.up_to);
    const mentions = unreadMessages.filter((m) => m.mentionsMe).length;
    this.update((map) => map.set(read.conversation, { ...conversation, lastReadId: read.up_to, unread: unreadMessages.length, mentions }));
  }

  private isBeingRead(id: string): boolean {
    return this.activeId() === id && this.window.document.visibilityState === 'visible';
  }

  private ensure(id: string): void {
    if (!this.conversationMap().has(id)) this.update((map) => map.set(id, newConversation(id)));
  }

  private patch(id: string, change: Partial<Conversation>): void {
    this.update((map) => {
      const conversation = map.get(id);
      if (conversation) map.set(id, { ...conversation, ...change });
    });
  }

  /** Changes one held message in place; nothing happens if it is not held. */
  private replaceMessage(conversationId: string, key: string, change: (m: ChatMessage) => ChatMessage): void {
    this.update((map) => {
      const conversation = map.get(conversationId);
      if (!conversation) return;
      map.set(conversationId, {
        ...conversation,
        messages: conversation.messages.map((m) => (m.key === key ? change(m) : m)),
      });
    });
  }

  private update(change: (map: Map<string, Conversation>) => void): void {
    this.conversationMap.update((current) => {
      const next = new Map(current);
      change(next);
      return next;
    });
    this.scheduleSave();
  }

  private key(name: string): string {
    return `parley.${name}.${this.me()?.username ?? ''}`;
  }
}

/**
 * Where a post to each group goes when the server has not said (before verify answers): the
 * group itself when the role reads it, otherwise the user's team conversation with that role.
 */
function groupConversationsOf(postable: readonly Role[], read: readonly Role[], username: string): Partial<Record<Role, string>> {
  return Object.fromEntries(postable.map((group) => [group, read.includes(group) ? ConversationIds.group(group) : ConversationIds.team(group, username)]));
}

/** Where a message sits in the stream of messages and changes: its rev once changed, else its id. */
function streamPosition(wire: WireMessage): number {
  return Math.max(wire.id, wire.rev ?? 0);
}

/** The quote a reply being sent shows until the server's copy (with its own excerpt) replaces it. */
function quoteOf(message: ChatMessage, id: number): ReplyQuote {
  return { id, sender_name: message.senderName, excerpt: message.text.slice(0, LOCAL_EXCERPT_CHARS) };
}

/** The `before` for the page after this one, or null when it was the last. */
function nextConversationsCursor(ack: ConversationsAck): number | null {
  const last = ack.conversations.at(-1);
  return ack.more && last ? last.last.id : null;
}
