/*
 * Type-level tests of the event map, checked by `npm run typecheck` and never run (the build
 * leaves *.type-test.ts out). Every `@ts-expect-error` below marks a line that must not
 * compile: if a change to the contract, Broadcaster or a gateway let it compile, tsc reports
 * the directive as unused and the typecheck fails. The lines without one must compile.
 */
import type { Socket as ClientSocket } from 'socket.io-client';
import type { HistoryGateway } from '../chat/history.gateway';
import type { ChatGateway } from '../chat/chat.gateway';
import type { PresenceGateway } from '../chat/presence.gateway';
import type { Broadcaster, ParleySocket } from '../realtime/broadcaster.service';
import type { RosterGateway } from '../roster/roster.gateway';
import { type AckOf, type ClientEvent, ClientEvents, type ClientToServerEvents, ServerEvents, type ServerToClientEvents, type WireMessage } from './index';

declare const broadcaster: Broadcaster;
declare const wire: WireMessage;

// ---- Broadcaster: the server's one way to emit ----

broadcaster.emit(['group:staff'], ServerEvents.MessageFromUser, wire, 'socket-id');
broadcaster.emit(['user:1'], ServerEvents.Read, { conversation: 'group:staff', up_to: 3 });
broadcaster.emitLocal(['roster:diff'], ServerEvents.RosterDiff, { version: 1, upserted: [], removed: [] });
broadcaster.emitToAll(ServerEvents.ServerShutdown, { message: 'restarting' });

// @ts-expect-error a misspelt event
broadcaster.emit(['group:staff'], 'message_from_usr', wire);
// @ts-expect-error a client event is not something the server sends
broadcaster.emit(['group:staff'], ClientEvents.SendMessage, wire);
// @ts-expect-error read needs up_to
broadcaster.emit(['user:1'], ServerEvents.Read, { conversation: 'group:staff' });
// @ts-expect-error another event's payload
broadcaster.emitLocal(['roster:legacy'], ServerEvents.UpdateWebApp, { version: 1, upserted: [], removed: [] });
// @ts-expect-error a payload of the wrong type
broadcaster.emitToAll(ServerEvents.ServerShutdown, { message: 42 });

// ---- the server's own sockets ----

declare const socket: ParleySocket;
socket.emit(ServerEvents.ParleyError, { event: 'sync', code: 'RATE_LIMITED', message: 'slow down' });
// @ts-expect-error not an error code
socket.emit(ServerEvents.ParleyError, { event: 'sync', code: 'SLOW_DOWN', message: 'slow down' });

// ---- gateway handlers answer with their event's ack ----

/** True when handler H resolves to the ack of event E. */
type Answers<H, E extends ClientEvent> = H extends (...args: never[]) => Promise<AckOf<E>> ? true : false;

export const handlersAnswerTheirEvents: [
  Answers<ChatGateway['verifyUser'], 'verify_user'>,
  Answers<ChatGateway['sendMessage'], 'send_message'>,
  Answers<HistoryGateway['sync'], 'sync'>,
  Answers<HistoryGateway['historyPage'], 'history'>,
  Answers<HistoryGateway['conversations'], 'conversations'>,
  Answers<HistoryGateway['markRead'], 'mark_read'>,
  Answers<PresenceGateway['directory'], 'directory'>,
  Answers<PresenceGateway['typing'], 'typing'>,
  Answers<RosterGateway['rosterSnapshot'], 'roster'>,
] = [true, true, true, true, true, true, true, true, true];

// @ts-expect-error a history page is not send_message's ack
export const historyIsNotASend: Answers<HistoryGateway['historyPage'], 'send_message'> = true;

export async function sendAck(): Promise<AckOf<typeof ClientEvents.SendMessage>> {
  return { ok: true, id: 1, sent_at: '2025-01-01T00:00:00.000Z', client_id: null, duplicate: false };
}
export async function sendAckMissingFields(): Promise<AckOf<typeof ClientEvents.SendMessage>> {
  // @ts-expect-error send_message's ack has sent_at, client_id and duplicate too
  return { ok: true, id: 1 };
}
export async function typingAckWithExtras(): Promise<AckOf<typeof ClientEvents.Typing>> {
  // @ts-expect-error typing's ack has nothing but ok
  return { ok: true, typing: true };
}
export async function errorAck(): Promise<AckOf<typeof ClientEvents.Sync>> {
  return { ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retry_after_ms: 100 } };
}

// ---- a typed socket.io-client, as the tests and scripts use it ----

declare const client: ClientSocket<ServerToClientEvents, ClientToServerEvents>;

client.emit(ClientEvents.SendMessage, { message: 'hi', recipients: 'staff', client_id: 'c1' }, (ack) => {
  if (ack.ok) ack.duplicate satisfies boolean;
  else ack.error.code satisfies string;
});
client.emit(ClientEvents.Conversations, undefined, () => undefined);
client.on(ServerEvents.MessageFromUser, (message) => message.sender_name satisfies string);
client.on(ServerEvents.Typing, (typing) => typing.target_kind satisfies 'group' | 'user' | 'team' | 'channel');

// @ts-expect-error a misspelt event
client.emit('send_mesage', { message: 'hi', recipients: 'staff' }, () => undefined);
// @ts-expect-error the message text must be a string
client.emit(ClientEvents.SendMessage, { message: 1, recipients: 'staff' }, () => undefined);
// @ts-expect-error recipients is required
client.emit(ClientEvents.SendMessage, { message: 'hi' }, () => undefined);
client.emit(ClientEvents.Sync, { since: 0 }, (ack) => {
  // @ts-expect-error a sync answers with a message page, not a send ack
  if (ack.ok) ack.duplicate satisfies boolean;
});
// @ts-expect-error the server sends no such event
client.on('message_from_usr', () => undefined);
// @ts-expect-error a message_from_user carries a WireMessage, not a string
client.on(ServerEvents.MessageFromUser, (message: string) => message);
