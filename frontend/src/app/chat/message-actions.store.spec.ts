import { TestBed } from '@angular/core/testing';
import { type AckOf, ClientEvents, ErrorCodes, type PublicUser, type ReadReceipt, ServerEvents, type WireMessage } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { CLOCK, ID_GENERATOR, NOTIFIER, STORAGE, WINDOW } from '../core/tokens';
import { FakeConnection, flush } from '../../testing/fake-connection';
import { ChatStore } from './chat.store';
import { MessageActionsStore } from './message-actions.store';

type SyncAck = AckOf<typeof ClientEvents.Sync>;
type HistoryAck = AckOf<typeof ClientEvents.History>;

const NOW = Date.parse('2026-12-02T10:00:00.000Z');
const me: PublicUser = { username: 'cal', display_name: 'Cal', role: 'staff' };
/** A message in cal's DM with sam, sent a minute ago (within a 15-minute edit window). */
function wire(over: Partial<WireMessage> & { id: number }): WireMessage {
  return {
    message: `m${over.id}`,
    sender: 'sock',
    sender_name: 'sam',
    sent_at: new Date(NOW - 60_000).toISOString(),
    sender_role: 'staff',
    target_kind: 'user',
    target: 'cal',
    client_id: null,
    ...over,
  };
}
const mine = (over: Partial<WireMessage> & { id: number }) => wire({ sender_name: 'cal', target: 'sam', client_id: `c${over.id}`, ...over });
const syncPage = (over: Partial<SyncAck & { ok: true }> = {}): SyncAck => ({
  ok: true, messages: [], more: false, channels: [], announcements: [], receipts: [], cursor: 0, ...over,
});
const historyPage = (over: Partial<HistoryAck & { ok: true }> = {}): HistoryAck => ({ ok: true, messages: [], more: false, receipts: [], ...over });

/** The two methods of Storage the store uses. */
function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

/**
 * A message's life in the store: edits, deletes, reactions and replies asked for and their
 * answers, the same changes arriving live or replayed by sync, and read receipts.
 */
