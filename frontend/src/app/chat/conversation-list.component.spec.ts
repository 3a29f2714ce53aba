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
});
