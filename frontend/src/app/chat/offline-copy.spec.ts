import { ConversationIds } from '@parley/contract';
import { newConversation, type ChatMessage, type Conversation } from './chat.model';
import { memoryCopies, OFFLINE_CONVERSATIONS, OFFLINE_MESSAGES, offlineCopyOf } from './offline-copy';

const message = (id: number | null, over: Partial<ChatMessage> = {}): ChatMessage => ({
  key: id === null ? 'pending' : `id:${id}`,
  id,
  clientId: null,
  text: `m${id}`,
  senderName: 'sam',
  senderRole: 'staff',
  sentAt: '2026-12-03T09:00:00.000Z',
  mine: false,
  state: id === null ? 'sending' : 'sent',
  ...over,
});

const withMessages = (id: string, ids: Array<number | null>, over: Partial<Conversation> = {}): Conversation => ({
  ...newConversation(id),
  messages: ids.map((n) => message(n)),
  ...over,
});

describe('offlineCopyOf', () => {
  const now = new Date('2026-12-03T10:00:00.000Z');

  it('keeps the conversations with the newest messages, at most OFFLINE_CONVERSATIONS, newest first', () => {
    const many = Array.from({ length: OFFLINE_CONVERSATIONS + 5 }, (_, i) => withMessages(ConversationIds.user(`p${i}`), [100 + i]));
    const copy = offlineCopyOf('cal', 500, [withMessages('group:staff', []), ...many], now);
    expect(copy.conversations).toHaveLength(OFFLINE_CONVERSATIONS);
    expect(copy.conversations[0].id).toBe('user:p24');
    // An empty one (nothing to read) and the oldest five are left out.
    expect(copy.conversations.map((c) => c.id)).not.toContain('group:staff');
    expect(copy.conversations.map((c) => c.id)).not.toContain('user:p4');
    expect(copy).toEqual(expect.objectContaining({ user: 'cal', cursor: 500, savedAt: now.toISOString() }));
  });

  it('keeps the newest OFFLINE_MESSAGES stored messages, says older ones are still there, and leaves pending ones to the outbox', () => {
    const ids = Array.from({ length: OFFLINE_MESSAGES + 10 }, (_, i) => i + 1);
    const conversation = withMessages('user:sam', [...ids, null], { olderAvailable: false, historyLoaded: true });
    const [saved] = offlineCopyOf('cal', 500, [conversation], now).conversations;
    expect(saved.messages.map((m) => m.id)).toEqual(ids.slice(-OFFLINE_MESSAGES));
    expect(saved.olderAvailable).toBe(true);
    expect(saved.historyLoaded).toBe(true);

    const whole = offlineCopyOf('cal', 500, [withMessages('user:sam', [1, 2], { olderAvailable: false })], now).conversations[0];
    expect(whole.olderAvailable).toBe(false);
  });

  it('drops the viewer\'s actions in flight and keeps read marks and receipts', () => {
    const conversation: Conversation = {
      ...withMessages('user:sam', []),
      messages: [message(7, { pending: 'edit', actionError: 'Could not edit' })],
      unread: 1,
      lastReadId: 6,
      notify: 'mentions',
      receipts: new Map([['sam', 7]]),
    };
    const [saved] = offlineCopyOf('cal', 9, [conversation], now).conversations;
    expect(saved.messages[0]).not.toHaveProperty('pending');
    expect(saved.messages[0]).not.toHaveProperty('actionError');
    expect(saved).toEqual(expect.objectContaining({ unread: 1, lastReadId: 6, notify: 'mentions', receipts: [['sam', 7]] }));
  });
});

describe('memoryCopies', () => {
  it('keeps one copy per user, as a copy, until removed', async () => {
    const copies = memoryCopies();
    const copy = offlineCopyOf('cal', 3, [withMessages('user:sam', [1])], new Date());
    await copies.save(copy);
    copy.conversations[0].messages[0].text = 'changed after saving';
    expect((await copies.load('cal'))!.conversations[0].messages[0].text).toBe('m1');
    expect(await copies.load('sam')).toBeNull();
    await copies.remove('cal');
    expect(await copies.load('cal')).toBeNull();
  });
});
