import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal, type OnDestroy } from '@angular/core';
import { type Observable, Subscription, firstValueFrom } from 'rxjs';
import {
  type AddChannelMemberRequest,
  type ChannelInfo,
  type ChannelListResponse,
  type ChannelMember,
  type ChannelMembersResponse,
  type ChannelRemovedPayload,
  type ChannelResponse,
  type ChannelUpdatedPayload,
  ConversationIds,
  type CreateChannelRequest,
  DEFAULT_PERMISSIONS,
  ErrorCodes,
  ServerEvents,
  type UpdateChannelRequest,
} from '@parley/contract';
import { errorMessage } from '../core/auth.service';
import { ChatConnection } from '../core/socket.service';
import { ChatStore } from '../chat/chat.store';
import { DraftStore } from '../chat/draft.store';
import { UploadStore } from '../files/upload.store';

const API = '/api/channels';
const path = (name: string) => `${API}/${encodeURIComponent(name)}`;

/**
 * The channels this user is in, kept current three ways: channel_updated and channel_removed
 * while connected, each sync's `channels` after being away (one removed from meanwhile is
 * missing there), and the answers to this user's own REST calls. Messages stay in ChatStore;
 * this store says which channel conversations exist and what they are (topic, archived...).
 * REST goes through HttpClient, which sends the XSRF-TOKEN cookie back as X-XSRF-TOKEN.
 */
@Injectable()
export class ChannelsStore implements OnDestroy {
  private readonly http = inject(HttpClient);
  private readonly chat = inject(ChatStore);
  private readonly connection = inject(ChatConnection);
  private readonly drafts = inject(DraftStore);
  private readonly uploads = inject(UploadStore);
  private readonly subscriptions = new Subscription();
  /** Channels this user is a member of, by conversation id ('channel:<name>'). */
  private readonly byId = signal<ReadonlyMap<string, ChannelInfo>>(new Map());
  /** Channels this user is leaving by their own choice: their removal needs no notice. */
  private readonly leaving = new Set<string>();

  /** The user's channels by name (role groups are ChatStore's groups, not listed here). */
  readonly channels = computed(() => [...this.byId().values()].sort((a, b) => a.name.localeCompare(b.name)));
  /** The list is known (a sync or the API answered): until then an empty list means "loading", not "none". */
  readonly loaded = signal(false);
  /** Said once when the open channel went away (removed, made invisible, deleted). */
  readonly notice = signal<string | null>(null);
  /** What the permission table lets this role do; the server checks again (a 403 is shown). */
  readonly canCreate = computed(() => this.can('createChannels'));
  readonly canBrowse = computed(() => this.can('joinChannels'));

  constructor() {
    this.subscriptions.add(this.connection.on(ServerEvents.ChannelUpdated).subscribe((event) => this.onUpdated(event)));
    this.subscriptions.add(this.connection.on(ServerEvents.ChannelRemoved).subscribe((event) => this.onRemoved(event)));
    this.subscriptions.add(this.chat.channelsSynced$.subscribe((channels) => this.reconcile(channels)));
    this.chat.keepChannelsWith(() => this.channels());
  }

  ngOnDestroy(): void {
    this.subscriptions.unsubscribe();
  }

  /** The channel a conversation id names, if this user is in it. */
  info(conversation: string | null): ChannelInfo | null {
    return conversation ? (this.byId().get(conversation) ?? null) : null;
  }

  /** Every channel the server lets this user see: theirs, and the public ones they may join. */
  async list(): Promise<ChannelInfo[]> {
    const answer = await firstValueFrom(this.http.get<ChannelListResponse>(API));
    const channels = answer.channels.filter((channel) => !channel.builtin);
    for (const channel of channels) if (channel.member) this.keep(channel);
    return channels;
  }

  /** Creates a channel (the creator is a member) and lists it; throws a readable Error when refused. */
  async create(request: CreateChannelRequest): Promise<ChannelInfo> {
    const answer = await this.call(() => this.http.post<ChannelResponse>(API, request));
    this.keep(answer.channel);
    return answer.channel;
  }

  async join(name: string): Promise<void> {
    await this.addMember(name, this.me());
    // The answer's shape is the server's business; the list is asked again for the channel.
    const joined = (await this.list()).find((channel) => channel.name === name);
    if (joined) this.keep(joined);
  }

