import { signal } from '@angular/core';
import { Subject, type Observable } from 'rxjs';
import type { AckOf, Announcement, AnnouncementStatus, ClientEvent, PayloadOf, ServerEvent, ServerEventMap } from '@parley/contract';
import type { ConnectionStatus } from '../app/core/socket.service';

/** A socket for the announcement specs: events pushed by the test, every request answered ok. */
export class FakeAnnouncementSocket {
  readonly statusSignal = signal<ConnectionStatus>('offline');
  readonly status = this.statusSignal.asReadonly();
  readonly connectedSubject = new Subject<void>();
  readonly connected$ = this.connectedSubject.asObservable();
  private readonly events = new Map<ServerEvent, Subject<unknown>>();
  readonly requested: ClientEvent[] = [];

  on<E extends ServerEvent>(event: E): Observable<ServerEventMap[E]> {
    if (!this.events.has(event)) this.events.set(event, new Subject());
    return this.events.get(event)!.asObservable() as Observable<ServerEventMap[E]>;
  }
  push<E extends ServerEvent>(event: E, payload: ServerEventMap[E]): void {
    this.events.get(event)?.next(payload);
  }
  async request<E extends ClientEvent>(event: E, _payload: PayloadOf<E>): Promise<AckOf<E>> {
    this.requested.push(event);
    return { ok: true } as AckOf<E>;
  }
  connect(): void {
    this.statusSignal.set('online');
    this.connectedSubject.next();
  }
  disconnect(): void {
    this.statusSignal.set('offline');
  }
}

export function announcement(id: number, over: Partial<Announcement> = {}): Announcement {
  return { id, message: `notice ${id}`, author: 'admin', author_display_name: 'Ada', roles: ['client'], created_at: '2026-12-01T09:00:00.000Z', acknowledged_at: null, ...over };
}

export function announcementStatus(id: number, over: Partial<AnnouncementStatus> = {}): AnnouncementStatus {
  return { ...announcement(id), audience: 2, acknowledged: 0, ...over };
}
