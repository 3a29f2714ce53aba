import { TestBed } from '@angular/core/testing';
import { newConversation, type Conversation } from './chat.model';
import { MessageListComponent } from './message-list.component';
import { chatMessage as message } from '../../testing/chat-message';
import { stubResizeObserver } from '../../testing/resize-observer';

describe('MessageListComponent', () => {
  beforeAll(stubResizeObserver);

  async function render(conversation: Conversation, inputs: { connected?: boolean; canPost?: boolean; people?: unknown; me?: string } = {}) {
    const fixture = TestBed.createComponent(MessageListComponent);
    fixture.componentRef.setInput('conversation', conversation);
    fixture.componentRef.setInput('emptyTitle', 'Your conversation with sam');
    for (const [name, value] of Object.entries(inputs)) fixture.componentRef.setInput(name, value);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows an empty conversation as such, once its history is known to be empty', async () => {
    const element = await render({ ...newConversation('user:sam'), historyLoaded: true, olderAvailable: false });
    const empty = element.querySelector('[data-testid="empty-conversation"]')!;
    expect(empty.textContent).toContain('Your conversation with sam');
    expect(empty.textContent).toContain('No messages yet.');
    expect(empty.textContent).toContain('Write the first one below.');
  });

  it('says messages are loading, or wait for the connection, before the history is in', async () => {
    expect((await render(newConversation('user:sam'))).textContent).toContain('Loading messages…');
    expect((await render(newConversation('user:sam'), { connected: false })).textContent).toContain('Messages load when the connection is back.');
  });

  it('marks own messages only while sending or failed, and quietly once sent', async () => {
    const element = await render({
      ...newConversation('user:sam'),
      historyLoaded: true,
      messages: [
        message({ id: 1, mine: true, state: 'sent', text: 'delivered' }),
        message({ id: null, key: 'c2', clientId: 'c2', mine: true, state: 'sending', text: 'on its way' }),
        message({ id: null, key: 'c3', clientId: 'c3', mine: true, state: 'failed', error: 'Too long', text: 'refused' }),
      ],
    });
    const [sent, sending, failed] = Array.from(element.querySelectorAll('[data-testid="message"]'));
    expect(sent.querySelector('.state')).toBeNull();
    expect(sent.querySelector('.tick')!.getAttribute('title')).toBe('Sent');
    expect(sending.querySelector('.state')!.textContent).toContain('Sending…');
    expect(failed.querySelector('.state')!.textContent).toContain('Not sent: Too long');
  });

  it('gives each time its full date, as a tooltip and for screen readers', async () => {
    const element = await render({ ...newConversation('user:sam'), historyLoaded: true, messages: [message({ id: 1 })] });
    const time = element.querySelector('time')!;
    expect(time.getAttribute('title')).toContain('2026');
    expect(time.querySelector('.visually-hidden')!.textContent).toBe(time.getAttribute('title'));
  });

  it('announces messages from others that arrive while open, not the rows it opened with', async () => {
    const fixture = TestBed.createComponent(MessageListComponent);
    const opened = { ...newConversation('user:sam'), historyLoaded: true, messages: [message({ id: 1, text: 'old' })] };
    fixture.componentRef.setInput('conversation', opened);
    await fixture.whenStable();
    const arrivals = () => (fixture.nativeElement as HTMLElement).querySelector('[data-testid="arrivals"]')!.textContent!.trim();
    expect(arrivals()).toBe('');
    expect((fixture.nativeElement as HTMLElement).querySelector('[role="log"]')!.getAttribute('aria-live')).toBe('off');
    fixture.componentRef.setInput('conversation', { ...opened, messages: [...opened.messages, message({ id: 2, text: 'are you there?' })] });
    await fixture.whenStable();
    expect(arrivals()).toBe('Message from sam: are you there?');
    const more = [message({ id: 3, text: 'x' }), message({ id: 4, text: 'hello?', senderName: 'ada' })];
    fixture.componentRef.setInput('conversation', { ...opened, messages: [...opened.messages, message({ id: 2 }), ...more] });
    await fixture.whenStable();
    expect(arrivals()).toBe('2 new messages, the latest from ada: hello?');
  });

  it('shows the "New" divider before the first unread message', async () => {
    const element = await render({
      ...newConversation('user:sam'),
      historyLoaded: true,
      newAfter: 1,
      messages: [message({ id: 1, text: 'old' }), message({ id: 2, text: 'new one' })],
    });
    const divider = element.querySelector('[data-testid="new-divider"]')!;
    expect(divider.getAttribute('aria-label')).toBe('New messages');
    expect(divider.nextElementSibling!.textContent).toContain('new one');
  });

  it('names senders by display name where known, and marks a message that mentions the reader', async () => {
    const element = await render(
      {
        ...newConversation('channel:ops'),
        historyLoaded: true,
        messages: [
          message({ id: 1, senderName: 'sam', text: '@tess look', mentions: ['tess'], mentionsMe: true }),
          message({ id: 2, senderName: 'zed', text: 'plain' }),
        ],
      },
      { people: new Map([['sam', { display_name: 'Sam Staff', role: 'staff' }]]), me: 'tess' },
    );
    const rows = Array.from(element.querySelectorAll('[data-testid="message"]'));
    expect(rows.map((row) => row.querySelector('.sender')!.textContent)).toEqual(['Sam Staff', 'zed']);
    expect(rows[0].classList).toContain('mentions-me');
    expect(rows[0].textContent).toContain('Mentions you.');
    expect(rows[0].querySelector('mark.mention-me')!.textContent).toBe('@tess');
    expect(rows[1].classList).not.toContain('mentions-me');
  });
});
