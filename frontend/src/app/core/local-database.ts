/**
 * The app's IndexedDB database ('parley'): one object store per use, all created here so that
 * every part opens the same version. Stores are keyed by a property of their values.
 *   outbox  messages not yet acknowledged (chat/outbox.ts), key clientId, index user
 *   recent  the copy of each user's recent conversations shown offline (chat/offline-copy.ts), key user
 */
const DATABASE = 'parley';
const VERSION = 2;
const STORES: Record<string, { keyPath: string; indexes?: string[] }> = {
  outbox: { keyPath: 'clientId', indexes: ['user'] },
  recent: { keyPath: 'user' },
};

/** The browser's IndexedDB, or undefined where there is none (old browsers, some private windows). */
export function indexedDbOf(win: Window): IDBFactory | undefined {
  return (win as Window & { indexedDB?: IDBFactory }).indexedDB;
}

export type StoreName = keyof typeof STORES & string;

/** One object store, through promises that settle once the transaction is durable. */
export interface LocalStore<T> {
  put(value: T): Promise<void>;
  get(key: string): Promise<T | undefined>;
  delete(key: string): Promise<void>;
  getAllBy(index: string, value: string): Promise<T[]>;
}

const openings = new WeakMap<IDBFactory, Promise<IDBDatabase>>();

function open(factory: IDBFactory): Promise<IDBDatabase> {
  let opening = openings.get(factory);
  if (opening) return opening;
  opening = new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      // From any older version: only the stores missing are added, so an outbox kept by the
      // first version survives the upgrade.
      const db = request.result;
      for (const [name, { keyPath, indexes = [] }] of Object.entries(STORES)) {
        if (db.objectStoreNames.contains(name)) continue;
        const store = db.createObjectStore(name, { keyPath });
        for (const index of indexes) store.createIndex(index, index);
      }
    };
    request.onsuccess = () => {
      // Another tab with a newer app asks to upgrade: let it, and open again next time.
      request.result.onversionchange = () => {
        request.result.close();
        openings.delete(factory);
      };
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('The local database is held open by an older copy of Parley in another tab'));
  });
  // A failed opening is tried again on the next call, not remembered.
  opening.catch(() => openings.delete(factory));
  openings.set(factory, opening);
  return opening;
}

export function localStore<T>(factory: IDBFactory, name: StoreName): LocalStore<T> {
  const run = async <R>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<R>): Promise<R> => {
    const db = await open(factory);
    return new Promise<R>((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const request = work(transaction.objectStore(name));
      // Resolved once the transaction is durable, not when the request alone succeeded.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  };
  return {
    put: (value) => run('readwrite', (store) => store.put(value)).then(() => undefined),
    get: (key) => run('readonly', (store) => store.get(key) as IDBRequest<T | undefined>),
    delete: (key) => run('readwrite', (store) => store.delete(key)).then(() => undefined),
    getAllBy: (index, value) => run('readonly', (store) => store.index(index).getAll(value) as IDBRequest<T[]>),
  };
}

/** Runs `work`; when the database refuses (storage full, blocked, private window), runs `instead`. */
export async function orElse<T>(work: () => Promise<T>, instead: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch {
    return instead();
  }
}
