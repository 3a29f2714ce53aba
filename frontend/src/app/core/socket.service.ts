import { Injectable, inject, signal, type OnDestroy } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import type { Socket } from 'socket.io-client';
import { Router } from '@angular/router';
import { type AckOf, type ClientEvent, ErrorCodes, type PayloadOf, type ServerEvent, ServerEvents, type ServerEventMap } from '@parley/contract';
import { AuthService } from './auth.service';
import { SOCKET_FACTORY, type ParleySocket } from './tokens';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

/**
 * What the chat needs from a connection; the socket below is the real one, specs use a fake.
 * Typed by the contract's event map: a misspelt event, a wrong payload or a field the ack does
 * not have fails the typecheck (chat-connection.type-test.ts holds the cases).
 */
export abstract class ChatConnection {
  abstract readonly status: () => ConnectionStatus;
  /** Emits on every (re)connect: the moment to verify and sync. */
  abstract readonly connected$: Observable<void>;
  abstract on<E extends ServerEvent>(event: E): Observable<ServerEventMap[E]>;
  /** Never rejects: no connection or no answer comes back as an INTERNAL error ack. */
  abstract request<E extends ClientEvent>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>>;
}

/** A request whose ack does not come back in this long is treated as failed (and retryable). */
const ACK_TIMEOUT_MS = 10_000;

@Injectable({ providedIn: 'root' })
export class SocketService extends ChatConnection implements OnDestroy {
  private readonly factory = inject(SOCKET_FACTORY);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  /** An administrator ended the session (session_ended): the close that follows is final. */
  private ended = false;
  private socket: ParleySocket | null = null;
  private readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();
  private readonly connectedSubject = new Subject<void>();
  readonly connected$ = this.connectedSubject.asObservable();

  connect(): void {
    const socket = this.ensureSocket();
    if (socket.connected) return;
    this.ended = false;
    this.statusSignal.set('connecting');
    socket.connect();
  }

  /** Created once, listeners attached once; connect() may be called again after disconnect(). */
  private ensureSocket(): ParleySocket {
    if (this.socket) return this.socket;
    const socket = (this.socket = this.factory());
    socket.on('connect', () => {
      this.statusSignal.set('online');
      this.connectedSubject.next();
    });
    socket.on('disconnect', (reason) => {
      this.statusSignal.set('offline');
      // A server-side close (kick, sign-out) is not retried by socket.io; try once more so a
      // signed-out user learns it from the verify answer instead of a frozen page.
      if (reason === 'io server disconnect' && !this.ended) setTimeout(() => socket.connect(), 1_000);
    });
    // Whatever page is open (chat, roster), it ends at the sign-in page, which says why.
    socket.on(ServerEvents.SessionEnded, ({ reason }) => {
      this.ended = true;
      this.auth.sessionEnded(reason);
      void this.router.navigateByUrl('/login');
    });
    socket.io.on('reconnect_attempt', () => this.statusSignal.set('connecting'));
    return socket;
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.statusSignal.set('offline');
  }

  /*
   * on() and request() address the socket untyped: socket.io types listeners and acks through
   * conditional types that TypeScript cannot resolve for a generic E. Their signatures are what
   * those types give for every concrete event, so callers stay checked against the contract.
   */

  on<E extends ServerEvent>(event: E): Observable<ServerEventMap[E]> {
    return new Observable<ServerEventMap[E]>((subscriber) => {
      const socket: Socket = this.ensureSocket();
      const name: string = event;
      const listener = (payload: ServerEventMap[E]) => subscriber.next(payload);
      socket.on(name, listener);
      return () => socket.off(name, listener);
    });
  }

  async request<E extends ClientEvent>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>> {
    const socket: Socket | null = this.socket;
    if (!socket?.connected) {
      return { ok: false, error: { code: ErrorCodes.Internal, message: 'Not connected' } };
    }
    try {
      const ack: AckOf<E> = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
      return ack;
    } catch {
      return { ok: false, error: { code: ErrorCodes.Internal, message: 'No answer from the server' } };
    }
  }

  ngOnDestroy(): void {
    this.disconnect();
  }
}
