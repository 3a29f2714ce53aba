import { newConversation } from './chat.model';
import { conversationTitle, groupTitle, isTeamInbox, notificationTitle, peopleOf } from './conversation-names';

describe('conversation names', () => {
  const people = peopleOf([
    { username: 'admin', display_name: 'Administrator', role: 'admin' },
    { username: 'cleo', display_name: 'Cleo', role: 'client' },
  ]);

  it('never gives a group and a person the same name', () => {
    expect(conversationTitle(newConversation('group:admin'), people)).toBe('Admin group');
    expect(conversationTitle(newConversation('user:admin'), people)).toBe('Administrator');
  });

  it('falls back to the login name for someone not in the directory, and hides tombstones', () => {
    expect(conversationTitle(newConversation('user:zed'), people)).toBe('zed');
    expect(conversationTitle(newConversation('user:deleted#7'), people)).toBe('Deleted user');
  });

  it('capitalises the role in a group title', () => {
    expect(groupTitle('staff')).toBe('Staff group');
  });

  it('shows a guest their team conversation as the team, and the team one entry per guest', () => {
    const team = newConversation('team:staff:cleo');
    expect(conversationTitle(team, people, 'cleo')).toBe('Staff');
    expect(isTeamInbox(team, 'cleo')).toBe(false);
    expect(conversationTitle(team, people, 'sam')).toBe('Cleo · client');
    expect(isTeamInbox(team, 'sam')).toBe(true);
    // A guest the directory has not listed (yet): the login name, and no guess at a role.
    expect(conversationTitle(newConversation('team:admin:zed'), people, 'ada')).toBe('zed · guest');
  });

  it('names channels with a #', () => {
    expect(conversationTitle(newConversation('channel:news'), people, 'sam')).toBe('#news');
  });

  it('titles a notification by who wrote and where', () => {
    expect(notificationTitle(newConversation('user:cleo'), 'cleo', people, 'sam')).toBe('Cleo');
    expect(notificationTitle(newConversation('channel:ops'), 'cleo', people, 'sam')).toBe('Cleo in #ops');
    expect(notificationTitle(newConversation('team:staff:cleo'), 'cleo', people, 'sam')).toBe('Cleo to the Staff team');
    expect(notificationTitle(newConversation('team:staff:cleo'), 'tess', people, 'sam')).toBe('tess in Cleo · client');
    expect(notificationTitle(newConversation('team:staff:cleo'), 'tess', people, 'cleo')).toBe('tess in Staff');
  });
});
