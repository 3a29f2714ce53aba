import { Injectable, inject, signal, type OnDestroy } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import type { Socket } from 'socket.io-client';
import type { Ack } from '@parley/contract';
import { SOCKET_FACTORY } from './tokens';

export type ConnectionStatus = 'connecting' | 'online' | 'offline';

/** What the chat needs from a connection; the socket below is the real one, specs use a fake. */
export abstract class ChatConnection {
  abstract readonly status: () => ConnectionStatus;
  /** Emits on every (re)connect: the moment to verify and sync. */
  abstract readonly connected$: Observable<void>;
  abstract on<T>(event: string): Observable<T>;
  abstract request<T extends object>(event: string, payload: unknown): Promise<Ack<T>>;
}

/** A request whose ack does not come back in this long is treated as failed (and retryable). */
const ACK_TIMEOUT_MS = 10_000;

@Injectable({ providedIn: 'root' })
export class SocketService extends ChatConnection implements OnDestroy {
  private readonly factory = inject(SOCKET_FACTORY);
  private socket: Socket | null = null;
  private readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();
  private readonly connectedSubject = new Subject<void>();
  readonly connected$ = this.connectedSubject.asObservable();

  connect(): void {
    const socket = this.ensureSocket();
    if (socket.connected) return;
    this.statusSignal.set('connecting');
    socket.connect();
  }

  /** Created once, listeners attached once; connect() may be called again after disconnect(). */
  private ensureSocket(): Socket {
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
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1_000);
    });
    socket.io.on('reconnect_attempt', () => this.statusSignal.set('connecting'));
    return socket;
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.statusSignal.set('offline');
  }

  on<T>(event: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      const socket = this.ensureSocket();
      const listener = (payload: T) => subscriber.next(payload);
      socket.on(event, listener);
      return () => socket.off(event, listener);
    });
  }

  async request<T extends object>(event: string, payload: unknown): Promise<Ack<T>> {
    if (!this.socket?.connected) {
      return { ok: false, error: { code: 'INTERNAL', message: 'Not connected' } };
    }
    try {
      return (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<T>;
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: 'No answer from the server' } };
    }
  }

  ngOnDestroy(): void {
    this.disconnect();
  }
}