describe('MessageActionsStore and ChatStore: a message after it is sent', () => {
  let connection: FakeConnection;
  let chat: ChatStore;
  let actions: MessageActionsStore;
  let role: PublicUser['role'];
  let editWindow: number | null;
  let history: HistoryAck;

  async function start(): Promise<void> {
    connection = new FakeConnection();
    connection.handlers = {
      [ClientEvents.VerifyUser]: () => ({
        ok: true, user: { ...me, role }, latest_id: 100, max_message_bytes: 16384, groups: ['staff'], read_groups: ['staff'],
        group_conversations: { staff: 'group:staff' }, edit_window_ms: editWindow, read_receipts: true, file_limits: { max_bytes: 100_000_000, allowed_types: ['*'] },
      }),
      [ClientEvents.Conversations]: () => ({ ok: true, conversations: [], more: false }),
      [ClientEvents.Directory]: () => ({ ok: true, users: [], next_after: null }),
      [ClientEvents.Sync]: () => syncPage({ cursor: 100 }),
      [ClientEvents.History]: () => history,
    };
    TestBed.configureTestingModule({
      providers: [
        ChatStore,
        MessageActionsStore,
        { provide: ChatConnection, useValue: connection },
        { provide: CLOCK, useValue: () => NOW },
        { provide: NOTIFIER, useValue: { supported: false, permission: () => 'denied', requestPermission: async () => 'denied', show: () => undefined } },
        { provide: STORAGE, useValue: memoryStorage() },
        { provide: ID_GENERATOR, useValue: () => 'cid' },
        { provide: WINDOW, useValue: { document: { visibilityState: 'visible', addEventListener: () => undefined, removeEventListener: () => undefined } } },
      ],
    });
    chat = TestBed.inject(ChatStore);
    actions = TestBed.inject(MessageActionsStore);
    chat.start({ ...me, role });
    await connection.connect();
    chat.open('user:sam');
    await flush();
  }

  beforeEach(async () => {
    role = 'staff';
    editWindow = 15 * 60_000;
    history = historyPage({ messages: [wire({ id: 10 }), mine({ id: 11, message: 'helo' }), wire({ id: 12 })], more: true });
    await start();
  });

  const dm = () => chat.conversations().find((c) => c.id === 'user:sam')!;
  const held = (id: number) => dm().messages.find((m) => m.id === id)!;

  describe('edit', () => {
    it('offers Edit on one\'s own messages within the window only, and never when the window is 0', async () => {
      expect(actions.canEdit(held(11))).toBe(true);
      expect(actions.canEdit(held(10))).toBe(false);
      history = historyPage({ messages: [mine({ id: 11, sent_at: new Date(NOW - 16 * 60_000).toISOString() })] });
      TestBed.resetTestingModule();
      await start();
      expect(actions.canEdit(held(11))).toBe(false);
      editWindow = null;
      TestBed.resetTestingModule();
      await start();
      expect(actions.canEdit(held(11))).toBe(true);
      editWindow = 0;
      TestBed.resetTestingModule();
      history = historyPage({ messages: [mine({ id: 11 })] });
      await start();
      expect(actions.canEdit(held(11))).toBe(false);
    });

    it('saves the new text with the server\'s rev and time, marking it edited', async () => {
      connection.handlers[ClientEvents.EditMessage] = (p) => ({ ok: true, id: p.id, rev: 200, edited_at: '2026-12-02T10:00:01.000Z' });
      actions.startEdit('user:sam', held(11));
      actions.setEditText('hello');
      await actions.saveEdit();
      expect(connection.sent(ClientEvents.EditMessage)).toEqual([{ id: 11, message: 'hello' }]);
      expect(held(11)).toMatchObject({ text: 'hello', rev: 200, editedAt: '2026-12-02T10:00:01.000Z' });
      expect(held(11).pending).toBeUndefined();
      expect(actions.editing()).toBeNull();
    });

    it('keeps the editor open with the typed text and a clear reason when refused, and saves on the next try', async () => {
      connection.handlers[ClientEvents.EditMessage] = () => ({ ok: false, error: { code: ErrorCodes.EditWindowClosed, message: 'closed' } });
      actions.startEdit('user:sam', held(11));
      actions.setEditText('hello there');
      await actions.saveEdit();
      expect(actions.editing()).toMatchObject({ text: 'hello there', saving: false, error: 'Too late to edit this message.' });
      expect(held(11).text).toBe('helo');
      connection.handlers[ClientEvents.EditMessage] = (p) => ({ ok: true, id: p.id, rev: 201, edited_at: 'x' });
      await actions.saveEdit();
      expect(held(11).text).toBe('hello there');
      expect(actions.editing()).toBeNull();
    });

    it('shows the edit as pending until the answer, and keeps the editor through messages arriving meanwhile', async () => {
      let answer!: (ack: AckOf<typeof ClientEvents.EditMessage>) => void;
      connection.handlers[ClientEvents.EditMessage] = () => new Promise((resolve) => (answer = resolve));
      actions.startEdit('user:sam', held(11));
      actions.setEditText('hello');
      const saving = actions.saveEdit();
      expect(held(11).pending).toBe('edit');
      expect(actions.editing()).toMatchObject({ saving: true, text: 'hello' });
      connection.push(ServerEvents.MessageFromUser, wire({ id: 13 }));
      expect(actions.editing()).toMatchObject({ text: 'hello' });
      answer({ ok: false, error: { code: ErrorCodes.Internal, message: 'No answer from the server' } });
      await saving;
      expect(actions.editing()).toMatchObject({ text: 'hello', error: 'Not saved: No answer from the server' });
      expect(held(11).pending).toBeUndefined();
    });

    it('edits one\'s newest message with Up in an empty composer, and not someone else\'s', () => {
      expect(actions.editLast('user:sam')).toBe(true);
      expect(actions.editing()).toMatchObject({ id: 11, text: 'helo' });
    });

    it('applies others\' edits live, also to the conversation\'s preview, and ignores an older copy', () => {
      connection.push(ServerEvents.MessageEdited, wire({ id: 12, message: 'fixed', rev: 300, edited_at: 'y' }));
      expect(held(12)).toMatchObject({ text: 'fixed', editedAt: 'y', rev: 300 });
      expect(dm().messages.at(-1)!.text).toBe('fixed');
      connection.push(ServerEvents.MessageEdited, wire({ id: 12, message: 'older', rev: 250, edited_at: 'z' }));
      expect(held(12).text).toBe('fixed');
      expect(dm().messages.filter((m) => m.id === 12)).toHaveLength(1);
    });
  });

  describe('delete', () => {
    it('lets one delete one\'s own messages, and an admin any message (moderation)', async () => {
      expect(actions.canDelete(held(11))).toBe(true);
      expect(actions.canDelete(held(10))).toBe(false);
      role = 'admin';
      TestBed.resetTestingModule();
      await start();
      expect(actions.canDelete(held(10))).toBe(true);
      expect(actions.isModeration(held(10))).toBe(true);
      expect(actions.isModeration(held(11))).toBe(false);
    });

    it('turns the message into a tombstone when the server agrees', async () => {
      connection.handlers[ClientEvents.DeleteMessage] = (p) => ({ ok: true, id: p.id, rev: 400 });
      await actions.remove('user:sam', held(11));
      expect(held(11)).toMatchObject({ deleted: true, text: '', rev: 400 });
    });

    it('says why a delete failed, keeps the message, and tries again on request', async () => {
      connection.handlers[ClientEvents.DeleteMessage] = () => ({ ok: false, error: { code: ErrorCodes.EditWindowClosed, message: 'closed' } });
      await actions.remove('user:sam', held(11));
      expect(held(11)).toMatchObject({ text: 'helo', actionError: 'Too late to delete this message.' });
      expect(held(11).deleted).toBeUndefined();
      connection.handlers[ClientEvents.DeleteMessage] = (p) => ({ ok: true, id: p.id, rev: 401 });
      await actions.retry(11);
      expect(held(11)).toMatchObject({ deleted: true });
      expect(held(11).actionError).toBeUndefined();
    });

    it('shows others\' deletes live as a tombstone in place, and quotes of it as deleted', () => {
      connection.push(ServerEvents.MessageFromUser, wire({ id: 13, reply_to: { id: 10, sender_name: 'sam', excerpt: 'm10' } }));
      connection.push(ServerEvents.MessageDeleted, wire({ id: 10, message: '', deleted: true, rev: 402 }));
      expect(dm().messages.map((m) => m.id)).toEqual([10, 11, 12, 13]);
      expect(held(10)).toMatchObject({ deleted: true, text: '' });
      expect(held(13).replyTo).toEqual({ id: 10, sender_name: 'sam', excerpt: '', deleted: true });
    });
  });

  describe('reactions', () => {
    it('adds the viewer\'s reaction, then takes it back, from the server\'s answer', async () => {
      connection.handlers[ClientEvents.React] = (p) => ({
        ok: true, id: p.id, rev: p.on ? 500 : 501, reactions: p.on ? [{ emoji: '👍', users: ['sam', 'cal'] }] : [{ emoji: '👍', users: ['sam'] }],
      });
      await actions.toggleReaction('user:sam', held(10), '👍');
      expect(held(10).reactions).toEqual([{ emoji: '👍', users: ['sam', 'cal'] }]);
      await actions.toggleReaction('user:sam', held(10), '👍');
      expect(connection.sent(ClientEvents.React)).toEqual([
        { id: 10, emoji: '👍', on: true },
        { id: 10, emoji: '👍', on: false },
      ]);
      expect(held(10).reactions).toEqual([{ emoji: '👍', users: ['sam'] }]);
    });

    it('says why a reaction failed, with a retry', async () => {
      connection.handlers[ClientEvents.React] = () => ({ ok: false, error: { code: ErrorCodes.MessageDeleted, message: 'gone' } });
      await actions.toggleReaction('user:sam', held(10), '🎉');
      expect(held(10).actionError).toBe('This message was deleted.');
    });

    it('applies reaction_changed live', () => {
      connection.push(ServerEvents.ReactionChanged, {
        ...wire({ id: 12, rev: 600, reactions: [{ emoji: '🚀', users: ['tess'] }] }),
        reaction: { emoji: '🚀', user_name: 'tess', on: true },
      });
      expect(held(12).reactions).toEqual([{ emoji: '🚀', users: ['tess'] }]);
    });
  });

  describe('replies', () => {
    it('sends reply_to, shows the quote at once, and drops the reply once sent', async () => {
      connection.handlers[ClientEvents.SendMessage] = (p) => ({ ok: true, id: 700, sent_at: 'x', client_id: p.client_id ?? null, duplicate: false });
      actions.startReply('user:sam', held(10));
      expect(actions.replying().get('user:sam')?.id).toBe(10);
      await actions.send('user:sam', 'yes');
      expect(connection.sent(ClientEvents.SendMessage).at(-1)).toMatchObject({ message: 'yes', reply_to: 10 });
      expect(held(700).replyTo).toEqual({ id: 10, sender_name: 'sam', excerpt: 'm10' });
      expect(actions.replying().has('user:sam')).toBe(false);
    });

    it('does not answer a deleted message', () => {
      connection.push(ServerEvents.MessageDeleted, wire({ id: 10, message: '', deleted: true, rev: 402 }));
      actions.startReply('user:sam', held(10));
      expect(actions.replying().size).toBe(0);
    });

    it('jumps to a quoted message, loading older pages of history until it is there', async () => {
      connection.handlers[ClientEvents.History] = (p) =>
        p.before === 10 ? historyPage({ messages: [wire({ id: 5 }), wire({ id: 7 })], more: true }) : historyPage({ messages: [wire({ id: 2 })], more: true });
      await expect(actions.jumpTo('user:sam', 2)).resolves.toBe(true);
      expect(connection.sent(ClientEvents.History).slice(-2).map((p) => p.before)).toEqual([10, 5]);
      // The largest pages: a search result may be far back.
      expect(connection.sent(ClientEvents.History).slice(-2).map((p) => p.limit)).toEqual([200, 200]);
      expect(actions.highlighted()).toBe(2);
      expect(actions.jump()).toBeNull();
    });

    it('keeps asking when a page brings nothing older (the first page was loading meanwhile), and says so when history fails', async () => {
      let calls = 0;
      connection.handlers[ClientEvents.History] = () => (++calls === 1 ? historyPage({ messages: [wire({ id: 10 })], more: true }) : historyPage({ messages: [wire({ id: 6 })], more: true }));
      await expect(actions.jumpTo('user:sam', 6)).resolves.toBe(true);
      expect(calls).toBe(2);
      connection.handlers[ClientEvents.History] = () => ({ ok: false, error: { code: ErrorCodes.Internal, message: 'No answer from the server' } });
      await expect(actions.jumpTo('user:sam', 3)).resolves.toBe(false);
      expect(actions.jump()).toEqual({ conversation: 'user:sam', id: 3, state: 'failed' });
    });

    it('says the original is gone when history has no older message with its id', async () => {
      connection.handlers[ClientEvents.History] = () => historyPage({ messages: [wire({ id: 4 })], more: false });
      await expect(actions.jumpTo('user:sam', 3)).resolves.toBe(false);
      expect(actions.jump()).toEqual({ conversation: 'user:sam', id: 3, state: 'gone' });
    });
  });

  describe('sync and receipts', () => {
    it('keeps sync\'s cursor as the next since, and replays changed messages in place, never twice', async () => {
      const pages: SyncAck[] = [
        syncPage({ messages: [wire({ id: 12, message: 'changed', rev: 150, edited_at: 'e' }), wire({ id: 140 })], more: true, cursor: 150 }),
        syncPage({ messages: [wire({ id: 10, message: '', deleted: true, rev: 160 })], cursor: 170 }),
      ];
      connection.handlers[ClientEvents.Sync] = () => pages.shift() ?? syncPage({ cursor: 170 });
      await chat.syncMissed();
      expect(connection.sent(ClientEvents.Sync).slice(-2).map((p) => p.since)).toEqual([100, 150]);
      expect(dm().messages.map((m) => m.id)).toEqual([10, 11, 12, 140]);
      expect(held(12)).toMatchObject({ text: 'changed', editedAt: 'e' });
      expect(held(10)).toMatchObject({ deleted: true });
      await chat.syncMissed();
      expect(connection.sent(ClientEvents.Sync).at(-1)!.since).toBe(170);
    });

    it('takes a reply\'s quote and reactions from history over the conversation list\'s preview of it', async () => {
      connection.handlers[ClientEvents.Conversations] = () => ({
        ok: true, more: false,
        conversations: [{ conversation: 'user:tess', last: wire({ id: 50, sender_name: 'tess', reply_to: { id: 40, sender_name: '', excerpt: '', deleted: true } }),
          last_truncated: false, unread: 0, mentions: 0, last_read_id: 50, notify: 'all' }],
      });
      history = historyPage({ messages: [wire({ id: 50, sender_name: 'tess', reply_to: { id: 40, sender_name: 'cal', excerpt: 'plan' }, reactions: [{ emoji: '👍', users: ['cal'] }] })] });
      await connection.connect();
      chat.open('user:tess');
      await flush();
      const message = chat.conversations().find((c) => c.id === 'user:tess')!.messages[0];
      expect(message).toMatchObject({ replyTo: { id: 40, sender_name: 'cal', excerpt: 'plan' }, reactions: [{ emoji: '👍', users: ['cal'] }] });
      expect(message.partial).toBeUndefined();
    });

    it('leaves out a replayed change to a message older than what is loaded (history brings it)', async () => {
      connection.handlers[ClientEvents.Sync] = () => syncPage({ messages: [wire({ id: 3, message: 'old', rev: 180, edited_at: 'e' })], cursor: 180 });
      await chat.syncMissed();
      expect(dm().messages.map((m) => m.id)).toEqual([10, 11, 12]);
    });

    it('moves the cursor with live changes once caught up', async () => {
      connection.push(ServerEvents.MessageEdited, wire({ id: 12, message: 'x', rev: 190, edited_at: 'e' }));
      connection.push(ServerEvents.ReadReceipt, { conversation: 'user:sam', user_name: 'sam', up_to: 11, rev: 195 });
      await chat.syncMissed();
      expect(connection.sent(ClientEvents.Sync).at(-1)!.since).toBe(195);
    });

    it('takes receipts from history, sync and live events; only forward', async () => {
      history = historyPage({ messages: [mine({ id: 20 })], receipts: [{ conversation: 'group:staff', user_name: 'sam', up_to: 19 }] });
      chat.open('group:staff');
      await flush();
      const group = () => chat.conversations().find((c) => c.id === 'group:staff')!;
      expect([...group().receipts]).toEqual([['sam', 19]]);
      const receipts: ReadReceipt[] = [
        { conversation: 'group:staff', user_name: 'tess', up_to: 20, rev: 210 },
        { conversation: 'group:staff', user_name: 'sam', up_to: 15, rev: 211 },
      ];
      connection.handlers[ClientEvents.Sync] = () => syncPage({ receipts, cursor: 211 });
      await chat.syncMissed();
      expect(new Map(group().receipts)).toEqual(new Map([['sam', 19], ['tess', 20]]));
      connection.push(ServerEvents.ReadReceipt, { conversation: 'group:staff', user_name: 'sam', up_to: 20, rev: 212 });
      expect(group().receipts.get('sam')).toBe(20);
    });

    it('reads a conversation here when sync brings the viewer\'s own receipt from another device', async () => {
      chat.open('group:staff');
      connection.push(ServerEvents.MessageFromUser, wire({ id: 130 }));
      expect(dm().unread).toBe(1);
      connection.handlers[ClientEvents.Sync] = () => syncPage({ receipts: [{ conversation: 'user:sam', user_name: 'cal', up_to: 130, rev: 220 }], cursor: 220 });
      await chat.syncMissed();
      expect(dm().unread).toBe(0);
    });
  });
});
