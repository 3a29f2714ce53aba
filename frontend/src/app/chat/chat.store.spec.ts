import { TestBed } from '@angular/core/testing';
import {
  type AckOf,
  type ChannelInfo,
  ClientEvents,
  ConversationIds,
  ErrorCodes,
  type PublicUser,
  ServerEvents,
  type WireMessage,
} from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { FakeConnection, flush } from '../../testing/fake-connection';
import { CHIME, NotificationSettings } from '../core/notification-settings';
import { memoryOutbox, OUTBOX_STORAGE, type OutboxEntry, type OutboxStorage } from './outbox';
import { memoryCopies, OFFLINE_COPY_STORAGE, type OfflineCopy, type OfflineCopyStorage } from './offline-copy';
import { ID_GENERATOR, NOTIFIER, STORAGE, WINDOW, type Notifier } from '../core/tokens';
import { ChatStore } from './chat.store';
import { TypingStore } from './typing.store';
import { eventually } from '../../testing/eventually';

type SendAck = AckOf<typeof ClientEvents.SendMessage>;

const me: PublicUser = { username: 'cal', display_name: 'Cal', role: 'client' };
let nextId = 100;
function wire(over: Partial<WireMessage> = {}): WireMessage {
  const id = over.id ?? ++nextId;
  return {
    message: `m${id}`,
    sender: 'sock',
    sender_name: 'sam',
    id,
    sent_at: '2026-11-25T09:00:00.000Z',
    sender_role: 'staff',
    target_kind: 'user',
    target: 'cal',
    client_id: null,
    ...over,
  };
}

