import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, Injector, type Signal, afterNextRender, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import type { SearchResult } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { newConversation } from '../chat/chat.model';
import { conversationTitle, type People, personName } from '../chat/conversation-names';
import { SearchStore, snippetParts } from './search.store';

export interface SearchPanelData {
  /** Display names known to the chat page, for senders and conversations. */
  people: Signal<People>;
  /** The viewer's user name (a team conversation is named differently for its guest). */
  me: string | null;
}

/** What the panel closes with: the message to jump to, when one was picked. */
export type SearchPanelResult = SearchResult | undefined;

/**
 * The search panel (a dialog): a box that searches as one types, and the results grouped by
 * conversation. Focus stays in the box; arrows move through the results (a combobox over a
 * listbox, aria-activedescendant), Enter or a click picks one, Escape closes (the dialog's own).
 */
@Component({
  selector: 'parley-search-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatDialogModule],
  template: `
    <div class="head">
      <span class="material-symbols-outlined" aria-hidden="true">search</span>
      <input #box class="box" type="text" role="combobox" aria-label="Search messages" aria-autocomplete="list"
        autocomplete="off" spellcheck="false" placeholder="Search messages"
        [attr.aria-expanded]="store.shown().length > 0" [attr.aria-controls]="store.shown().length > 0 ? 'search-results' : null"
        [attr.aria-activedescendant]="activeOption()"
        [value]="store.query()" (input)="store.type(box.value)" (keydown)="onKeydown($event)" />
      <button mat-icon-button type="button" mat-dialog-close aria-label="Close search">
        <span class="material-symbols-outlined" aria-hidden="true">close</span>
      </button>
    </div>
    <div class="body" (scroll)="onScroll($event)" [attr.aria-busy]="store.state() === 'loading'">
      @if (offline()) {
        <p class="note warn" role="status" data-testid="search-offline">
          You are offline. The search runs when the connection is back; what you typed is kept.
        </p>
      }
      @switch (view()) {
        @case ('idle') {
          <div class="hint" data-testid="search-hint">
            <p>Type words or parts of words; every one must appear. Case and accents do not matter.</p>
            <ul>
              <li><code>"exact phrase"</code> in quotes</li>
              <li><code>from:sam</code> messages sam sent</li>
              <li><code>in:#ops</code>, <code>in:&#64;sam</code>, <code>in:staff</code> one conversation</li>
              <li><code>before:2026-12-01</code>, <code>after:</code>, <code>on:</code> dates (YYYY-MM-DD)</li>
            </ul>
            <p class="keys">↑ ↓ to move, Enter to open, Esc to close</p>
          </div>
        }
        @case ('loading') {
          <p class="note" role="status" data-testid="search-loading">Searching…</p>
        }
        @case ('invalid') {
          <p class="note warn" role="alert" data-testid="search-invalid">{{ store.error() }}</p>
        }
        @case ('failed') {
          <div class="note warn" role="alert" data-testid="search-failed">
            <span>The search failed.</span>
            <button mat-button type="button" (click)="store.run()">Retry</button>
          </div>
        }
        @case ('done') {
          @if (store.results().length === 0) {
            <p class="note" role="status" data-testid="search-empty">No messages match “{{ store.searched() }}”.</p>
          } @else {
            <p class="visually-hidden" role="status">{{ countText() }}</p>
            <div id="search-results" role="listbox" aria-label="Search results" [class.stale]="store.state() === 'loading'">
              @for (group of store.groups(); track group.conversation) {
                <div role="group" class="group" [attr.aria-labelledby]="'search-group-' + $index">
                  <h3 class="group-title" [id]="'search-group-' + $index" role="presentation">{{ titleOf(group.conversation) }}</h3>
                  @for (result of group.results; track result.id) {
                    <div role="option" class="result" [id]="'search-result-' + result.id" data-testid="search-result"
                      [attr.data-id]="result.id" [attr.aria-selected]="result === active()" [class.active]="result === active()"
                      (click)="pick(result)">
                      <div class="meta">
                        <span class="sender">{{ senderOf(result) }}</span>
                        <time [attr.datetime]="result.sent_at">{{ result.sent_at | date: 'mediumDate' }}, {{ result.sent_at | date: 'shortTime' }}</time>
                        @if (result.edited) {
                          <span class="edited">edited</span>
                        }
                      </div>
                      <div class="snippet">@for (part of partsOf(result); track $index) {@if (part.mark) {<mark>{{ part.text }}</mark>} @else {<span>{{ part.text }}</span>}}</div>
                    </div>
                  }
                </div>
              }
            </div>
            @if (store.nextCursor() !== null) {
              <button mat-button type="button" class="more" data-testid="search-more" [disabled]="store.loadingMore()" (click)="store.loadMore()">
                {{ store.loadingMore() ? 'Loading…' : 'Load more' }}
              </button>
            }
            @if (store.error(); as error) {
              <p class="note warn" role="alert">{{ error }}</p>
            }
          }
        }
      }
    </div>
  `,
  styles: `
    :host { display: flex; flex-direction: column; height: 100%; max-height: 100%; min-height: 0; color: var(--mat-sys-on-surface); }
    .head { display: flex; align-items: center; gap: 0.5rem; padding: 0.5rem 0.5rem 0.5rem 1rem; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .box { flex: 1; min-width: 0; font: inherit; font-size: 1.05rem; padding: 0.6rem 0.25rem; border: 0; background: transparent; color: inherit; }
    .box:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: 2px; border-radius: 4px; }
    .body { flex: 1; overflow-y: auto; overflow-x: hidden; padding: 0.5rem 0 1rem; min-height: 0; }
    .hint, .note { padding: 0 1rem; color: var(--mat-sys-on-surface-variant); }
    .hint ul { padding-left: 1.25rem; margin: 0.5rem 0; }
    .hint li { margin: 0.25rem 0; }
    .hint code { color: var(--mat-sys-on-surface); background: var(--mat-sys-surface-container-high); padding: 0 0.25rem; border-radius: 4px; }
    .keys { font-size: 0.85rem; }
    .warn { color: var(--mat-sys-error); }
    div.note { display: flex; align-items: center; gap: 0.5rem; }
    .group-title { font-size: 0.8rem; font-weight: 500; margin: 0.75rem 1rem 0.25rem; color: var(--mat-sys-on-surface-variant); text-transform: none; }
    .result { padding: 0.5rem 1rem; cursor: pointer; border-inline-start: 3px solid transparent; }
    /* Hover only shades: the active option follows the keyboard, so a pointer resting where results appear moves nothing. */
    .result:hover { background: var(--mat-sys-surface-container-high); }
    /* The active option is where Enter goes: visible even though focus stays in the box. */
    .result.active { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); border-inline-start-color: var(--mat-sys-primary); }
    .meta { display: flex; gap: 0.5rem; align-items: baseline; font-size: 0.8rem; flex-wrap: wrap; }
    .sender { font-weight: 500; }
    .meta time, .edited { color: var(--mat-sys-on-surface-variant); }
    .result.active .meta time, .result.active .edited { color: inherit; }
    .snippet { overflow-wrap: anywhere; white-space: pre-wrap; margin-top: 0.125rem; }
    mark { background: var(--mat-sys-tertiary-container); color: var(--mat-sys-on-tertiary-container); border-radius: 2px; font-weight: 600; }
    .more { margin: 0.5rem 1rem 0; }
    .stale { opacity: 0.6; }
  `,
})
export class SearchPanelComponent {
  readonly store = inject(SearchStore);
  private readonly data = inject<SearchPanelData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<SearchPanelComponent, SearchPanelResult>>(MatDialogRef);
  private readonly connection = inject(ChatConnection);
  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly injector = inject(Injector);
  /** The result Enter opens (a message id); the first result until the arrows move. */
  readonly activeId = signal<number | null>(null);
  readonly active = computed(() => {
    const shown = this.store.shown();
    return shown.find((r) => r.id === this.activeId()) ?? shown[0] ?? null;
  });
  readonly activeOption = computed(() => {
    const active = this.active();
    return active ? `search-result-${active.id}` : null;
  });
  /**
   * What the body shows: while a new query is out, the last results stay (dimmed) rather than
   * flicker to "Searching…" at every pause in typing.
   */
  readonly view = computed(() => (this.store.state() === 'loading' && this.store.results().length > 0 ? 'done' : this.store.state()));
  readonly offline = computed(() => this.connection.status() !== 'online' && this.store.state() === 'offline');
  readonly countText = computed(() => {
    const n = this.store.results().length;
    return `${n}${this.store.nextCursor() !== null ? ' or more' : ''} ${n === 1 ? 'result' : 'results'}`;
  });

