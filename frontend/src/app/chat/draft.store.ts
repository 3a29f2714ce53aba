import { Injectable, inject } from '@angular/core';
import { STORAGE } from '../core/tokens';

/** A draft not touched for this long is dropped: by then it is stale, not work in progress. */
export const DRAFT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** At most this many drafts are kept per user (the most recently edited), so storage stays small. */
export const DRAFTS_MAX = 200;

interface Draft {
  text: string;
  /** When it was last edited (ms since the epoch). */
  at: number;
}

/**
 * Unsent text, one draft per conversation, kept on this device (localStorage) so a reload or a
 * switch to another conversation and back finds it again. One storage entry per user holds all
 * of that user's drafts, so trimming them is one read and one write.
 */
@Injectable({ providedIn: 'root' })
export class DraftStore {
  private readonly storage = inject(STORAGE);
  /** The clock, replaceable in specs. */
  now: () => number = () => Date.now();

  /** The draft of a conversation, or '' when there is none. */
  load(user: string, conversation: string): string {
    return this.read(user)[conversation]?.text ?? '';
  }

  /** Keeps `text` as the draft (empty or blank text removes it). */
  save(user: string, conversation: string, text: string): void {
    const drafts = this.read(user);
    if (text.trim() === '') delete drafts[conversation];
    else drafts[conversation] = { text, at: this.now() };
    this.write(user, drafts);
  }

  clear(user: string, conversation: string): void {
    this.save(user, conversation, '');
  }

  /** A conversation got a new id (a channel renamed): its draft goes with it. */
  move(user: string, from: string, to: string): void {
    const drafts = this.read(user);
    const draft = drafts[from];
    if (!draft) return;
    delete drafts[from];
    drafts[to] = draft;
    this.write(user, drafts);
  }

  private read(user: string): Record<string, Draft> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.storage.getItem(this.key(user)) ?? '{}');
    } catch {
      // Storage edited by hand, or another version's format: start afresh rather than break the page.
      return {};
    }
    if (typeof parsed !== 'object' || parsed === null) return {};
    const oldest = this.now() - DRAFT_MAX_AGE_MS;
    const drafts: Record<string, Draft> = {};
    for (const [conversation, draft] of Object.entries(parsed as Record<string, unknown>)) {
      const { text, at } = (draft ?? {}) as Partial<Draft>;
      if (typeof text === 'string' && typeof at === 'number' && at >= oldest) drafts[conversation] = { text, at };
    }
    return drafts;
  }

  private write(user: string, drafts: Record<string, Draft>): void {
    const kept = Object.entries(drafts)
      .sort(([, a], [, b]) => b.at - a.at)
      .slice(0, DRAFTS_MAX);
    try {
      this.storage.setItem(this.key(user), JSON.stringify(Object.fromEntries(kept)));
    } catch {
      // Storage full or blocked (private mode): the draft stays in the composer, just not kept.
    }
  }

  private key(user: string): string {
    return `parley.drafts.${user}`;
  }
}