describe('ChatStore', () => {
  let connection: FakeConnection;
  let store: ChatStore;
  let storage: Map<string, string>;
  let visibility: DocumentVisibilityState;
  let visibilityListener: (() => void) | null;
  let permission: NotificationPermission;
  let grant: NotificationPermission = 'granted';
  let shown: string[];
  let chimes: number;
  let outbox: OutboxStorage;
  let copies: OfflineCopyStorage;

  beforeEach(() => {
    connection = new FakeConnection();
    storage = new Map();
    visibility = 'visible';
    visibilityListener = null;
    let ids = 0;
    connection.handlers = {
      [ClientEvents.VerifyUser]: () => ({ ok: true, user: me, latest_id: 100, max_message_bytes: 16384, groups: ['admin', 'staff'], read_groups: ['client'], edit_window_ms: 15 * 60_000, read_receipts: true, file_limits: { max_bytes: 100_000_000, allowed_types: ['*'] }, group_conversations: { admin: 'team:admin:cal', staff: 'team:staff:cal' } }),
      [ClientEvents.Conversations]: () => ({ ok: true, conversations: [], more: false }),
      [ClientEvents.Directory]: () => ({ ok: true, users: [], next_after: null }),
      [ClientEvents.Sync]: () => ({ ok: true, messages: [], more: false, channels: [], announcements: [], receipts: [], cursor: 0 }),
      [ClientEvents.History]: () => ({ ok: true, messages: [], more: false, channels: [], announcements: [], receipts: [], cursor: 0 }),
    };
    permission = 'default';
    shown = [];
    chimes = 0;
    outbox = memoryOutbox();
    copies = memoryCopies();
    const notifier: Notifier = {
      supported: true,
      permission: () => permission,
      requestPermission: async () => (permission = grant),
      show: (title, body) => shown.push(`${title}: ${body}`),
    };
    TestBed.configureTestingModule({
      providers: [
        ChatStore,
        TypingStore,
        { provide: ChatConnection, useValue: connection },
        { provide: NOTIFIER, useValue: notifier },
        { provide: CHIME, useValue: () => (chimes += 1) },
        { provide: OUTBOX_STORAGE, useValue: outbox },
        { provide: OFFLINE_COPY_STORAGE, useValue: copies },
        {
          provide: STORAGE,
          useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
        },
        { provide: ID_GENERATOR, useValue: () => `cid-${++ids}` },
        {
          provide: WINDOW,
          useValue: {
            document: {
              get visibilityState() {
                return visibility;
              },
              addEventListener: (_: string, listener: () => void) => (visibilityListener = listener),
              removeEventListener: () => (visibilityListener = null),
            },
          },
        },
      ],
    });
    store = TestBed.inject(ChatStore);
    store.start(me);
  });

  const conversation = (id: string) => store.conversations().find((c) => c.id === id);

  describe('recent conversations kept for offline', () => {
    const ops: ChannelInfo = { name: 'ops', conversation: 'channel:ops', visibility: 'public', topic: '', archived: false, builtin: false, member: true, manageable: false, member_count: 2, created_by: 'sam', created_at: '2026-12-01T09:00:00.000Z' };
    const saved = (over: Partial<OfflineCopy> = {}): OfflineCopy => ({
      user: 'cal',
      savedAt: '2026-12-03T08:00:00.000Z',
      cursor: 120,
      conversations: [
        {
          id: 'user:sam',
          messages: [110, 115].map((id) => ({ key: `id:${id}`, id, clientId: null, text: `saved ${id}`, senderName: 'sam', senderRole: 'staff' as const, sentAt: '2026-12-03T07:00:00.000Z', mine: false, state: 'sent' as const })),
          unread: 1,
          mentions: 0,
          notify: 'all',
          lastReadId: 110,
          olderAvailable: true,
          historyLoaded: true,
          receipts: [],
        },
      ],
      people: [{ username: 'sam', display_name: 'Sam Staff', role: 'staff' }],
      channels: [ops],
      ...over,
    });
    it('shows the saved copy before the server answers, then syncs from the copy\'s cursor so changes since it arrive', async () => {
      await copies.save(saved());
      // The tab had seen further than the copy holds (its last save was cut short).
      storage.set('parley.lastSeen.cal', '130');
      const fresh = TestBed.runInInjectionContext(() => new ChatStore());
      expect(fresh.restoring()).toBe(true);
      const listed: ChannelInfo[][] = [];
      fresh.channelsSynced$.subscribe((channels) => listed.push(channels));
      fresh.start(me);
      await flush();
      expect(fresh.restoring()).toBe(false);
      const held = () => fresh.conversations().find((c) => c.id === 'user:sam')!;
      // Names and channels come with the copy: neither the directory nor the channel list can be asked.
      expect(fresh.savedPeople()).toEqual([{ username: 'sam', display_name: 'Sam Staff', role: 'staff' }]);
      expect(listed).toEqual([[ops]]);
      expect(held().messages.map((m) => m.text)).toEqual(['saved 110', 'saved 115']);
      expect(held().unread).toBe(1);
      expect(fresh.offlineCopyAt()).toBe('2026-12-03T08:00:00.000Z');

      connection.handlers[ClientEvents.Sync] = ({ since }) =>
        since === 120
          ? { ok: true, messages: [wire({ id: 115, deleted: true, message: '', rev: 125 }), wire({ id: 128, message: 'new since' })], more: false, channels: [], announcements: [], receipts: [], cursor: 128 }
          : { ok: true, messages: [], more: false, channels: [], announcements: [], receipts: [], cursor: since };
      await connection.connect();
      await flush();
      // (The store every spec starts, holding no copy, asks from 130.)
      expect(connection.sent(ClientEvents.Sync)).toContainEqual({ since: 120 });
      expect(held().messages.map((m) => [m.id, m.deleted ?? false])).toEqual([[110, false], [115, true], [128, false]]);
      expect(fresh.offlineCopyAt()).toBeNull();
    });

    it('drops a copy it cannot read and starts without it, still connecting', async () => {
      await copies.save({ ...saved(), conversations: [{ id: 'not a conversation id' } as unknown as OfflineCopy['conversations'][number]] });
      const fresh = TestBed.runInInjectionContext(() => new ChatStore());
      fresh.start(me);
      await flush();
      expect(fresh.restoring()).toBe(false);
      expect(await copies.load('cal')).toBeNull();
      await connection.connect();
      await flush();
      expect(fresh.hasConnected()).toBe(true);
    });

    it('shows nobody else\'s copy', async () => {
      await copies.save(saved({ user: 'sam' }));
      const fresh = TestBed.runInInjectionContext(() => new ChatStore());
      fresh.start(me);
      await flush();
      expect(fresh.conversations().find((c) => c.id === 'user:sam')).toBeUndefined();
      expect(fresh.offlineCopyAt()).toBeNull();
    });

    it('saves what it holds when the page is hidden, with the cursor it is consistent with, and nothing after signing out', async () => {
      connection.handlers[ClientEvents.Sync] = ({ since }) => ({ ok: true, messages: since < 140 ? [wire({ id: 140, message: 'kept' })] : [], more: false, channels: [], announcements: [], receipts: [], cursor: 140 });
      connection.handlers[ClientEvents.Directory] = () => ({ ok: true, users: [{ username: 'sam', display_name: 'Sam Staff', role: 'staff', online: true }, { username: 'sue', display_name: 'Sue', role: 'staff', online: false }], next_after: null });
      store.keepChannelsWith(() => [ops]);
      await connection.connect();
      visibility = 'hidden';
      // Signed out in another tab (it removed the remembered person): this tab does not save.
      visibilityListener!();
      await flush();
      expect(await copies.load('cal')).toBeNull();
      storage.set('parley.signedIn', JSON.stringify(me));
      visibilityListener!();
      await flush();
      const copy = await copies.load('cal');
      expect(copy).toEqual(expect.objectContaining({ user: 'cal', cursor: 140 }));
      expect(copy!.conversations.find((c) => c.id === 'user:sam')!.messages.map((m) => m.text)).toEqual(['kept']);
      // Only the people the saved conversations name, without their presence.
      expect(copy!.people).toEqual([{ username: 'sam', display_name: 'Sam Staff', role: 'staff' }]);
      expect(copy!.channels).toEqual([ops]);

      store.stopSaving();
      await copies.remove('cal');
      connection.push(ServerEvents.MessageFromUser, wire({ id: 141, message: 'after sign-out' }));
      visibilityListener!();
      await flush();
      expect(await copies.load('cal')).toBeNull();
    });
  });

  describe('outbox across reloads', () => {
    const left = (clientId: string, text: string): OutboxEntry => ({
      clientId,
      user: 'cal',
      conversation: 'user:sam',
      message: { key: clientId, id: null, clientId, text, senderName: 'cal', senderRole: 'staff', sentAt: '2026-12-03T09:00:00.000Z', mine: true, state: 'sending' },
    });

    it('sends what an earlier page left unacknowledged, with its client_id, once, and then forgets it', async () => {
      await outbox.put(left('cid-old', 'written offline'));
      const sent: Array<{ client_id?: string; message: string }> = [];
      connection.handlers[ClientEvents.SendMessage] = (p) => {
        sent.push({ client_id: p.client_id, message: p.message });
        return { ok: true, id: 950, sent_at: '2026-12-03T09:05:00.000Z', client_id: p.client_id ?? null, duplicate: false };
      };
      await connection.connect();
      await flush();
      expect(sent).toEqual([{ client_id: 'cid-old', message: 'written offline' }]);
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ key: 'cid-old', id: 950, state: 'sent', text: 'written offline' })]);
      expect(await outbox.list('cal')).toEqual([]);
    });

    it('keeps a message in the outbox until the server acknowledges it', async () => {
      await connection.connect();
      store.open('user:sam');
      await flush();
      let ack!: (value: SendAck) => void;
      connection.handlers[ClientEvents.SendMessage] = () => new Promise((resolve) => (ack = resolve));
      const sending = store.send('keep me');
      await flush();
      expect((await outbox.list('cal')).map((entry) => entry.message.text)).toEqual(['keep me']);
      ack({ ok: true, id: 960, sent_at: 'x', client_id: 'cid-1', duplicate: false });
      await sending;
      await flush();
      expect(await outbox.list('cal')).toEqual([]);
    });
  });

  describe('message states', () => {
    beforeEach(async () => {
      await connection.connect();
      store.open('user:sam');
      await flush();
    });

    it('goes sending -> sent with the server id when acknowledged', async () => {
      let ack!: (value: SendAck) => void;
      connection.handlers[ClientEvents.SendMessage] = () => new Promise((resolve) => (ack = resolve));
      const sending = store.send('hello');
      const [pending] = conversation('user:sam')!.messages;
      expect(pending).toMatchObject({ state: 'sending', id: null, text: 'hello' });
      ack({ ok: true, id: 500, sent_at: '2026-11-25T09:01:00.000Z', client_id: pending.clientId, duplicate: false });
      await sending;
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ state: 'sent', id: 500, key: pending.key })]);
    });

    it('sends uploaded files by id, with or without text, shows them while sending and keeps them on a retry', async () => {
      const plan = { id: 'f1', name: 'plan.png', size: 2000, content_type: 'image/png', sha256: 'ab', width: 640, height: 480, thumbnail_url: '/api/files/f1/thumbnail' };
      connection.handlers[ClientEvents.SendMessage] = () => ({ ok: false, error: { code: ErrorCodes.StorageFailed, message: 'disk' } });
      await store.send('', undefined, [plan]);
      const [failed] = conversation('user:sam')!.messages;
      const { sha256: _, ...attachment } = plan;
      expect(failed).toMatchObject({ state: 'failed', text: '', attachments: [attachment] });
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 504, sent_at: 'x', client_id: p.client_id ?? null, duplicate: false });
      await store.retry('user:sam', failed.key);
      expect(connection.sent(ClientEvents.SendMessage)).toEqual([
        { message: '', recipients: 'user:sam', client_id: failed.clientId, attachments: ['f1'] },
        { message: '', recipients: 'user:sam', client_id: failed.clientId, attachments: ['f1'] },
      ]);
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ state: 'sent', id: 504, attachments: [attachment] })]);
    });

    it('shows the text the server stored when an extension there changed it', async () => {
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 505, sent_at: 'x', client_id: p.client_id ?? null, duplicate: false, message: '*** it' });
      await store.send('darn it');
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ state: 'sent', id: 505, text: '*** it' })]);
    });

    it('goes sending -> failed on an error, and retry reuses the client_id', async () => {
      connection.handlers[ClientEvents.SendMessage] = () => ({ ok: false, error: { code: ErrorCodes.StorageFailed, message: 'disk' } });
      await store.send('try me');
      const [failed] = conversation('user:sam')!.messages;
      expect(failed).toMatchObject({ state: 'failed', error: 'disk' });
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 501, sent_at: 'x', client_id: p.client_id ?? null, duplicate: true });
      await store.retry('user:sam', failed.key);
      const sends = connection.sent(ClientEvents.SendMessage);
      expect(sends.map((s) => s.client_id)).toEqual([failed.clientId, failed.clientId]);
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ state: 'sent', id: 501 })]);
    });

    it('keeps a message sending while offline and sends it, same client_id, after the reconnect', async () => {
      connection.statusSignal.set('offline');
      await store.send('from the train');
      const [pending] = conversation('user:sam')!.messages;
      expect(pending.state).toBe('sending');
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 502, sent_at: 'x', client_id: p.client_id ?? null, duplicate: false });
      await connection.connect();
      await flush();
      const sends = connection.sent(ClientEvents.SendMessage);
      expect(sends.at(-1)!.client_id).toBe(pending.clientId);
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ state: 'sent', id: 502 })]);
    });

    it('keeps a message refused by a restarting server sending, and sends it again after the reconnect', async () => {
      connection.handlers[ClientEvents.SendMessage] = () => ({ ok: false, error: { code: ErrorCodes.ShuttingDown, message: 'restarting' } });
      await store.send('just before the restart');
      const [pending] = conversation('user:sam')!.messages;
      expect(pending).toMatchObject({ state: 'sending', id: null });
      connection.statusSignal.set('offline');
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 503, sent_at: 'x', client_id: p.client_id ?? null, duplicate: false });
      await connection.connect();
      await flush();
      const sends = connection.sent(ClientEvents.SendMessage);
      expect(sends.map((s) => s.client_id)).toEqual([pending.clientId, pending.clientId]);
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ state: 'sent', id: 503 })]);
    });

    it('ends sent when a late failure of a first attempt follows a successful retry', async () => {
      connection.handlers[ClientEvents.SendMessage] = () => ({ ok: false, error: { code: ErrorCodes.StorageFailed, message: 'disk' } });
      await store.send('flaky');
      const [failed] = conversation('user:sam')!.messages;
      // The retry is stored; the server says duplicate because the first attempt did land.
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 650, sent_at: 'x', client_id: p.client_id ?? null, duplicate: true });
      connection.push(ServerEvents.MessageFromUser, wire({ id: 650, sender_name: 'cal', target: 'sam', message: 'flaky', client_id: failed.clientId }));
      await store.retry('user:sam', failed.key);
      expect(conversation('user:sam')!.messages).toEqual([expect.objectContaining({ id: 650, state: 'sent' })]);
    });

    it('shows a message once when its echo arrives before its ack', async () => {
      let ack!: (value: SendAck) => void;
      connection.handlers[ClientEvents.SendMessage] = () => new Promise((resolve) => (ack = resolve));
      const sending = store.send('echo');
      const [pending] = conversation('user:sam')!.messages;
      connection.push(ServerEvents.MessageFromUser, wire({ id: 600, sender_name: 'cal', target: 'sam', message: 'echo', client_id: pending.clientId }));
      ack({ ok: true, id: 600, sent_at: 'x', client_id: pending.clientId, duplicate: false });
      await sending;
      expect(conversation('user:sam')!.messages.map((m) => m.id)).toEqual([600]);
    });
  });

  describe('unread counts', () => {
    beforeEach(() => connection.connect());

    it('counts others\' messages in conversations not being read, once per message', () => {
      const message = wire({ id: 700 });
      connection.push(ServerEvents.MessageFromUser, message);
      connection.push(ServerEvents.MessageFromUser, message); // replayed twice: still one
      connection.push(ServerEvents.MessageFromUser, wire({ id: 701, target_kind: 'group', target: 'client', sender_name: 'ada' }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 702, sender_name: 'cal', target: 'sam' })); // my own
      expect(conversation('user:sam')!.unread).toBe(1);
      expect(conversation('group:client')!.unread).toBe(1);
      expect(store.unreadTotal()).toBe(2);
    });

    it('does not count what arrives in the open conversation while the tab is visible', async () => {
      store.open('user:sam');
      connection.push(ServerEvents.MessageFromUser, wire({ id: 710 }));
      expect(conversation('user:sam')!.unread).toBe(0);
      visibility = 'hidden';
      connection.push(ServerEvents.MessageFromUser, wire({ id: 711 }));
      expect(conversation('user:sam')!.unread).toBe(1);
    });

    it('clears on open, telling the server how far it was read', async () => {
      connection.push(ServerEvents.MessageFromUser, wire({ id: 720 }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 721 }));
      store.open('user:sam');
      await flush();
      expect(conversation('user:sam')!.unread).toBe(0);
      expect(connection.sent(ClientEvents.MarkRead)[0]).toEqual({ conversation: 'user:sam', up_to: 721 });
    });

    it('remembers where the unread messages started when a conversation is opened, for the "New" divider', async () => {
      connection.push(ServerEvents.MessageFromUser, wire({ id: 760 }));
      await store.markRead('user:sam');
      connection.push(ServerEvents.MessageFromUser, wire({ id: 761 }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 762 }));
      store.open('user:sam');
      await flush();
      expect(conversation('user:sam')).toMatchObject({ newAfter: 760, unread: 0, lastReadId: 762 });
      // Opened again while open (a reconnect): the divider stays.
      store.open('user:sam');
      expect(conversation('user:sam')!.newAfter).toBe(760);
      // A later visit with nothing unread has none.
      store.open('group:client');
      store.open('user:sam');
      expect(conversation('user:sam')!.newAfter).toBeNull();
    });

    it('loads back to the first unread message when the first page of history does not reach it', async () => {
      const page = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => wire({ id: from + i }));
      connection.handlers[ClientEvents.History] = (payload) =>
        payload.before === undefined ? { ok: true, messages: page(151, 200), more: true, channels: [], announcements: [], receipts: [], cursor: 0 } : { ok: true, messages: page(100, 150), more: true, channels: [], announcements: [], receipts: [], cursor: 0 };
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true,
        conversations: [{ conversation: 'user:sam', last: wire({ id: 200 }), last_truncated: false, unread: 80, last_read_id: 120, mentions: 0, notify: 'all' }],
        more: false,
      });
      await connection.connect();
      store.open('user:sam');
      await eventually(() => expect(connection.sent(ClientEvents.History)).toEqual([{ conversation: 'user:sam' }, { conversation: 'user:sam', before: 151, limit: 200 }]));
      expect(conversation('user:sam')!.newAfter).toBe(120);
      expect(conversation('user:sam')!.messages[0].id).toBe(100);
    });

    it('reads the open conversation when the tab becomes visible again', async () => {
      store.open('user:sam');
      visibility = 'hidden';
      connection.push(ServerEvents.MessageFromUser, wire({ id: 750 }));
      expect(conversation('user:sam')!.unread).toBe(1);
      visibility = 'visible';
      visibilityListener!();
      await flush();
      expect(conversation('user:sam')!.unread).toBe(0);
    });

    it('clears when the user read the conversation on another device', () => {
      connection.push(ServerEvents.MessageFromUser, wire({ id: 730 }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 731 }));
      connection.push(ServerEvents.Read, { conversation: 'user:sam', up_to: 730 });
      expect(conversation('user:sam')!.unread).toBe(1);
    });

    it('shows a cut-short preview from the list until history brings the whole message', async () => {
      const whole = wire({ id: 741, message: 'x'.repeat(1000) });
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true,
        conversations: [{ conversation: 'user:sam', last: { ...whole, message: 'x'.repeat(300) }, last_truncated: true, unread: 1, last_read_id: 0, mentions: 0, notify: 'all' }],
        more: false,
      });
      connection.handlers[ClientEvents.History] = () => ({ ok: true, messages: [whole], more: false, channels: [], announcements: [], receipts: [], cursor: 0 });
      await connection.connect();
      expect(conversation('user:sam')!.messages.map((m) => m.text.length)).toEqual([300]);
      store.open('user:sam');
      await flush();
      expect(conversation('user:sam')!.messages.map((m) => [m.text.length, m.partial])).toEqual([[1000, undefined]]);
    });

    it('starts from the server\'s counts', async () => {
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true,
        conversations: [{ conversation: 'group:client', last: wire({ id: 740, target_kind: 'group', target: 'client' }), last_truncated: false, unread: 7, last_read_id: 0, mentions: 0, notify: 'all' }],
        more: false,
      });
      await connection.connect();
      expect(conversation('group:client')!.unread).toBe(7);
    });
  });

  describe('reconnect and sync', () => {
    it('replays from the last id seen, page by page, and shows nothing twice', async () => {
      await connection.connect();
      expect(store.lastSeenId).toBe(100); // a first visit starts at the server's latest id
      connection.push(ServerEvents.MessageFromUser, wire({ id: 101 }));
      expect(store.lastSeenId).toBe(101);

      connection.statusSignal.set('offline');
      expect(store.reconnecting()).toBe(true);
      const pages = [
        { ok: true as const, messages: [wire({ id: 101 }), wire({ id: 102 })], more: true, channels: [], announcements: [], receipts: [], cursor: 0 },
        { ok: true as const, messages: [wire({ id: 103 })], more: false, channels: [], announcements: [], receipts: [], cursor: 0 },
      ];
      connection.handlers[ClientEvents.Sync] = () => pages.shift()!;
      await connection.connect();
      await flush();

      const syncs = connection.sent(ClientEvents.Sync).map((p) => p.since);
      expect(syncs.slice(-2)).toEqual([101, 102]);
      expect(conversation('user:sam')!.messages.map((m) => m.id)).toEqual([101, 102, 103]);
      expect(store.lastSeenId).toBe(103);
      expect(store.reconnecting()).toBe(false);
    });

    it('misses nothing when a live message arrives before the catch-up runs', async () => {
      await connection.connect(); // cursor 100
      connection.statusSignal.set('offline');
      // 101-103 were stored while offline; 104 arrives live during the reconnect, before sync.
      connection.handlers[ClientEvents.Conversations] = () => {
        connection.push(ServerEvents.MessageFromUser, wire({ id: 104 }));
        return { ok: true, conversations: [], more: false };
      };
      connection.handlers[ClientEvents.Sync] = (p) => ({
        ok: true,
        messages: [101, 102, 103, 104].filter((id) => id > p.since).map((id) => wire({ id })),
        more: false,
        channels: [],
        announcements: [],
        receipts: [],
        cursor: 104,
      });
      await connection.connect();
      await flush();
      expect(connection.sent(ClientEvents.Sync).at(-1)!.since).toBe(100);
      expect(conversation('user:sam')!.messages.map((m) => m.id)).toEqual([101, 102, 103, 104]);
    });

    it('does not count replayed messages the server already counted as unread', async () => {
      await connection.connect();
      connection.statusSignal.set('offline');
      const missed = [201, 202, 203].map((id) => wire({ id }));
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true,
        conversations: [{ conversation: 'user:sam', last: missed[2], last_truncated: false, unread: 3, last_read_id: 0, mentions: 0, notify: 'all' }],
        more: false,
      });
      connection.handlers[ClientEvents.Sync] = () => ({ ok: true, messages: missed, more: false, channels: [], announcements: [], receipts: [], cursor: 0 });
      await connection.connect();
      await flush();
      expect(conversation('user:sam')!.unread).toBe(3);
      expect(store.unreadTotal()).toBe(3);
    });

    it('loads and reads the conversation opened before the connection was up', async () => {
      store.open('group:client'); // the page does this before connecting
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true,
        conversations: [{ conversation: 'group:client', last: wire({ id: 300, target_kind: 'group', target: 'client' }), last_truncated: false, unread: 5, last_read_id: 0, mentions: 0, notify: 'all' }],
        more: false,
      });
      connection.handlers[ClientEvents.History] = () => ({
        ok: true,
        messages: [wire({ id: 299, target_kind: 'group', target: 'client' }), wire({ id: 300, target_kind: 'group', target: 'client' })],
        more: false,
        receipts: [],
      });
      await connection.connect();
      await flush();
      expect(conversation('group:client')!.messages.map((m) => m.id)).toEqual([299, 300]);
      expect(conversation('group:client')!.unread).toBe(0);
      expect(connection.sent(ClientEvents.MarkRead)[0]).toEqual({ conversation: 'group:client', up_to: 300 });
    });

    it('remembers the last id across page loads', async () => {
      storage.set('parley.lastSeen.cal', '250');
      await connection.connect();
      expect(connection.sent(ClientEvents.Sync)[0]).toEqual({ since: 250 });
    });

    it('shows the server\'s refusal when verify fails (signed out elsewhere)', async () => {
      connection.handlers[ClientEvents.VerifyUser] = () => ({ ok: false, error: { code: ErrorCodes.NotAuthorised, message: 'This session has ended' } });
      await connection.connect();
      expect(store.error()).toBe('This session has ended');
    });
  });

  it('throttles typing per conversation, not across conversations (TypingStore)', async () => {
    const typing = TestBed.inject(TypingStore);
    await connection.connect();
    store.open('user:sam');
    typing.noteTyping();
    typing.noteTyping();
    store.open('group:staff');
    typing.noteTyping();
    expect(connection.sent(ClientEvents.Typing).map((p) => p.conversation)).toEqual([
      'user:sam',
      'group:staff',
    ]);
  });

  it('shows who types where, a team conversation\'s typists in it (TypingStore)', async () => {
    const typing = TestBed.inject(TypingStore);
    await connection.connect();
    connection.push(ServerEvents.Typing, { user_name: 'sam', target_kind: 'team', target: 'staff', guest: 'cal' });
    connection.push(ServerEvents.Typing, { user_name: 'sam', target_kind: 'user', target: 'cal' });
    expect([...typing.typing().entries()]).toEqual([['team:staff:cal', ['sam']], ['user:sam', ['sam']]]);
  });

  describe('notifications', () => {
    beforeEach(() => connection.connect());

    it('asks for permission when switched on, and stays off if refused', async () => {
      grant = 'denied';
      await store.enableNotifications(true);
      expect(store.notificationsEnabled()).toBe(false);
      grant = 'granted';
      await store.enableNotifications(true);
      expect(store.notificationsEnabled()).toBe(true);
      expect(storage.get('parley.notify.cal')).toBe('on');
    });

    it('notifies of new messages only while the tab is hidden', async () => {
      await store.enableNotifications(true);
      connection.push(ServerEvents.MessageFromUser, wire({ id: 800, message: 'seen anyway' }));
      visibility = 'hidden';
      connection.push(ServerEvents.MessageFromUser, wire({ id: 801, message: 'while away' }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 802, sender_name: 'cal', target: 'sam', message: 'mine' }));
      expect(shown).toEqual(['sam: while away']);
    });

    it('stays silent in do not disturb, and chimes with a notification when the sound is on', async () => {
      await store.enableNotifications(true);
      visibility = 'hidden';
      const settings = TestBed.inject(NotificationSettings);
      settings.update({ dnd: true, sound: true });
      connection.push(ServerEvents.MessageFromUser, wire({ id: 810, message: 'during dnd' }));
      expect(shown).toEqual([]);
      expect(chimes).toBe(0);
      settings.update({ dnd: false });
      connection.push(ServerEvents.MessageFromUser, wire({ id: 811, message: 'after dnd' }));
      expect(shown).toEqual(['sam: after dnd']);
      expect(chimes).toBe(1);
    });
  });

  it('lists the groups it reads, and for each group it only writes to its own team conversation', async () => {
    await connection.connect();
    const ids = () => store.conversations().filter((c) => c.kind === 'group' || c.kind === 'team').map((c) => c.id).sort();
    expect(ids()).toEqual(['group:client', 'team:admin:cal', 'team:staff:cal']);
    expect(store.groupConversations()).toEqual({ admin: 'team:admin:cal', staff: 'team:staff:cal' });
    store.open('group:client');
    expect(store.canPost()).toBe(false);
    store.open('team:staff:cal');
    expect(store.canPost()).toBe(true);
  });

  it('drops a group the shared table guessed when the server lists another conversation for it, unless something is in it', async () => {
    // Before verify the table's default gives the same answer; a server with another table may not.
    connection.handlers[ClientEvents.VerifyUser] = () => ({
      ok: true, user: me, latest_id: 100, max_message_bytes: 16384, groups: ['staff'], read_groups: ['client', 'staff'], edit_window_ms: 15 * 60_000, read_receipts: true, file_limits: { max_bytes: 100_000_000, allowed_types: ['*'] }, group_conversations: { staff: 'group:staff' },
    });
    await connection.connect();
    const ids = store.conversations().filter((c) => c.kind === 'group' || c.kind === 'team').map((c) => c.id).sort();
    expect(ids).toEqual(['group:client', 'group:staff']);
  });

  describe('team conversations, mentions and notify settings', () => {
    const staff: PublicUser = { username: 'sam', display_name: 'Sam', role: 'staff' };
    const fromCleo = (over: Partial<WireMessage> = {}) =>
      wire({ sender_name: 'cleo', sender_role: 'client', target_kind: 'team', target: 'staff', guest: 'cleo', ...over });

    it('files a guest\'s post and a team member\'s reply in one team conversation, and lets the team reply', async () => {
      await connection.connect();
      connection.push(ServerEvents.MessageFromUser, wire({ id: 900, sender_name: 'sam', target_kind: 'team', target: 'staff', guest: 'cal' }));
      expect(conversation('team:staff:cal')!.messages.map((m) => m.id)).toEqual([900]);
      expect(conversation('team:staff:cal')!.unread).toBe(1);
    });

    it('counts unread mentions from the list, then live, and clears them when read', async () => {
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true,
        conversations: [{ conversation: 'user:sam', last: wire({ id: 910 }), last_truncated: false, unread: 3, last_read_id: 0, mentions: 2, notify: 'mentions' }],
        more: false,
      });
      await connection.connect();
      expect(conversation('user:sam')).toMatchObject({ unread: 3, mentions: 2, notify: 'mentions' });
      connection.push(ServerEvents.MessageFromUser, wire({ id: 911, mentions: ['cal'] }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 912, target_kind: 'group', target: 'client', mentions: ['@channel'] }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 913, target_kind: 'group', target: 'client', mentions: ['dora'] }));
      expect(conversation('user:sam')!.mentions).toBe(3);
      expect(conversation('group:client')!.mentions).toBe(1);
      expect(store.mentionsTotal()).toBe(4);
      expect(conversation('user:sam')!.messages.find((m) => m.id === 911)).toMatchObject({ mentionsMe: true, mentions: ['cal'] });

      connection.push(ServerEvents.Read, { conversation: 'group:client', up_to: 913 });
      expect(conversation('group:client')!.mentions).toBe(0);
      store.open('user:sam');
      await flush();
      expect(conversation('user:sam')!.mentions).toBe(0);
      expect(store.mentionsTotal()).toBe(0);
    });

    it('notifies per conversation: all, mentions only (a mention still notifies), or nothing', async () => {
      await connection.connect();
      await store.enableNotifications(true);
      visibility = 'hidden';
      store.show('user:sam');
      connection.handlers[ClientEvents.SetNotify] = (p) => ({ ok: true, conversation: p.conversation, notify: p.notify });
      await store.setNotify('user:sam', 'mentions');
      await store.setNotify('group:client', 'nothing');
      connection.push(ServerEvents.MessageFromUser, wire({ id: 920, message: 'no mention' }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 921, message: '@cal look', mentions: ['cal'] }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 922, target_kind: 'group', target: 'client', message: '@channel hi', mentions: ['@channel'] }));
      connection.push(ServerEvents.MessageFromUser, wire({ id: 923, target_kind: 'team', target: 'staff', guest: 'cal', message: 'team reply' }));
      expect(shown).toEqual(['sam: @cal look', 'sam in Staff: team reply']);
      expect(connection.sent(ClientEvents.SetNotify)).toEqual([
        { conversation: 'user:sam', notify: 'mentions' },
        { conversation: 'group:client', notify: 'nothing' },
      ]);
    });

    it('puts the old setting back when the server refuses, and applies changes made on other devices', async () => {
      await connection.connect();
      store.show('user:sam');
      connection.handlers[ClientEvents.SetNotify] = () => ({ ok: false, error: { code: ErrorCodes.Forbidden, message: 'no' } });
      await store.setNotify('user:sam', 'nothing');
      expect(conversation('user:sam')!.notify).toBe('all');
      expect(store.error()).toContain('no');
      connection.push(ServerEvents.NotifyChanged, { conversation: 'user:sam', notify: 'mentions' });
      expect(conversation('user:sam')!.notify).toBe('mentions');
    });

    it('marks the viewer\'s own @names as they send, people from the directory and @here alike', async () => {
      connection.handlers[ClientEvents.Directory] = () => ({ ok: true, users: [{ ...staff, online: true }], next_after: null });
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 930, sent_at: 'x', client_id: p.client_id ?? null, duplicate: false });
      await connection.connect();
      store.open('team:staff:cal');
      await store.send('@sam and @here, not @nobody');
      expect(conversation('team:staff:cal')!.messages.at(-1)!.mentions).toEqual(['sam', '@here']);
      expect(connection.sent(ClientEvents.SendMessage).at(-1)!.recipients).toBe('team:staff:cal');
    });

    it('hands each sync\'s channels on, and forgets or renames channel conversations when told', async () => {
      const news: ChannelInfo = {
        conversation: 'channel:news', name: 'news', topic: '', visibility: 'public', builtin: false, archived: false,
        member: true, manageable: false, member_count: 2, created_by: 'sam', created_at: '2026-12-01T00:00:00.000Z',
      };
      const synced: ChannelInfo[][] = [];
      store.channelsSynced$.subscribe((channels) => synced.push(channels));
      connection.handlers[ClientEvents.Sync] = () => ({ ok: true, messages: [wire({ id: 940, target_kind: 'channel', target: 'news' })], more: false, channels: [news], announcements: [], receipts: [], cursor: 0 });
      await connection.connect();
      expect(synced).toEqual([[news]]);
      store.open('channel:news');
      store.rename('channel:news', 'channel:headlines');
      expect(store.activeId()).toBe('channel:headlines');
      expect(conversation('channel:headlines')).toMatchObject({ name: 'headlines', kind: 'channel' });
      expect(conversation('channel:headlines')!.messages.map((m) => m.id)).toEqual([940]);
      store.forget('channel:headlines');
      expect(conversation('channel:headlines')).toBeUndefined();
      expect(store.activeId()).toBeNull();
    });
  });

  describe('reads the server limits', () => {
    it('asks again after retry_after_ms when a read is refused with RATE_LIMITED', async () => {
      let refusals = 2;
      connection.handlers[ClientEvents.Sync] = () =>
        refusals-- > 0
          ? { ok: false, error: { code: ErrorCodes.RateLimited, message: 'too many reads', retry_after_ms: 1 } }
          : { ok: true, messages: [wire({ id: 101 })], more: false, channels: [], announcements: [], receipts: [], cursor: 0 };
      await connection.connect();
      await eventually(() => conversation('user:sam')?.messages.length === 1 && !store.syncing(), { what: 'message 101 synced' });
      expect(connection.sent(ClientEvents.Sync)).toHaveLength(3);
      expect(conversation('user:sam')!.messages.map((m) => m.id)).toEqual([101]);
    });

    it('keeps catching up through many refusals of a multi-page sync, and never gives up while online', async () => {
      // More refusals than the old five attempts, on every page: several tabs of one user syncing at once.
      let refusals = 0;
      const pages = [
        { ok: true as const, messages: [wire({ id: 101 }), wire({ id: 102 })], more: true, channels: [], announcements: [], receipts: [], cursor: 0 },
        { ok: true as const, messages: [wire({ id: 103 })], more: false, channels: [], announcements: [], receipts: [], cursor: 0 },
      ];
      connection.handlers[ClientEvents.Sync] = () =>
        refusals++ % 8 !== 7 ? { ok: false, error: { code: ErrorCodes.RateLimited, message: 'too many reads', retry_after_ms: 1 } } : pages.shift()!;
      await connection.connect();
      await eventually(() => store.lastSeenId === 103 && !store.syncing(), { what: 'both pages synced' });
      expect(connection.sent(ClientEvents.Sync)).toHaveLength(16);
      expect(conversation('user:sam')!.messages.map((m) => m.id)).toEqual([101, 102, 103]);
      expect(store.lastSeenId).toBe(103);
      expect(store.error()).toBeNull();
    });

    it('says so when a sync is refused for another reason while online', async () => {
      connection.handlers[ClientEvents.Sync] = () => ({ ok: false, error: { code: ErrorCodes.StorageFailed, message: 'database busy' } });
      await connection.connect();
      await flush();
      expect(store.error()).toContain('database busy');
    });

    it('pages the conversation list with `before`, appending older conversations once each', async () => {
      const summary = (name: string, id: number, unread = 1) => ({
        conversation: ConversationIds.user(name),
        last: wire({ id, sender_name: name }),
        last_truncated: false,
        unread,
        mentions: 0,
        last_read_id: 0,
        notify: 'all' as const,
      });
      // Two pages on the server: ann (500), bo (400) | cy (300), dee (200).
      connection.handlers[ClientEvents.Conversations] = (p) =>
        p?.before === undefined
          ? { ok: true, conversations: [summary('ann', 500), summary('bo', 400)], more: true }
          : p?.before === 400
            ? { ok: true, conversations: [summary('cy', 300, 2), summary('dee', 200)], more: false }
            : { ok: false, error: { code: ErrorCodes.InvalidPayload, message: 'unexpected before' } };
      await connection.connect();
      expect(connection.sent(ClientEvents.Conversations)[0]).toEqual({});
      expect(store.conversationsBefore()).toBe(400);
      const direct = () => store.conversations().filter((c) => c.kind === 'user').map((c) => c.id);
      expect(direct()).toEqual(['user:ann', 'user:bo']);

      // cy writes while the older page is out: its summary (an older message) must not list it
      // twice nor lose the new message from the unread count.
      const answer = connection.handlers[ClientEvents.Conversations];
      connection.handlers[ClientEvents.Conversations] = (p) => {
        connection.push(ServerEvents.MessageFromUser, wire({ id: 600, sender_name: 'cy' }));
        return answer!(p);
      };
      // A second click while the page is out asks for the same page; it is applied once.
      await Promise.all([store.loadOlderConversations(), store.loadOlderConversations()]);
      expect(direct()).toEqual(['user:cy', 'user:ann', 'user:bo', 'user:dee']);
      expect(conversation('user:cy')!.messages.map((m) => m.id)).toEqual([300, 600]);
      expect(conversation('user:cy')!.unread).toBe(3);
      expect(conversation('user:dee')!.unread).toBe(1);
      expect(store.conversationsBefore()).toBeNull();
      expect(connection.sent(ClientEvents.Conversations)).toEqual([{}, { before: 400 }, { before: 400 }]);

      // A reconnect reloads the first page but keeps what was paged in, and the end of the list.
      connection.handlers[ClientEvents.Conversations] = answer;
      connection.statusSignal.set('offline');
      await connection.connect();
      expect(store.conversationsBefore()).toBeNull();
      expect(direct()).toEqual(['user:cy', 'user:ann', 'user:bo', 'user:dee']);
    });

    it('loads the directory page by page and searches it on the server', async () => {
      const person = (username: string) => ({ username, display_name: username, role: 'staff' as const, online: username === 'bo' });
      connection.handlers[ClientEvents.Directory] = (p) =>
        p?.q ? { ok: true, users: [person('zed')], next_after: null }
        : p?.after === 'bo' ? { ok: true, users: [person('cy')], next_after: null }
        : { ok: true, users: [person('al'), person('bo')], next_after: 'bo' };
      await connection.connect();
      expect(store.directory().map((p) => p.username)).toEqual(['al', 'bo']);
      expect(store.directoryNext()).toBe('bo');
      expect(store.online().has('bo')).toBe(true);
      // Someone on a page not loaded yet may still be messaged: the server decides.
      store.open('user:cy');
      expect(store.canPost()).toBe(true);

      await store.loadMoreDirectory();
      expect(store.directory().map((p) => p.username)).toEqual(['al', 'bo', 'cy']);
      expect(store.directoryNext()).toBeNull();

      await store.refreshDirectory('ze');
      expect(connection.sent(ClientEvents.Directory).at(-1)).toEqual({ q: 'ze' });
      expect(store.directory().map((p) => p.username)).toEqual(['zed']);
      // Presence learnt from earlier pages stays.
      expect(store.online().has('bo')).toBe(true);
    });
  });
});
