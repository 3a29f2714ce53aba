import { newConversation } from './chat.model';
import { conversationTitle, displayNames, groupTitle } from './conversation-names';

describe('conversation names', () => {
  const names = displayNames([{ username: 'admin', display_name: 'Administrator', role: 'admin', online: true }]);

  it('never gives a group and a person the same name', () => {
    expect(conversationTitle(newConversation('group:admin'), names)).toBe('Admin group');
    expect(conversationTitle(newConversation('user:admin'), names)).toBe('Administrator');
  });

  it('falls back to the login name for someone not in the directory, and hides tombstones', () => {
    expect(conversationTitle(newConversation('user:zed'), names)).toBe('zed');
    expect(conversationTitle(newConversation('user:deleted#7'), names)).toBe('Deleted user');
  });

  it('capitalises the role in a group title', () => {
    expect(groupTitle('staff')).toBe('Staff group');
  });
});
