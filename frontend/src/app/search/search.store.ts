import { Injectable, computed, effect, inject, signal, untracked, type OnDestroy } from '@angular/core';
import { ClientEvents, ErrorCodes, type SearchAck, type SearchResult } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { CLOCK } from '../core/tokens';

/** Typing pauses longer than this start a search: about one keystroke gap, so words are not searched letter by letter. */
export const SEARCH_DEBOUNCE_MS = 250;

/**
 * - idle: nothing typed yet (the panel shows the syntax);
 * - loading: the first page is being asked for;
 * - done: results (possibly none) for `query`;
 * - invalid: the server cannot run the query as written (`error` says why);
 * - failed: anything else went wrong, a retry may help;
 * - offline: the connection is down; the search runs again when it is back.
 */
export type SearchState = 'idle' | 'loading' | 'done' | 'invalid' | 'failed' | 'offline';

/** The results of one conversation, in the order the server found them. */
export interface SearchGroup {
  conversation: string;
  results: SearchResult[];
}

/**
 * The search panel's state, kept by the chat page so a query survives closing and reopening the
 * panel. Each search gets a number; an answer to an older one (a slow reply to an earlier word
 * typed) is dropped.
 */
@Injectable()
export class SearchStore implements OnDestroy {
  private readonly connection = inject(ChatConnection);
  private readonly now = inject(CLOCK);
  /** What is typed in the box. */
  readonly query = signal('');
  readonly state = signal<SearchState>('idle');
  readonly results = signal<SearchResult[]>([]);
  readonly nextCursor = signal<string | null>(null);
  readonly loadingMore = signal(false);
  /** The server's INVALID_QUERY message, or a failed "Load more". */
  readonly error = signal<string | null>(null);
  /** The query the shown results (or error) answer. */
  readonly searched = signal('');
  /** Grouped by conversation, the groups in the order of their newest result. */
  readonly groups = computed(() => {
    const groups = new Map<string, SearchResult[]>();
    for (const result of this.results()) {
      const list = groups.get(result.conversation) ?? [];
      list.push(result);
      groups.set(result.conversation, list);
    }
    return [...groups].map(([conversation, results]): SearchGroup => ({ conversation, results }));
  });
  /** The results in the order they are shown (group by group): arrow keys walk this. */
  readonly shown = computed(() => this.groups().flatMap((group) => group.results));
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    // Back online after an offline search: run it now rather than make the person retype.
    effect(() => {
      if (this.connection.status() === 'online' && this.state() === 'offline') untracked(() => void this.run());
    });
  }

  /** The box changed: search once typing pauses. */
  type(query: string): void {
    this.query.set(query);
    this.cancelTimer();
    if (query.trim() === '') {
      this.generation++;
      this.reset('idle');
      return;
    }
    this.timer = setTimeout(() => void this.run(), SEARCH_DEBOUNCE_MS);
  }

  /** Searches for the current query now (Retry, or the debounce ending). */
  async run(): Promise<void> {
    this.cancelTimer();
    const q = this.query().trim();
    const generation = ++this.generation;
    // A "Load more" still out belongs to the query being replaced: its answer is dropped, so it
    // must not leave the button waiting.
    this.loadingMore.set(false);
    if (q === '') return this.reset('idle');
    this.searched.set(q);
    if (this.connection.status() !== 'online') return this.reset('offline');
    this.state.set('loading');
    const ack = await this.connection.request(ClientEvents.Search, { q, tz: this.tz() });
    if (generation !== this.generation) return;
    if (ack.ok) {
      this.apply(ack, false);
      this.state.set('done');
      this.error.set(null);
    } else {
      this.reset(ack.error.code === ErrorCodes.InvalidQuery ? 'invalid' : this.connection.status() === 'online' ? 'failed' : 'offline');
      if (ack.error.code === ErrorCodes.InvalidQuery) this.error.set(ack.error.message);
    }
  }

  /** The next page of the same query; a failure says so under the results and keeps them. */
  async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor === null || this.loadingMore() || this.state() !== 'done') return;
    const generation = this.generation;
    this.loadingMore.set(true);
    this.error.set(null);
    const ack = await this.connection.request(ClientEvents.Search, { q: this.searched(), cursor, tz: this.tz() });
    if (generation !== this.generation) return;
    this.loadingMore.set(false);
    if (ack.ok) this.apply(ack, true);
    else this.error.set(this.connection.status() === 'online' ? 'Could not load more results.' : 'Offline: could not load more results.');
  }

  ngOnDestroy(): void {
    this.cancelTimer();
  }

  private apply(ack: SearchAck, append: boolean): void {
    this.results.update((held) => (append ? [...held, ...ack.results.filter((r) => !held.some((h) => h.id === r.id))] : ack.results));
    this.nextCursor.set(ack.next_cursor);
  }

  private reset(state: SearchState): void {
    this.state.set(state);
    this.results.set([]);
    this.nextCursor.set(null);
    this.loadingMore.set(false);
    this.error.set(null);
  }

  /** Minutes east of UTC: bare dates in before:/after:/on: mean this person's days. */
  private tz(): number {
    return -new Date(this.now()).getTimezoneOffset();
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A snippet cut at its highlights: the marked parts are shown in <mark>, as text, never as HTML. */
export function snippetParts(snippet: string, highlights: ReadonlyArray<readonly [number, number]>): { text: string; mark: boolean }[] {
  const parts: { text: string; mark: boolean }[] = [];
  let at = 0;
  for (const [start, end] of highlights) {
    // Out of order, overlapping or out of range (the contract says they are not): skipped rather than shown twice.
    if (start < at || end <= start || end > snippet.length) continue;
    if (start > at) parts.push({ text: snippet.slice(at, start), mark: false });
    parts.push({ text: snippet.slice(start, end), mark: true });
    at = end;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), mark: false });
  return parts;
}
