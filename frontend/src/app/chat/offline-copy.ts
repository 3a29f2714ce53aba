import { InjectionToken, inject } from '@angular/core';
import { type ChannelInfo, type NotifyLevel, parseConversationId, type PublicUser } from '@parley/contract';
import { indexedDbOf, localStore, orElse } from '../core/local-database';
import { WINDOW } from '../core/tokens';
import type { ChatMessage, Conversation } from './chat.model';

/** How many conversations, and messages in each, this device keeps to show offline. */
export const OFFLINE_CONVERSATIONS = 20;
export const OFFLINE_MESSAGES = 40;

/** One conversation as kept: its newest messages and where the user had read to. */
export interface SavedConversation {
  id: string;
  messages: ChatMessage[];
  unread: number;
  mentions: number;
  notify: NotifyLevel;
  lastReadId: number;
  olderAvailable: boolean;
  historyLoaded: boolean;
  receipts: [string, number][];
}

/**
 * A user's recent conversations as this device last saw them, shown when the app starts with
 * the server out of reach. `cursor` is the sync cursor the copy is consistent with: every
 * message and change up to it is in the copy, so a sync from it (not from a later cursor the
 * tab may have reached after the last save) brings the copy up to date, edits and deletions too.
 */
export interface OfflineCopy {
  user: string;
  savedAt: string;
  cursor: number;
  conversations: SavedConversation[];
  /** The names of the people in those conversations (the directory is not there offline). */
  people: PublicUser[];
  /** The user's channels, so saved channel conversations are listed under Channels. */
  channels: ChannelInfo[];
}

export interface OfflineCopyStorage {
  save(copy: OfflineCopy): Promise<void>;
  load(user: string): Promise<OfflineCopy | null>;
  /** Signing out removes the copy: the next person at this browser must not read it offline. */
  remove(user: string): Promise<void>;
}

export const OFFLINE_COPY_STORAGE = new InjectionToken<OfflineCopyStorage>('offline copy storage', {
  providedIn: 'root',
  factory: () => {
    const factory = indexedDbOf(inject(WINDOW));
    return factory ? indexedDbCopies(factory) : memoryCopies();
  },
});

export function memoryCopies(): OfflineCopyStorage {
  // As JSON, as IndexedDB stores a copy: later changes to the store's objects do not leak in.
  const copies = new Map<string, string>();
  return {
    save: async (copy) => void copies.set(copy.user, JSON.stringify(copy)),
    load: async (user) => {
      const text = copies.get(user);
      return text === undefined ? null : (JSON.parse(text) as OfflineCopy);
    },
    remove: async (user) => void copies.delete(user),
  };
}

function indexedDbCopies(factory: IDBFactory): OfflineCopyStorage {
  const store = localStore<OfflineCopy>(factory, 'recent');
  // Refused (storage full, a private window): nothing is kept, and the app works online as before.
  return {
    save: (copy) => orElse(() => store.put(copy), async () => undefined),
    load: (user) => orElse(async () => (await store.get(user)) ?? null, async () => null),
    remove: (user) => orElse(() => store.delete(user), async () => undefined),
  };
}

/**
 * What to keep of the conversations held: the most recent ones with messages, each with its
 * newest stored messages (pending ones are the outbox's), without the viewer's actions in flight.
 */
export function offlineCopyOf(
  user: string,
  cursor: number,
  conversations: readonly Conversation[],
  now: Date,
  { people = [], channels = [] }: { people?: readonly PublicUser[]; channels?: readonly ChannelInfo[] } = {},
): OfflineCopy {
  const kept = conversations
    .filter((c) => c.messages.some((m) => m.id !== null))
    .sort((a, b) => newestId(b) - newestId(a))
    .slice(0, OFFLINE_CONVERSATIONS);
  const named = new Set(kept.flatMap((c) => [...c.messages.map((m) => m.senderName), ...peopleNamedBy(c.id)]));
  return {
    user,
    savedAt: now.toISOString(),
    cursor,
    people: people.filter((person) => named.has(person.username)).map(({ username, display_name, role }) => ({ username, display_name, role })),
    channels: [...channels],
    conversations: kept.map((c) => {
      const stored = c.messages.filter((m) => m.id !== null);
      const messages = stored.slice(-OFFLINE_MESSAGES).map(({ pending: _pending, actionError: _error, ...message }) => message);
      return {
        id: c.id,
        messages,
        unread: c.unread,
        mentions: c.mentions,
        notify: c.notify,
        lastReadId: c.lastReadId,
        // Cut short: what was left out is older, and history brings it back.
        olderAvailable: c.olderAvailable || messages.length < stored.length,
        historyLoaded: c.historyLoaded,
        receipts: [...c.receipts],
      };
    }),
  };
}

/** The person a conversation is with (a DM's other person, a team conversation's guest). */
function peopleNamedBy(id: string): string[] {
  const parsed = parseConversationId(id);
  if (parsed?.kind === 'user') return [parsed.username];
  return parsed?.kind === 'team' ? [parsed.guest] : [];
}

function newestId(conversation: Conversation): number {
  return conversation.messages.findLast((m) => m.id !== null)?.id ?? 0;
}
