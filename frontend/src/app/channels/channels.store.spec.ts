import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { type ChannelInfo, ClientEvents, ErrorCodes, type PublicUser, ServerEvents } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { ID_GENERATOR, NOTIFIER, STORAGE, WINDOW } from '../core/tokens';
import { ChatStore } from '../chat/chat.store';
import { DraftStore } from '../chat/draft.store';
import { FakeConnection, flush } from '../../testing/fake-connection';
import { ChannelsStore, describeChannelError } from './channels.store';

const sam: PublicUser = { username: 'sam', display_name: 'Sam', role: 'staff' };
const channel = (name: string, over: Partial<ChannelInfo> = {}): ChannelInfo => ({
  conversation: `channel:${name}`,
  name,
  topic: '',
  visibility: 'public',
  builtin: false,
  archived: false,
  member: true,
  manageable: true,
  member_count: 2,
  created_by: 'sam',
  created_at: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('ChannelsStore', () => {
  let connection: FakeConnection;
  let http: HttpTestingController;
  let chat: ChatStore;
  let store: ChannelsStore;
  let synced: ChannelInfo[];

  beforeEach(async () => {
    connection = new FakeConnection();
    synced = [];
    connection.handlers = {
      [ClientEvents.VerifyUser]: () => ({ ok: true, user: sam, latest_id: 1, max_message_bytes: 100, groups: ['staff'], read_groups: ['staff'], edit_window_ms: 15 * 60_000, read_receipts: true, file_limits: { max_bytes: 100_000_000, allowed_types: ['*'] }, group_conversations: { staff: 'group:staff' } }),
      [ClientEvents.Conversations]: () => ({ ok: true, conversations: [], more: false }),
      [ClientEvents.Directory]: () => ({ ok: true, users: [], next_after: null }),
      [ClientEvents.Sync]: () => ({ ok: true, messages: [], more: false, channels: synced, announcements: [], receipts: [], cursor: 0 }),
      [ClientEvents.History]: () => ({ ok: true, messages: [], more: false, receipts: [] }),
    };
    const storage = new Map<string, string>();
    TestBed.configureTestingModule({
      providers: [
        ChatStore,
        ChannelsStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: ChatConnection, useValue: connection },
        { provide: NOTIFIER, useValue: { supported: false, permission: () => 'denied', requestPermission: async () => 'denied', show: () => undefined } },
        { provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } },
        { provide: ID_GENERATOR, useValue: () => 'id' },
        { provide: WINDOW, useValue: { document: { visibilityState: 'visible', addEventListener: () => undefined, removeEventListener: () => undefined } } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    chat = TestBed.inject(ChatStore);
    store = TestBed.inject(ChannelsStore);
    chat.start(sam);
  });

  afterEach(() => http.verify());

  const names = () => store.channels().map((c) => c.name);
  const held = (id: string) => chat.conversations().some((c) => c.id === id);

  it('lists the channels of each sync, dropping those missing from a later one (removed while away)', async () => {
    synced = [channel('news'), channel('ops'), channel('staff', { builtin: true, conversation: 'group:staff' })];
    expect(store.loaded()).toBe(false);
    await connection.connect();
    expect(store.loaded()).toBe(true);
    expect(names()).toEqual(['news', 'ops']);
    expect(held('channel:news')).toBe(true);

    synced = [channel('news')];
    connection.statusSignal.set('offline');
    await connection.connect();
    expect(names()).toEqual(['news']);
    expect(held('channel:ops')).toBe(false);
  });

  it('adds, renames and removes channels live, and says so when the open one goes', async () => {
    await connection.connect();
    connection.push(ServerEvents.ChannelUpdated, { channel: channel('news') });
    expect(names()).toEqual(['news']);
    chat.open('channel:news');
    TestBed.inject(DraftStore).save('sam', 'channel:news', 'typed before the rename');
    connection.push(ServerEvents.ChannelUpdated, { channel: channel('headlines', { topic: 'What happened' }), previous_name: 'news' });
    expect(names()).toEqual(['headlines']);
    expect(chat.activeId()).toBe('channel:headlines');
    expect(store.info('channel:headlines')?.topic).toBe('What happened');
    expect(TestBed.inject(DraftStore).load('sam', 'channel:headlines')).toBe('typed before the rename');

    connection.push(ServerEvents.ChannelRemoved, { conversation: 'channel:headlines' });
    expect(names()).toEqual([]);
    expect(chat.activeId()).toBeNull();
    expect(store.notice()).toContain('#headlines');
  });

  it('creates a channel through the API and lists it at once', async () => {
    await connection.connect();
    const created = store.create({ name: 'news', visibility: 'private', members: ['cleo'] });
    const request = http.expectOne('/api/channels');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({ name: 'news', visibility: 'private', members: ['cleo'] });
    request.flush({ channel: channel('news', { visibility: 'private' }) });
    expect((await created).conversation).toBe('channel:news');
    expect(names()).toEqual(['news']);
  });

  it('turns refusals into sentences: a taken name, a role not allowed', async () => {
    await connection.connect();
    const taken = store.create({ name: 'news', visibility: 'public' });
    http.expectOne('/api/channels').flush({ code: ErrorCodes.ChannelExists, message: 'exists' }, { status: 409, statusText: 'Conflict' });
    await expect(taken).rejects.toThrow('A channel with that name exists already');
    const forbidden = store.create({ name: 'ops', visibility: 'public' });
    http.expectOne('/api/channels').flush({ code: ErrorCodes.Forbidden, message: 'Forbidden' }, { status: 403, statusText: 'Forbidden' });
    await expect(forbidden).rejects.toThrow('not allowed');
    expect(describeChannelError(new Error('plain'))).toBe('plain');
  });

  it('joins as this user and leaves without a notice, the conversation going with it', async () => {
    await connection.connect();
    const joined = store.join('news');
    const join = http.expectOne('/api/channels/news/members');
    expect(join.request.body).toEqual({ username: 'sam' });
    join.flush({});
    await flush();
    http.expectOne('/api/channels').flush({ channels: [channel('news'), channel('other', { member: false })] });
    await joined;
    expect(names()).toEqual(['news']);

    chat.open('channel:news');
    const left = store.leave('news');
    http.expectOne((r) => r.method === 'DELETE' && r.url === '/api/channels/news/members/sam').flush(null);
    await left;
    connection.push(ServerEvents.ChannelRemoved, { conversation: 'channel:news' });
    expect(names()).toEqual([]);
    expect(held('channel:news')).toBe(false);
    expect(store.notice()).toBeNull();
  });

  it('offers browsing and creating by the permission table', () => {
    expect(store.canBrowse()).toBe(true);
    expect(store.canCreate()).toBe(true);
  });
});
