import type { ChatMessage } from '../app/chat/chat.model';

/** A received, stored message for specs; pass what the case is about. */
export function chatMessage(over: Partial<ChatMessage>): ChatMessage {
  return {
    key: `k${over.id ?? over.clientId}`,
    id: null,
    clientId: null,
    text: 'hello',
    senderName: 'sam',
    senderRole: 'staff',
    sentAt: '2026-11-25T09:00:00.000Z',
    mine: false,
    state: 'sent',
    ...over,
  };
}
