import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { chatMessage as message } from '../../testing/chat-message';
import { stubResizeObserver } from '../../testing/resize-observer';
import type { WireMessage } from '@parley/contract';
import { newConversation, seenBy, toChatMessage, type ChatMessage } from './chat.model';
import type { EditDraft } from './message-actions.store';
import { MessageItemComponent, whoReacted, type MessageAction } from './message-item.component';
import { MessageListComponent } from './message-list.component';

/** A message as the server sends it (toChatMessage is what reads sender_bot). */
const wire: WireMessage = { message: 'Deploy finished', sender: 'rest:9', sender_name: 'relay', id: 5, sent_at: '2026-12-03T09:00:00.000Z', sender_role: 'staff', target_kind: 'group', target: 'staff', client_id: null };

describe('MessageItemComponent', () => {
  beforeAll(stubResizeObserver);
  beforeEach(() => TestBed.configureTestingModule({ providers: [{ provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] }));

  async function render(m: ChatMessage, inputs: Record<string, unknown> = {}) {
    const fixture = TestBed.createComponent(MessageItemComponent);
    fixture.componentRef.setInput('message', m);
    fixture.componentRef.setInput('me', 'cal');
    for (const [name, value] of Object.entries(inputs)) fixture.componentRef.setInput(name, value);
    const actions: MessageAction[] = [];
    fixture.componentInstance.action.subscribe((a) => actions.push(a));
    await fixture.whenStable();
    return { element: fixture.nativeElement as HTMLElement, actions, fixture };
  }

  it('shows a tombstone in place of a deleted message, with no actions', async () => {
    const { element } = await render(message({ id: 1, text: '', deleted: true, reactions: [{ emoji: '👍', users: ['sam'] }] }));
    expect(element.querySelector('[data-testid="tombstone"]')!.textContent).toContain('This message was deleted');
    expect(element.querySelector('[data-testid="message-actions"]')).toBeNull();
    expect(element.querySelector('parley-message-text')).toBeNull();
  });

  it('marks a bot\'s message with a "bot" badge after its name, and nobody else\'s', async () => {
    const bot = await render(toChatMessage({ ...wire, sender_name: 'relay', sender_bot: true }, 'cal'));
    expect(bot.element.querySelector('.meta')!.textContent).toMatch(/relay\s*bot/);
    expect(bot.element.querySelector('[data-testid="bot-badge"]')).not.toBeNull();
    const person = await render(toChatMessage({ ...wire, sender_name: 'sam' }, 'cal'));
    expect(person.element.querySelector('[data-testid="bot-badge"]')).toBeNull();
  });

  it('marks an edited message "(edited)", with the time for screen readers', async () => {
    const { element } = await render(message({ id: 1, editedAt: '2026-12-02T09:30:00.000Z' }));
    const edited = element.querySelector('[data-testid="edited"]')!;
    expect(edited.textContent).toMatch(/^\(edited\): .*2026/);
    expect(edited.getAttribute('datetime')).toBe('2026-12-02T09:30:00.000Z');
  });

  it('shows reactions as chips with counts, the viewer\'s own pressed, and who reacted in the label', async () => {
    const { element, actions } = await render(
      message({ id: 1, reactions: [{ emoji: '👍', users: ['sam', 'cal'] }, { emoji: '🎉', users: ['tess'] }] }),
      { people: new Map([['sam', { display_name: 'Sam Smith', role: 'staff' }]]) },
    );
    const [thumbs, party] = Array.from(element.querySelectorAll<HTMLButtonElement>('[data-testid="reaction"]'));
    expect(thumbs.textContent).toContain('👍 2');
    expect(thumbs.getAttribute('aria-pressed')).toBe('true');
    expect(thumbs.getAttribute('aria-label')).toBe('thumbs up, 2: You and Sam Smith. Press to take yours back');
    expect(party.getAttribute('aria-pressed')).toBe('false');
    party.click();
    expect(actions).toEqual([expect.objectContaining({ kind: 'reaction', emoji: '🎉' })]);
  });

  it('shows the quote a reply answers, which jumps to it, or says the original was deleted', async () => {
    const { element, actions } = await render(message({ id: 2, replyTo: { id: 1, sender_name: 'cal', excerpt: 'lunch?' } }));
    const quote = element.querySelector<HTMLButtonElement>('button[data-testid="reply-quote"]')!;
    expect(quote.textContent).toContain('You');
    expect(quote.textContent).toContain('lunch?');
    quote.click();
    expect(actions).toEqual([expect.objectContaining({ kind: 'jump', id: 1 })]);
    const gone = await render(message({ id: 3, replyTo: { id: 1, sender_name: 'cal', excerpt: '', deleted: true } }));
    expect(gone.element.querySelector('[data-testid="reply-quote"]')!.textContent).toBe('Original message deleted');
  });

  it('edits in place: Enter saves, Escape cancels, and a refusal is shown with the text kept', async () => {
    const draft: EditDraft = { conversation: 'user:sam', id: 1, text: 'helo there', saving: false, error: 'Too late to edit this message.' };
    const { element, actions } = await render(message({ id: 1, mine: true, text: 'helo' }), { editing: draft });
    const box = element.querySelector<HTMLTextAreaElement>('[data-testid="edit-box"]')!;
    expect(box.value).toBe('helo there');
    expect(element.querySelector('[data-testid="edit-error"]')!.textContent).toBe('Too late to edit this message.');
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(actions.map((a) => a.kind)).toEqual(['save-edit', 'cancel-edit']);
  });

  it('keeps the text being edited when the message is deleted meanwhile, and says so', async () => {
    const draft: EditDraft = { conversation: 'user:sam', id: 1, text: 'my careful rewrite', saving: false, error: null };
    const { element } = await render(message({ id: 1, mine: true, text: '', deleted: true }), { editing: draft });
    expect(element.querySelector<HTMLTextAreaElement>('[data-testid="edit-box"]')!.value).toBe('my careful rewrite');
    expect(element.querySelector('[data-testid="edit-error"]')!.textContent).toContain('deleted meanwhile');
  });

  it('says why an edit, delete or reaction failed, with a way to try again', async () => {
    const { element, actions } = await render(message({ id: 1, mine: true, actionError: 'Too late to delete this message.' }));
    expect(element.querySelector('[data-testid="action-error"]')!.textContent).toBe('Too late to delete this message.');
    Array.from(element.querySelectorAll('button')).find((b) => b.textContent?.includes('Try again'))!.click();
    expect(actions.map((a) => a.kind)).toEqual(['retry-action']);
  });

  it('names who reacted: the viewer as "You", the others by display name', () => {
    expect(whoReacted(['sam', 'cal', 'tess'], 'cal', new Map([['sam', { display_name: 'Sam', role: 'staff' }]]))).toBe('You, Sam and tess');
    expect(whoReacted(['cal'], 'cal', new Map())).toBe('You');
  });
});

describe('MessageListComponent: "Seen"', () => {
  beforeAll(stubResizeObserver);

  async function render(id: string, receipts: [string, number][], readReceipts = true) {
    const fixture = TestBed.createComponent(MessageListComponent);
    fixture.componentRef.setInput('conversation', {
      ...newConversation(id),
      historyLoaded: true,
      receipts: new Map(receipts),
      messages: [message({ id: 1, mine: true, senderName: 'cal' }), message({ id: 2, mine: true, senderName: 'cal' }), message({ id: 3 })],
    });
    fixture.componentRef.setInput('me', 'cal');
    fixture.componentRef.setInput('readReceipts', readReceipts);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }
  const seenUnder = (element: HTMLElement) =>
    Array.from(element.querySelectorAll('parley-message-item')).flatMap((item) => {
      const seen = item.querySelector('[data-testid="seen"]');
      return seen ? [[item.querySelector('[data-testid="message"]')!.getAttribute('data-id'), seen.textContent!.trim()]] : [];
    });

  it('says "Seen" in a DM under the viewer\'s last message the other person has read', async () => {
    expect(seenUnder(await render('user:sam', [['sam', 1]]))).toEqual([['1', 'Seen']]);
    expect(seenUnder(await render('user:sam', [['sam', 3]]))).toEqual([['2', 'Seen']]);
    expect(seenUnder(await render('user:sam', []))).toEqual([]);
  });

  it('says "Seen by N" in a group, and nothing at all when receipts are off', async () => {
    expect(seenUnder(await render('group:staff', [['sam', 2], ['tess', 3], ['ann', 1]]))).toEqual([['2', 'Seen by 2']]);
    expect(seenUnder(await render('group:staff', [['sam', 2]], false))).toEqual([]);
  });

  it('lists who has seen, by name (seenBy)', () => {
    const conversation = { messages: [message({ id: 5, mine: true })], receipts: new Map([['tess', 5], ['sam', 9], ['cal', 9]]) };
    expect(seenBy(conversation, 'cal')).toEqual({ id: 5, names: ['sam', 'tess'] });
  });
});