  constructor() {
    // Reopened on a query already typed: select it, so typing replaces it and arrows still work.
    afterNextRender(() => this.host.querySelector<HTMLInputElement>('.box')?.select());
  }

  titleOf(conversation: string): string {
    return conversationTitle(newConversation(conversation), this.data.people(), this.data.me);
  }

  senderOf(result: SearchResult): string {
    return personName(result.sender, this.data.people());
  }

  partsOf(result: SearchResult) {
    return snippetParts(result.snippet, result.highlights);
  }

  /** Near the end of the list, the next page loads as "Load more" would. */
  onScroll(event: Event): void {
    const body = event.target as HTMLElement;
    // About two results' height before the end, so the next page is there before the end is.
    if (body.scrollTop + body.clientHeight >= body.scrollHeight - 120) void this.store.loadMore();
  }

  pick(result: SearchResult): void {
    this.ref.close(result);
  }

  onKeydown(event: KeyboardEvent): void {
    // An input method composing (Japanese, Chinese, Korean) owns Enter and the arrows until it commits.
    if (event.isComposing || event.keyCode === 229) return;
    const shown = this.store.shown();
    const at = shown.findIndex((r) => r.id === this.active()?.id);
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(at + 1, shown.length - 1);
        break;
      case 'ArrowUp':
        next = Math.max(at - 1, 0);
        break;
      case 'Home':
      case 'End':
        // Inside the box these move the caret, as in any text field, unless Ctrl is held.
        if (!event.ctrlKey) return;
        next = event.key === 'Home' ? 0 : shown.length - 1;
        break;
      case 'Enter': {
        event.preventDefault();
        // The results shown may answer what was typed before the last keys: search now instead.
        const current = this.store.state() === 'done' && this.store.searched() === this.store.query().trim();
        const active = this.active();
        if (current && active) this.pick(active);
        else if (!current && this.store.state() !== 'loading') void this.store.run();
        return;
      }
      default:
        return;
    }
    event.preventDefault();
    if (next < 0) return;
    this.activeId.set(shown[next].id);
    // The last result reached with the arrows: fetch the next page, as scrolling would.
    if (next === shown.length - 1) void this.store.loadMore();
    afterNextRender(() => this.host.querySelector(`#search-result-${shown[next].id}`)?.scrollIntoView?.({ block: 'nearest' }), {
      injector: this.injector,
    });
  }
}
