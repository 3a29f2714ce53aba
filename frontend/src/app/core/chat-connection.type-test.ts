/*
 * Type-level tests of the web app's side of the contract, checked by `npm run typecheck`
 * (tsconfig.spec.json includes this file; nothing runs it). Each @ts-expect-error line is a
 * mistake the contract must refuse: should it compile again, the directive itself becomes an
 * error ("Unused '@ts-expect-error' directive"), so the typecheck fails either way.
 */
import type { Observable } from 'rxjs';
import type { Socket } from 'socket.io-client';
import {
  ClientEvents,
  ConversationIds,
  type ErrorCode,
  type PresencePayload,
  type RosterEntry,
  ServerEvents,
  type VerifyUserAck,
  type WireMessage,
} from '@parley/contract';
import type { ChatConnection } from './socket.service';
import type { ParleySocket } from './tokens';

/** True only when A and B are the same type; `any` equals nothing but itself. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `proof` is `true`, i.e. when Actual is exactly Expected. */
declare function sameType<Actual, Expected>(proof: Equal<Actual, Expected>): void;

declare const connection: ChatConnection;
declare const socket: ParleySocket;

export async function requests(): Promise<void> {
  const sent = await connection.request(ClientEvents.SendMessage, { message: 'hi', recipients: ConversationIds.group('staff'), client_id: 'c1' });
  if (sent.ok) {
    sameType<typeof sent.id, number>(true);
    sameType<typeof sent.client_id, string | null>(true);
  } else {
    sameType<typeof sent.error.code, ErrorCode>(true);
  }
  const verified = await connection.request(ClientEvents.VerifyUser, { user_type: 'staff', user_name: 'sam' });
  if (verified.ok) sameType<typeof verified.groups, VerifyUserAck['groups']>(true);
  const page = await connection.request(ClientEvents.History, { conversation: ConversationIds.user('cleo'), before: 40 });
  if (page.ok) sameType<typeof page.messages, WireMessage[]>(true);
  // Payloads optional as a whole take nothing or {}.
  await connection.request(ClientEvents.Roster, {});
  await connection.request(ClientEvents.Conversations, undefined);

  // @ts-expect-error a misspelt event
  await connection.request('send_mesage', { message: 'hi', recipients: 'staff' });
  // @ts-expect-error an event only the server sends
  await connection.request(ServerEvents.Presence, { user_name: 'sam', online: true });
  // @ts-expect-error a required payload field missing (message)
  await connection.request(ClientEvents.SendMessage, { recipients: 'staff' });
  // @ts-expect-error a payload field of the wrong type
  await connection.request(ClientEvents.Sync, { since: '40' });
  // @ts-expect-error another event's payload
  await connection.request(ClientEvents.MarkRead, { since: 40 });
  // @ts-expect-error a field this ack does not have (verify_user's, not send_message's)
  if (sent.ok) void sent.latest_id;
  // @ts-expect-error an ack field read before `ok` says the request succeeded
  void sent.id;
}

export function listeners(): void {
  connection.on(ServerEvents.MessageFromUser).subscribe((message) => sameType<typeof message, WireMessage>(true));
  sameType<ReturnType<typeof connection.on<typeof ServerEvents.Presence>>, Observable<PresencePayload>>(true);
  connection.on(ServerEvents.RosterDiff).subscribe((diff) => sameType<typeof diff.upserted, RosterEntry[]>(true));

  // @ts-expect-error a misspelt event
  connection.on('mesage_from_user');
  // @ts-expect-error an event only clients send
  connection.on(ClientEvents.SendMessage);
  // @ts-expect-error a field this payload does not have
  connection.on(ServerEvents.Presence).subscribe((presence) => presence.conversation);
}

/** The raw socket SOCKET_FACTORY gives is typed by the same map. */
export function rawSocket(): void {
  socket.emit(ClientEvents.Typing, { conversation: ConversationIds.group('staff') }, (ack) => sameType<typeof ack.ok, boolean>(true));
  socket.on(ServerEvents.Read, (read) => sameType<typeof read.up_to, number>(true));
  // socket.io's own events stay available beside the contract's.
  socket.on('disconnect', (reason) => sameType<typeof reason, Socket.DisconnectReason>(true));

  // @ts-expect-error a misspelt event
  socket.emit('verify_usr', { user_type: 'staff', user_name: 'sam' }, () => undefined);
  // @ts-expect-error a wrong payload
  socket.emit(ClientEvents.MarkRead, { conversation: 'group:staff', up_to: 'latest' }, () => undefined);
  // @ts-expect-error a listener expecting another event's payload
  socket.on(ServerEvents.MessageFromUser, (message: PresencePayload) => message.online);
}