  async leave(name: string): Promise<void> {
    const id = ConversationIds.channel(name);
    this.leaving.add(id);
    try {
      await this.removeMember(name, this.me());
      this.drop(id);
    } finally {
      this.leaving.delete(id);
    }
  }

  async addMember(name: string, username: string): Promise<void> {
    await this.call(() => this.http.post(`${path(name)}/members`, { username } satisfies AddChannelMemberRequest));
  }

  async removeMember(name: string, username: string): Promise<void> {
    await this.call(() => this.http.delete(`${path(name)}/members/${encodeURIComponent(username)}`));
  }

  /** Rename, topic, archive: the answer (and channel_updated) brings the channel as it is now. */
  async update(name: string, change: UpdateChannelRequest): Promise<void> {
    const answer = await this.call(() => this.http.patch<ChannelResponse | null>(path(name), change));
    if (answer?.channel) this.applyUpdate({ channel: answer.channel, ...(answer.channel.name !== name ? { previous_name: name } : {}) });
  }

  async members(name: string): Promise<ChannelMember[]> {
    const answer = await this.call(() => this.http.get<ChannelMembersResponse>(`${path(name)}/members`));
    return answer.members;
  }

  dismissNotice(): void {
    this.notice.set(null);
  }

  private onUpdated(event: ChannelUpdatedPayload): void {
    this.applyUpdate(event);
  }

  private applyUpdate({ channel, previous_name }: ChannelUpdatedPayload): void {
    if (channel.builtin) return;
    if (previous_name !== undefined) {
      const before = ConversationIds.channel(previous_name);
      // The draft first: the composer loads the renamed conversation's draft as it switches.
      this.drafts.move(this.me(), before, channel.conversation);
      this.uploads.move(this.me(), before, channel.conversation);
      this.chat.rename(before, channel.conversation);
      this.byId.update((map) => without(map, before));
    }
    if (channel.member) this.keep(channel);
    else this.drop(channel.conversation);
  }

  private onRemoved({ conversation }: ChannelRemovedPayload): void {
    this.drop(conversation);
  }

  /** The sync's list is the truth after being away: channels missing from it are gone, new ones appear. */
  private reconcile(channels: ChannelInfo[]): void {
    this.loaded.set(true);
    const current = new Set(channels.filter((channel) => !channel.builtin && channel.member).map((channel) => channel.conversation));
    for (const id of this.byId().keys()) if (!current.has(id)) this.drop(id);
    for (const channel of channels) if (current.has(channel.conversation)) this.keep(channel);
  }

  private keep(channel: ChannelInfo): void {
    this.byId.update((map) => new Map(map).set(channel.conversation, channel));
    this.chat.show(channel.conversation);
  }

  /** Takes a channel out of the list and its conversation out of the chat; says so if it was open. */
  private drop(id: string): void {
    const wasOpen = this.chat.activeId() === id;
    const known = this.byId().get(id);
    this.byId.update((map) => without(map, id));
    this.chat.forget(id);
    if (wasOpen && !this.leaving.has(id)) {
      this.notice.set(`You are no longer in #${known?.name ?? id.slice('channel:'.length)}: you were removed from it, or it is gone.`);
    }
  }

  private me(): string {
    return this.chat.me()?.username ?? '';
  }

  private can(what: 'createChannels' | 'joinChannels'): boolean {
    const role = this.chat.me()?.role;
    return !!role && DEFAULT_PERMISSIONS[role][what];
  }

  /** A REST call whose refusal becomes an Error with a message for people. */
  private async call<T>(request: () => Observable<T>): Promise<T> {
    try {
      return await firstValueFrom(request());
    } catch (error) {
      throw new Error(describeChannelError(error));
    }
  }
}

/** A refused channel request in plain words. */
export function describeChannelError(error: unknown): string {
  if (!(error instanceof HttpErrorResponse)) return errorMessage(error);
  const code = (error.error as { code?: unknown } | null)?.code;
  if (code === ErrorCodes.ChannelExists) return 'A channel with that name exists already; choose another name.';
  if (code === ErrorCodes.ChannelArchived) return 'This channel is archived: it can be read, not changed or joined.';
  if (error.status === 403) return 'You are not allowed to do that here.';
  if (error.status === 404) return 'That channel does not exist, or you cannot see it.';
  return errorMessage(error);
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}
