import { InjectionToken, inject } from '@angular/core';
import { indexedDbOf, localStore, orElse } from '../core/local-database';
import { WINDOW } from '../core/tokens';
import type { ChatMessage } from './chat.model';

/** A message written on this device and not yet acknowledged by the server. */
export interface OutboxEntry {
  /** Its client_id: the server stores a message at most once per client_id and sender. */
  clientId: string;
  user: string;
  conversation: string;
  message: ChatMessage;
}

/** Where unacknowledged messages wait, across reloads and closed tabs. */
export interface OutboxStorage {
  put(entry: OutboxEntry): Promise<void>;
  delete(clientId: string): Promise<void>;
  list(user: string): Promise<OutboxEntry[]>;
}

/**
 * IndexedDB (not localStorage): it takes structured values, survives like localStorage, and is
 * what a service worker can read too. One object store keyed by client_id, indexed by user
 * (core/local-database.ts).
 * Where IndexedDB is missing or refused (a private window in some browsers), the outbox lives
 * in memory for this page only: sending still works, a reload just does not keep the queue.
 */
export const OUTBOX_STORAGE = new InjectionToken<OutboxStorage>('outbox storage', {
  providedIn: 'root',
  factory: () => {
    const factory = indexedDbOf(inject(WINDOW));
    return factory ? indexedDbOutbox(factory) : memoryOutbox();
  },
});

export function memoryOutbox(): OutboxStorage {
  // Stored as JSON, as IndexedDB stores a copy: later changes to the message do not leak in.
  const entries = new Map<string, string>();
  return {
    put: async (entry) => void entries.set(entry.clientId, JSON.stringify(entry)),
    delete: async (clientId) => void entries.delete(clientId),
    list: async (user) => [...entries.values()].map((text) => JSON.parse(text) as OutboxEntry).filter((entry) => entry.user === user),
  };
}

function indexedDbOutbox(factory: IDBFactory): OutboxStorage {
  const store = localStore<OutboxEntry>(factory, 'outbox');
  // A refused database (storage full, blocked) must not stop a message from being sent.
  const fallback = memoryOutbox();
  return {
    put: (entry) => orElse(() => store.put(entry), () => fallback.put(entry)),
    delete: (clientId) => orElse(() => store.delete(clientId), () => fallback.delete(clientId)),
    list: (user) => orElse(() => store.getAllBy('user', user), () => fallback.list(user)),
  };
}
