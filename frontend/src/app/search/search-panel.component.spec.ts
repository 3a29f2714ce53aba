import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { ClientEvents, ErrorCodes, type SearchResult } from '@parley/contract';
import { ChatConnection } from '../core/socket.service';
import { CLOCK } from '../core/tokens';
import { eventually } from '../../testing/eventually';
import { FakeConnection } from '../../testing/fake-connection';
import { SearchPanelComponent, type SearchPanelData } from './search-panel.component';
import { SearchStore } from './search.store';

const found = (id: number): SearchResult => ({
  id, conversation: 'group:staff', sender: 'sam', sender_role: 'staff', sent_at: '2026-12-02T09:00:00.000Z', snippet: `plan ${id}`, highlights: [[0, 4]],
});

/** What the panel says in each state, and what its buttons ask for. */
describe('SearchPanelComponent', () => {
  let connection: FakeConnection;
  let closedWith: unknown[];

  async function render() {
    connection = new FakeConnection();
    closedWith = [];
    const data: SearchPanelData = { people: signal(new Map([['sam', { display_name: 'Sam Staff', role: 'staff' as const }]])), me: 'tess' };
    TestBed.configureTestingModule({
      providers: [
        SearchStore,
        { provide: ChatConnection, useValue: connection },
        { provide: CLOCK, useValue: () => Date.now() },
        { provide: MAT_DIALOG_DATA, useValue: data },
        { provide: MatDialogRef, useValue: { close: (result: unknown) => closedWith.push(result) } },
      ],
    });
    const fixture = TestBed.createComponent(SearchPanelComponent);
    const store = TestBed.inject(SearchStore);
    const host = fixture.nativeElement as HTMLElement;
    const text = async (testId: string) => {
      await fixture.whenStable();
      return host.querySelector(`[data-testid="${testId}"]`)?.textContent?.trim() ?? null;
    };
    return { fixture, store, host, text };
  }

  it('shows the syntax before typing, and the server\'s words for a query it cannot run', async () => {
    const { store, text } = await render();
    expect(await text('search-hint')).toContain('from:sam');
    await connection.connect();
    connection.handlers[ClientEvents.Search] = () => ({ ok: false, error: { code: ErrorCodes.InvalidQuery, message: 'Dates are YYYY-MM-DD' } });
    store.query.set('on:tuesday');
    await store.run();
    expect(await text('search-invalid')).toBe('Dates are YYYY-MM-DD');
    expect(await text('search-hint')).toBeNull();
  });

  it('offers a retry after a failure, and says when nothing matches', async () => {
    const { store, host, text, fixture } = await render();
    await connection.connect();
    connection.handlers[ClientEvents.Search] = () => ({ ok: false, error: { code: ErrorCodes.Internal, message: 'boom' } });
    store.query.set('quokka');
    await store.run();
    expect(await text('search-failed')).toContain('The search failed.');
    connection.handlers[ClientEvents.Search] = () => ({ ok: true, results: [], next_cursor: null });
    await fixture.whenStable();
    (host.querySelector('[data-testid="search-failed"] button') as HTMLButtonElement).click();
    await eventually(async () => (await text('search-empty')) === 'No messages match “quokka”.', { what: 'the empty state' });
  });

  it('says it is offline and keeps the query', async () => {
    const { store, host, text } = await render();
    store.query.set('plan');
    await store.run();
    expect(await text('search-offline')).toContain('You are offline');
    expect((host.querySelector('input') as HTMLInputElement).value).toBe('plan');
  });

  it('loads the next page from its button, and picks a result with a click', async () => {
    const { store, host, fixture } = await render();
    await connection.connect();
    connection.handlers[ClientEvents.Search] = (p) =>
      p.cursor ? { ok: true, results: [found(1)], next_cursor: null } : { ok: true, results: [found(3), found(2)], next_cursor: 'n2' };
    store.query.set('plan');
    await store.run();
    await fixture.whenStable();
    expect(host.querySelector('.group-title')!.textContent).toBe('Staff group');
    (host.querySelector('[data-testid="search-more"]') as HTMLButtonElement).click();
    await eventually(
      async () => {
        await fixture.whenStable();
        return host.querySelectorAll('[data-testid="search-result"]').length === 3;
      },
      { what: 'the next page' },
    );
    expect(host.querySelector('[data-testid="search-more"]')).toBeNull();
    (host.querySelector('#search-result-2') as HTMLElement).click();
    expect(closedWith).toEqual([found(2)]);
  });

  it('keeps the last results, dimmed, while the next query is out, and Enter does not open one of them', async () => {
    const { store, host, fixture } = await render();
    await connection.connect();
    let answer: ((ack: { ok: true; results: SearchResult[]; next_cursor: null }) => void) | null = null;
    connection.handlers[ClientEvents.Search] = (p) =>
      p.q === 'plan' ? { ok: true, results: [found(3)], next_cursor: null } : new Promise((resolve) => (answer = resolve));
    store.query.set('plan');
    await store.run();
    store.query.set('plans');
    const out = store.run();
    await fixture.whenStable();
    expect(host.querySelector('[role="listbox"]')!.classList).toContain('stale');
    expect(host.querySelector('[data-testid="search-loading"]')).toBeNull();
    host.querySelector('input')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
    expect(closedWith).toEqual([]);
    answer!({ ok: true, results: [found(4)], next_cursor: null });
    await out;
    await fixture.whenStable();
    expect(host.querySelector('[role="listbox"]')!.classList).not.toContain('stale');
    // The Enter that commits an input method's text (Japanese, Chinese, Korean) is not a choice.
    host.querySelector('input')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, cancelable: true }));
    expect(closedWith).toEqual([]);
    host.querySelector('input')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
    expect(closedWith).toEqual([found(4)]);
  });
});
