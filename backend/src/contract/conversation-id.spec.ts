import { ConversationIds, conversationIdOf, parseConversationId, type MessageAddress } from './conversation-id';

describe('conversation ids', () => {
  it('builds group:<role> and user:<name>', () => {
    expect(ConversationIds.group('staff')).toBe('group:staff');
    expect(ConversationIds.user('sam')).toBe('user:sam');
  });

  it('parses what it builds, keeping everything after the first colon', () => {
    expect(parseConversationId(ConversationIds.group('client'))).toEqual({ kind: 'group', group: 'client' });
    expect(parseConversationId(ConversationIds.user('sam'))).toEqual({ kind: 'user', username: 'sam' });
    // A deleted account's tombstone name has its own '#': still one user name.
    expect(parseConversationId('user:deleted#7')).toEqual({ kind: 'user', username: 'deleted#7' });
  });

  it('builds and parses team conversations and channels', () => {
    expect(ConversationIds.team('staff', 'cleo')).toBe('team:staff:cleo');
    expect(parseConversationId('team:staff:cleo')).toEqual({ kind: 'team', group: 'staff', guest: 'cleo' });
    expect(ConversationIds.channel('news')).toBe('channel:news');
    expect(parseConversationId('channel:news')).toEqual({ kind: 'channel', channel: 'news' });
  });

  it('leaves the prototype forms (a bare group or user name, a socket id) to the server', () => {
    for (const id of ['staff', 'sam', 'Xy3_socket-id', '', 'team:staff', 'team::cleo', 'team:staff:']) expect(parseConversationId(id)).toBeNull();
  });

  describe('conversationIdOf', () => {
    const dm: MessageAddress = { target_kind: 'user', target: 'cleo', sender_name: 'sam' };

    it('names a direct message after the other person, from either side', () => {
      expect(conversationIdOf(dm, 'sam')).toBe('user:cleo');
      expect(conversationIdOf(dm, 'cleo')).toBe('user:sam');
    });

    it('files a message to oneself under oneself', () => {
      expect(conversationIdOf({ target_kind: 'user', target: 'sam', sender_name: 'sam' }, 'sam')).toBe('user:sam');
    });

    it('files a group message under its group, whoever sent it', () => {
      const group: MessageAddress = { target_kind: 'group', target: 'staff', sender_name: 'sam' };
      expect(conversationIdOf(group, 'sam')).toBe('group:staff');
      expect(conversationIdOf(group, 'ada')).toBe('group:staff');
    });

    it('files a team message under the team conversation, the same for the guest and the team', () => {
      const fromGuest: MessageAddress = { target_kind: 'team', target: 'staff', sender_name: 'cleo', guest: 'cleo' };
      const reply: MessageAddress = { target_kind: 'team', target: 'staff', sender_name: 'sam', guest: 'cleo' };
      for (const viewer of ['cleo', 'sam', 'stu']) {
        expect(conversationIdOf(fromGuest, viewer)).toBe('team:staff:cleo');
        expect(conversationIdOf(reply, viewer)).toBe('team:staff:cleo');
      }
    });

    it('files a channel message under its channel', () => {
      expect(conversationIdOf({ target_kind: 'channel', target: 'news', sender_name: 'sam' }, 'cleo')).toBe('channel:news');
    });
  });
});
