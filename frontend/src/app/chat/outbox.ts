import { InjectionToken, inject } from '@angular/core';
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

const DATABASE = 'parley';
const STORE = 'outbox';

/**
 * IndexedDB (not localStorage): it takes structured values, survives like localStorage, and is
 * what a service worker can read too. One object store keyed by client_id, indexed by user.
 * Where IndexedDB is missing or refused (a private window in some browsers), the outbox lives
 * in memory for this page only: sending still works, a reload just does not keep the queue.
 */
export const OUTBOX_STORAGE = new InjectionToken<OutboxStorage>('outbox storage', {
  providedIn: 'root',
  factory: () => {
    const factory = (inject(WINDOW) as Window & { indexedDB?: IDBFactory }).indexedDB;
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
  let opened: Promise<IDBDatabase> | null = null;
  const database = () =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'clientId' }).createIndex('user', 'user');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }).catch((error: unknown) => {
      opened = null;
      throw error;
    }));
  const run = async <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await database();
    return new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      // Resolved once the transaction is durable, not when the request alone succeeded.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  };
  const fallback = memoryOutbox();
  // A refused database (storage full, blocked) must not stop a message from being sent.
  const safely = async <T>(work: () => Promise<T>, instead: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch {
      return instead();
    }
  };
  return {
    put: (entry) => safely(() => run('readwrite', (store) => store.put(entry)).then(() => undefined), () => fallback.put(entry)),
    delete: (clientId) => safely(() => run('readwrite', (store) => store.delete(clientId)).then(() => undefined), () => fallback.delete(clientId)),
    list: (user) => safely(() => run('readonly', (store) => store.index('user').getAll(user) as IDBRequest<OutboxEntry[]>), () => fallback.list(user)),
  };
}
