import { TestBed } from '@angular/core/testing';
import type { DirectoryEntry } from '@parley/contract';
import { newConversation, type ChatMessage } from './chat.model';
import { ConversationListComponent } from './conversation-list.component';

const person = (username: string): DirectoryEntry => ({ username, display_name: username.toUpperCase(), role: 'staff', online: false });

describe('ConversationListComponent', () => {
  function render(inputs: { directory: DirectoryEntry[]; directoryHasMore?: boolean; directorySearch?: string; conversationsHaveMore?: boolean }) {
    const fixture = TestBed.createComponent(ConversationListComponent);
    fixture.componentRef.setInput('conversations', []);
    for (const [name, value] of Object.entries(inputs)) fixture.componentRef.setInput(name, value);
    fixture.detectChanges();
    return fixture;
  }

  it('offers "More people" while directory pages remain, and asks for the next one', () => {
    const fixture = render({ directory: [person('al')], directoryHasMore: true });
    const asked: unknown[] = [];
    fixture.componentInstance.moreRequested.subscribe(() => asked.push(true));
    const more = fixture.nativeElement.querySelector('button.more') as HTMLButtonElement;
    expect(more.textContent).toContain('More people');
    more.click();
    expect(asked).toHaveLength(1);
  });

  it('ends the list with a "Show older conversations" button while older conversations remain, and asks for them', () => {
    const fixture = render({ directory: [], conversationsHaveMore: true });
    const asked: unknown[] = [];
    fixture.componentInstance.olderRequested.subscribe(() => asked.push(true));
    const older = fixture.nativeElement.querySelector('nav > button.older') as HTMLButtonElement;
    expect(older.textContent).toContain('Show older conversations');
    // A real button after the list: reached with Tab, pressed with Enter or Space.
    expect(older.type).toBe('button');
    expect(older.previousElementSibling?.tagName).toBe('UL');
    older.click();
    expect(asked).toHaveLength(1);

    fixture.componentRef.setInput('conversationsHaveMore', false);
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('button.older')).toBeNull();
  });

  it('has no "More people" once every page is loaded', () => {
    const fixture = render({ directory: [person('al')], directoryHasMore: false });
    expect(fixture.nativeElement.querySelector('button.more')).toBeNull();
  });

  it('sends what is typed in "Find people" as a search, and keeps the field when nothing matched', () => {
    const fixture = render({ directory: [person('al')] });
    const searches: string[] = [];
    fixture.componentInstance.searched.subscribe((text) => searches.push(text));
    const field = fixture.nativeElement.querySelector('input[name="find"]') as HTMLInputElement;
    field.value = ' zed ';
    field.dispatchEvent(new Event('input'));
    expect(searches).toEqual(['zed']);

    fixture.componentRef.setInput('directory', []);
    fixture.componentRef.setInput('directorySearch', 'zed');
    fixture.detectChanges();
    expect((fixture.nativeElement.querySelector('input[name="find"]') as HTMLInputElement).value).toBe('zed');
  });

  it('names a deleted account "Deleted user", never by its tombstone', () => {
    const last: ChatMessage = {
      key: 'id:1', id: 1, clientId: null, text: 'old news', senderName: 'deleted#7', senderRole: 'staff',
      sentAt: '2026-12-02T05:00:00.000Z', mine: false, state: 'sent',
    };
    const fixture = TestBed.createComponent(ConversationListComponent);
    fixture.componentRef.setInput('conversations', [{ ...newConversation('user:deleted#7'), messages: [last] }]);
    fixture.componentRef.setInput('directory', []);
    fixture.detectChanges();
    const entry = (fixture.nativeElement as HTMLElement).querySelector('[data-conversation="user:deleted#7"]')!;
    expect(entry.textContent).toContain('Deleted user');
    expect(entry.textContent).toContain('Deleted user: old news');
    expect(entry.textContent).not.toContain('deleted#7');
  });

  it('shows nobody online while presence is unknown (disconnected)', () => {
    const fixture = TestBed.createComponent(ConversationListComponent);
    fixture.componentRef.setInput('conversations', [newConversation('user:al')]);
    fixture.componentRef.setInput('directory', [{ ...person('al'), online: true }]);
    fixture.componentRef.setInput('online', new Set(['al']));
    fixture.detectChanges();
    const entry = (fixture.nativeElement as HTMLElement).querySelector('[data-conversation="user:al"]')!;
    expect(entry.querySelector('.presence.online')).not.toBeNull();
    expect(entry.textContent).toContain('(online)');

    fixture.componentRef.setInput('online', null);
    fixture.detectChanges();
    expect(entry.querySelector('.presence.online')).toBeNull();
    expect(entry.textContent).toContain('(status unknown)');
  });

  it('names a DM by display name with the login name beside it, and a group as a group', () => {
    const fixture = TestBed.createComponent(ConversationListComponent);
    fixture.componentRef.setInput('conversations', [newConversation('group:admin'), newConversation('user:admin')]);
    fixture.componentRef.setInput('people', new Map([['admin', { display_name: 'Administrator', role: 'admin' }]]));
    fixture.detectChanges();
    const entry = (id: string) => (fixture.nativeElement as HTMLElement).querySelector(`[data-conversation="${id}"]`)!;
    expect(entry('group:admin').querySelector('.title')!.textContent).toBe('Admin group');
    expect(entry('user:admin').querySelector('.title')!.textContent).toBe('Administrator');
    expect(entry('user:admin').querySelector('.login')!.textContent).toBe('admin');
  });

  it('lists groups, channels and direct messages apart; a guest\'s line to a team under groups, the team\'s shared ones under direct messages', () => {
    const fixture = TestBed.createComponent(ConversationListComponent);
    fixture.componentRef.setInput('conversations', [
      newConversation('group:staff'),
      newConversation('team:admin:sam'),
      newConversation('team:staff:cleo'),
      newConversation('user:ada'),
      { ...newConversation('channel:ops'), unread: 3, mentions: 1 },
    ]);
    fixture.componentRef.setInput('me', 'sam');
    fixture.componentRef.setInput('people', new Map([['cleo', { display_name: 'Cleo', role: 'client' }]]));
    fixture.componentRef.setInput('channels', [
      { conversation: 'channel:ops', name: 'ops', topic: '', visibility: 'private', builtin: false, archived: false, member: true, manageable: true, member_count: 2, created_by: 'sam', created_at: 'x' },
      { conversation: 'channel:news', name: 'news', topic: '', visibility: 'public', builtin: false, archived: true, member: true, manageable: false, member_count: 9, created_by: 'ada', created_at: 'x' },
    ]);
    fixture.detectChanges();
    const host = fixture.nativeElement as HTMLElement;
    const section = (heading: string) =>
      Array.from(host.querySelectorAll(`ul[aria-labelledby="${heading}"] [data-conversation]`)).map((e) => e.getAttribute('data-conversation'));
    expect(section('groups-heading')).toEqual(['group:staff', 'team:admin:sam']);
    expect(section('channels-heading')).toEqual(['channel:ops', 'channel:news']);
    expect(section('direct-heading')).toEqual(['team:staff:cleo', 'user:ada']);
    const entry = (id: string) => host.querySelector(`[data-conversation="${id}"]`)!;
    expect(entry('team:admin:sam').querySelector('.title')!.textContent).toBe('Admin');
    expect(entry('team:staff:cleo').querySelector('.title')!.textContent).toBe('Cleo · client');
    expect(entry('team:staff:cleo').textContent).toContain('Staff team');
    expect(entry('channel:ops').querySelector('.title')!.textContent).toBe('#ops');
    expect(entry('channel:ops').textContent).toContain('(private channel)');
    expect(entry('channel:ops').querySelector('[data-testid="mentions-badge"]')!.getAttribute('aria-label')).toBe('1 mention');
    expect(entry('channel:news').textContent).toContain('archived');
  });

  it('offers "Browse / create" only where the role may, and says what to expect when there are no channels', () => {
    const fixture = TestBed.createComponent(ConversationListComponent);
    fixture.componentRef.setInput('conversations', []);
    fixture.detectChanges();
    const host = fixture.nativeElement as HTMLElement;
    expect(host.querySelector('button.browse')).toBeNull();
    expect(host.querySelector('[data-testid="no-channels"]')!.textContent).toContain('invited');
    fixture.componentRef.setInput('canBrowseChannels', true);
    fixture.detectChanges();
    const asked: unknown[] = [];
    fixture.componentInstance.browseChannels.subscribe(() => asked.push(true));
    (host.querySelector('button.browse') as HTMLButtonElement).click();
    expect(asked).toHaveLength(1);
  });
});
