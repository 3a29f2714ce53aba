import { signal } from '@angular/core';
import { Subject, type Observable } from 'rxjs';
import { type AckOf, type ClientEvent, ErrorCodes, type PayloadOf, type ServerEvent, type ServerEventMap } from '@parley/contract';
import { ChatConnection, type ConnectionStatus } from '../app/core/socket.service';

/** How the double answers one event: with that event's ack, as the contract types it. */
export type Handler<E extends ClientEvent> = (payload: PayloadOf<E>) => AckOf<E> | Promise<AckOf<E>>;
export type SentRequest = { [E in ClientEvent]: { event: E; payload: PayloadOf<E> } }[ClientEvent];

/** A connection the test drives: it answers requests with handlers and pushes events on demand. */
export class FakeConnection extends ChatConnection {
  readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();
  readonly connectedSubject = new Subject<void>();
  readonly connected$ = this.connectedSubject.asObservable();
  readonly events = new Map<ServerEvent, Subject<unknown>>();
  readonly requests: SentRequest[] = [];
  handlers: { [E in ClientEvent]?: Handler<E> } = {};

  on<E extends ServerEvent>(event: E): Observable<ServerEventMap[E]> {
    if (!this.events.has(event)) this.events.set(event, new Subject());
    return this.events.get(event)!.asObservable() as Observable<ServerEventMap[E]>;
  }
  push<E extends ServerEvent>(event: E, payload: ServerEventMap[E]): void {
    this.events.get(event)?.next(payload);
  }
  async request<E extends ClientEvent>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>> {
    // The map's entry for a generic E is the union of all entries; each is set under its own event.
    this.requests.push({ event, payload } as SentRequest);
    if (this.statusSignal() !== 'online') return { ok: false, error: { code: ErrorCodes.Internal, message: 'Not connected' } };
    const handler = this.handlers[event] as Handler<E> | undefined;
    // Unhandled events (mark_read, typing) only need to succeed: the store reads nothing else.
    return handler ? handler(payload) : ({ ok: true } as AckOf<E>);
  }
  /** The payloads sent with one event, oldest first. */
  sent<E extends ClientEvent>(event: E): PayloadOf<E>[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload as PayloadOf<E>);
  }
  async connect(): Promise<void> {
    this.statusSignal.set('online');
    this.connectedSubject.next();
    await flush();
  }
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
