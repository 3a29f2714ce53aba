/*
 * Type-level tests of the tests' socket helpers, checked by `npm run typecheck` and never run:
 * each @ts-expect-error line must fail to compile, so a test with a misspelt event, a wrong
 * payload or an unchecked ack does not compile either.
 */
import { type ClientSocket, nextEvent, record, request, requestOk, sendRaw, sendWithoutAck } from './clients';

declare const socket: ClientSocket;

export async function typedRequests(): Promise<void> {
  const sent = await request(socket, 'send_message', { message: 'hi', recipients: 'staff' });
  if (sent.ok) sent.id satisfies number;
  // @ts-expect-error the ack may be a refusal: check ok first
  void sent.id;
  (await requestOk(socket, 'sync', { since: 0 })).messages satisfies Array<{ id: number }>;
  await request(socket, 'conversations'); // its payload is optional

  // @ts-expect-error a misspelt event
  await request(socket, 'send_mesage', { message: 'hi', recipients: 'staff' });
  // @ts-expect-error a payload field of the wrong type
  await request(socket, 'send_message', { message: 1, recipients: 'staff' });
  // @ts-expect-error a required payload left out
  await request(socket, 'sync');
  // @ts-expect-error an ack field the event does not have
  void (await requestOk(socket, 'typing', { conversation: 'staff' })).messages;
  // @ts-expect-error a server event is not a request
  sendWithoutAck(socket, 'message_from_user', { message: 'hi', recipients: 'staff' });

  // Wrong on purpose goes through the one untyped door.
  await sendRaw(socket, 'send_mesage', { message: 1 });
}

export async function typedListeners(): Promise<void> {
  record(socket, 'presence')[0]?.online satisfies boolean | undefined;
  (await nextEvent(socket, 'message_from_user', (m) => m.sender_name === 'sam')).id satisfies number;
  // @ts-expect-error a misspelt server event
  record(socket, 'message_to_user');
  // @ts-expect-error a client event is not heard from the server
  await nextEvent(socket, 'send_message');
  // @ts-expect-error a field the payload does not have
  await nextEvent(socket, 'typing', (t) => t.online);
}
