import { ConversationIds } from '@parley/contract';
import { READ_BACKOFF_MAX_MS, fullTime, insertMessage, newConversation, readRetryDelay, withDaySeparators } from './chat.model';
import { chatMessage as message } from '../../testing/chat-message';

describe('newConversation', () => {
  it('takes its kind and name from the contract\'s conversation id', () => {
    expect(newConversation(ConversationIds.group('staff'))).toMatchObject({ id: 'group:staff', kind: 'group', name: 'staff' });
    expect(newConversation(ConversationIds.user('deleted#7'))).toMatchObject({ kind: 'user', name: 'deleted#7' });
  });

  it('refuses a bare name, which would otherwise be filed as a conversation nobody can reach', () => {
    expect(() => newConversation('sam')).toThrow('Not a conversation id: sam');
  });
});

describe('insertMessage', () => {
  it('keeps messages in id order with pending ones last, and refuses a known id', () => {
    let list = insertMessage([], message({ id: 5 }))!;
    list = insertMessage(list, message({ id: null, clientId: 'p', mine: true, state: 'sending' }))!;
    list = insertMessage(list, message({ id: 3 }))!;
    list = insertMessage(list, message({ id: 9 }))!;
    expect(list.map((m) => m.id ?? m.clientId)).toEqual([3, 5, 9, 'p']);
    expect(insertMessage(list, message({ id: 5 }))).toBeNull();
  });

  it('replaces a partial preview by the whole message, but never the other way round', () => {
    const list = insertMessage([], message({ id: 4, text: 'the sta', partial: true }))!;
    const whole = insertMessage(list, message({ id: 4, text: 'the start and the rest' }))!;
    expect(whole.map((m) => [m.id, m.text, m.partial])).toEqual([[4, 'the start and the rest', undefined]]);
    expect(insertMessage(whole, message({ id: 4, text: 'the sta', partial: true }))).toBeNull();
  });

  it('replaces my pending message by its stored copy', () => {
    const pending = message({ id: null, clientId: 'c1', mine: true, state: 'sending' });
    const list = insertMessage([message({ id: 1 })], pending)!;
    const stored = insertMessage(list, message({ id: 2, clientId: 'c1', mine: true }))!;
    expect(stored.map((m) => [m.id, m.state])).toEqual([
      [1, 'sent'],
      [2, 'sent'],
    ]);
  });
});

describe('withDaySeparators', () => {
  it('puts one separator before each new day', () => {
    const rows = withDaySeparators([
      message({ id: 1, sentAt: '2026-11-24T10:00:00Z' }),
      message({ id: 2, sentAt: '2026-11-24T11:00:00Z' }),
      message({ id: 3, sentAt: '2026-11-25T10:00:00Z' }),
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'message', 'day', 'message']);
  });

  it('puts the "New" divider before the first message from someone else past the read mark', () => {
    const day = '2026-11-24T10:00:00Z';
    const rows = withDaySeparators(
      [
        message({ id: 1, sentAt: day }),
        message({ id: 2, sentAt: day, mine: true }),
        message({ id: 3, sentAt: day }),
        message({ id: 4, sentAt: day }),
      ],
      undefined,
      1,
    );
    expect(rows.map((r) => (r.kind === 'message' ? r.message.id : r.kind))).toEqual(['day', 1, 2, 'new', 3, 4]);
  });

  it('puts the divider before the day separator when the first unread message opens a day', () => {
    const rows = withDaySeparators(
      [message({ id: 1, sentAt: '2026-11-24T10:00:00Z' }), message({ id: 2, sentAt: '2026-11-25T10:00:00Z' })],
      undefined,
      1,
    );
    expect(rows.map((r) => (r.kind === 'message' ? r.message.id : r.kind))).toEqual(['day', 1, 'new', 'day', 2]);
  });

  it('has no divider without a read mark, or when nothing after it is from someone else', () => {
    const messages = [message({ id: 1 }), message({ id: 2, mine: true })];
    expect(withDaySeparators(messages).some((r) => r.kind === 'new')).toBe(false);
    expect(withDaySeparators(messages, undefined, 1).some((r) => r.kind === 'new')).toBe(false);
  });
});

describe('fullTime', () => {
  it('gives the date with the year and the time', () => {
    expect(fullTime('2026-11-24T10:05:00Z', 'en-GB')).toMatch(/Tuesday.*24 November 2026.*\d{2}:\d{2}/);
  });
});

describe('readRetryDelay', () => {
  it('waits the server\'s hint first, doubles per refusal up to the cap, and adds up to half again of jitter', () => {
    expect(readRetryDelay(250, 0, 0)).toBe(250);
    expect(readRetryDelay(250, 0, 0.999)).toBe(375);
    expect(readRetryDelay(250, 2, 0)).toBe(1000);
    expect(readRetryDelay(250, 50, 0)).toBe(READ_BACKOFF_MAX_MS);
  });

  it('never waits less than the hint, even one above the cap', () => {
    expect(readRetryDelay(20_000, 3, 0)).toBe(20_000);
  });
});
