import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import { type ChannelInfo, ClientEvents, type PublicUser, ServerEvents, type WireMessage } from '@parley/contract';
import { AuthService } from '../core/auth.service';
import { ChatConnection, SocketService } from '../core/socket.service';
import { ID_GENERATOR, NOTIFIER, STORAGE, WINDOW } from '../core/tokens';
import { eventually } from '../../testing/eventually';
import { FakeConnection } from '../../testing/fake-connection';
import { ChatPageComponent } from './chat-page.component';

const tess: PublicUser = { username: 'tess', display_name: 'Tess', role: 'staff' };
const ops: ChannelInfo = {
  conversation: 'channel:ops', name: 'ops', topic: 'Rota and cover', visibility: 'private', builtin: false, archived: false,
  member: true, manageable: false, member_count: 2, created_by: 'sam', created_at: '2026-12-01T00:00:00.000Z',
};
const fromSam = (over: Partial<WireMessage>): WireMessage => ({
  message: 'hi', sender: 's', sender_name: 'sam', id: 10, sent_at: '2026-12-02T09:00:00.000Z', sender_role: 'staff',
  target_kind: 'channel', target: 'ops', client_id: null, ...over,
});

/** The page with its own stores over a fake connection: what it shows for channels, mentions and notify settings. */
describe('ChatPageComponent', () => {
  let connection: FakeConnection;

  beforeAll(() => {
    // jsdom has no layout: the message list's ResizeObserver has nothing to observe.
    globalThis.ResizeObserver ??= class {
      observe(): void {}
      disconnect(): void {}
      unobserve(): void {}
    };
  });

  let history: WireMessage[] = [];
  beforeEach(() => (history = []));

  async function render(channels: ChannelInfo[], me: PublicUser = tess) {
    connection = new FakeConnection();
    connection.handlers = {
      [ClientEvents.VerifyUser]: () => ({ ok: true, user: me, latest_id: 1, max_message_bytes: 100, groups: ['staff'], read_groups: ['staff'], edit_window_ms: 15 * 60_000, read_receipts: true, file_limits: { max_bytes: 100_000_000, allowed_types: ['*'] }, group_conversations: { staff: 'group:staff' } }),
      [ClientEvents.Conversations]: () => ({ ok: true, conversations: [], more: false }),
      [ClientEvents.Directory]: () => ({ ok: true, users: [{ username: 'sam', display_name: 'Sam Staff', role: 'staff', online: true }], next_after: null }),
      [ClientEvents.Sync]: () => ({ ok: true, messages: [], more: false, channels, announcements: [], receipts: [], cursor: 0 }),
      [ClientEvents.History]: () => ({ ok: true, messages: history, more: false, receipts: [] }),
      [ClientEvents.SetNotify]: (p) => ({ ok: true, conversation: p.conversation, notify: p.notify }),
    };
    const storage = new Map<string, string>();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: ChatConnection, useValue: connection },
        { provide: SocketService, useValue: { connect: () => void connection.connect(), disconnect: () => undefined } },
        { provide: AuthService, useValue: { user: signal(me), unreachable: signal(false), forget: () => undefined, logout: async () => undefined } },
        { provide: NOTIFIER, useValue: { supported: false, permission: () => 'denied', requestPermission: async () => 'denied', show: () => undefined } },
        { provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } },
        { provide: ID_GENERATOR, useValue: () => 'id' },
        {
          provide: WINDOW,
          useValue: { document: { visibilityState: 'hidden', addEventListener: () => undefined, removeEventListener: () => undefined }, matchMedia: () => ({ matches: true }) },
        },
      ],
    });
    const fixture = TestBed.createComponent(ChatPageComponent);
    fixture.detectChanges();
    const host = fixture.nativeElement as HTMLElement;
    await eventually(() => host.querySelector('[data-conversation="channel:ops"]') !== null || channels.length === 0, { what: 'the channels listed' });
    await fixture.whenStable();
    return { fixture, host };
  }

  afterEach(() => TestBed.inject(HttpTestingController).verify());

  it('offers every role, not only admins, a link to their own account page', async () => {
    const { host } = await render([]);
    const account = Array.from(host.querySelectorAll('header.top a')).find((a) => a.textContent?.trim() === 'Account');
    expect(account?.getAttribute('href')).toBe('/staff/tess/account');
  });

  it('puts the admin pages under one Admin menu (one header row at 1280 px), for an admin only', async () => {
    const { fixture, host } = await render([], { username: 'ada', display_name: 'Ada', role: 'admin' });
    expect(Array.from(host.querySelectorAll('.wide.actions > a')).map((a) => a.textContent?.trim())).toEqual(['Account']);
    (host.querySelector('.wide .admin-menu') as HTMLButtonElement).click();
    await fixture.whenStable();
    const menu = document.querySelector('[role="menu"][aria-label="Admin pages"]')!;
    expect(Array.from(menu.querySelectorAll('a[role="menuitem"]')).map((a) => [a.textContent?.trim(), a.getAttribute('href')])).toEqual([
      ['Roster', '/admin/ada/roster'],
      ['Users', '/admin/ada/users'],
      ['Audit log', '/admin/ada/audit'],
      ['Announcements', '/admin/ada/announcements'],
      ['Retention & export', '/admin/ada/retention'],
      ['Webhooks', '/admin/ada/webhooks'],
    ]);
    TestBed.resetTestingModule();

    const staff = await render([]);
    expect(staff.host.querySelector('.admin-menu')).toBeNull();
  });

  it('opens a channel with its topic and member count, and counts a mention in the list and in total', async () => {
    const { fixture, host } = await render([ops]);
    connection.push(ServerEvents.MessageFromUser, fromSam({ id: 11, message: '@tess rota?', mentions: ['tess'] }));
    await fixture.whenStable();
    expect(host.querySelector('[data-testid="mentions-total"]')!.getAttribute('aria-label')).toBe('1 unread mention');
    expect(host.querySelector('[data-conversation="channel:ops"] [data-testid="mentions-badge"]')).not.toBeNull();

    (host.querySelector('[data-conversation="channel:ops"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    expect(host.querySelector('.conversation-head h2')!.textContent).toContain('#ops');
    expect(host.querySelector('[data-testid="channel-topic"]')!.textContent).toBe('Rota and cover');
    expect(host.querySelector('.conversation-head .members')!.getAttribute('aria-label')).toContain('2 members');
    // The tab is hidden in this spec: opening marks it read only once it is visible, so the count stays.
    expect(host.querySelector('parley-composer')).not.toBeNull();
  });

  it('shows a note instead of the composer in an archived channel, when it is archived live', async () => {
    const { fixture, host } = await render([ops]);
    (host.querySelector('[data-conversation="channel:ops"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    connection.push(ServerEvents.ChannelUpdated, { channel: { ...ops, archived: true } });
    await fixture.whenStable();
    expect(host.querySelector('parley-composer')).toBeNull();
    expect(host.querySelector('[data-testid="archived-note"]')!.textContent).toContain('archived');
  });

  it('sets the open conversation\'s notifications from its header menu', async () => {
    const { fixture, host } = await render([ops]);
    (host.querySelector('[data-conversation="channel:ops"]') as HTMLButtonElement).click();
    await fixture.whenStable();
    (host.querySelector('.conversation-menu') as HTMLButtonElement).click();
    await fixture.whenStable();
    const items = Array.from(document.querySelectorAll<HTMLButtonElement>('[role="menuitemradio"]'));
    expect(items.map((item) => item.textContent!.trim().replace(/^\S+\s+/, ''))).toEqual(['All messages', 'Mentions only', 'Nothing']);
    items[1].click();
    await eventually(() => connection.sent(ClientEvents.SetNotify).length === 1, { what: 'set_notify sent' });
    expect(connection.sent(ClientEvents.SetNotify)).toEqual([{ conversation: 'channel:ops', notify: 'mentions' }]);
  });

  describe('a message\'s actions', () => {
    const recent = () => new Date(Date.now() - 60_000).toISOString();
    async function openOps() {
      history = [
        fromSam({ id: 10, message: 'rota is up', sent_at: recent() }),
        fromSam({ id: 11, message: 'mine to fix', sender_name: 'tess', client_id: 'c11', sent_at: recent() }),
      ];
      const rendered = await render([ops]);
      (rendered.host.querySelector('[data-conversation="channel:ops"]') as HTMLButtonElement).click();
      await eventually(() => rendered.host.querySelectorAll('[data-testid="message"]').length === 2, { what: 'history shown' });
      await rendered.fixture.whenStable();
      return rendered;
    }
    const menuItem = (label: string) => Array.from(document.querySelectorAll<HTMLButtonElement>('[mat-menu-item]')).find((b) => b.textContent!.includes(label));

    it('asks before deleting, and deletes only when confirmed', async () => {
      const { fixture, host } = await openOps();
      connection.handlers[ClientEvents.DeleteMessage] = (p) => ({ ok: true, id: p.id, rev: 90 });
      const mine = host.querySelector('[data-id="11"]')!;
      (mine.querySelector('[data-testid="message-actions"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(menuItem('Edit')).toBeDefined();
      menuItem('Delete')!.click();
      await eventually(() => document.querySelector('parley-confirm-dialog h2')?.textContent === 'Delete this message?', { what: 'the confirmation' });
      Array.from(document.querySelectorAll<HTMLButtonElement>('parley-confirm-dialog button')).find((b) => b.textContent!.includes('Cancel'))!.click();
      await eventually(() => document.querySelector('parley-confirm-dialog') === null, { what: 'the confirmation closed' });
      expect(connection.sent(ClientEvents.DeleteMessage)).toEqual([]);

      (mine.querySelector('[data-testid="message-actions"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      menuItem('Delete')!.click();
      await eventually(() => document.querySelector('parley-confirm-dialog .confirm')?.textContent?.trim() === 'Delete message', { what: 'the confirmation' });
      (document.querySelector('parley-confirm-dialog .confirm') as HTMLButtonElement).click();
      await eventually(() => connection.sent(ClientEvents.DeleteMessage).length === 1, { what: 'delete sent' });
      await eventually(() => host.querySelector('[data-id="11"] [data-testid="tombstone"]') !== null, { what: 'the tombstone' });
      expect(connection.sent(ClientEvents.DeleteMessage)).toEqual([{ id: 11 }]);
    });

    it('offers only Reply on someone else\'s message to a non-admin, and shows the quote above the composer until cancelled', async () => {
      const { fixture, host } = await openOps();
      (host.querySelector('[data-id="10"] [data-testid="message-actions"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(menuItem('Edit')).toBeUndefined();
      expect(menuItem('Delete')).toBeUndefined();
      menuItem('Reply')!.click();
      await fixture.whenStable();
      expect(host.querySelector('[data-testid="replying"]')!.textContent).toContain('rota is up');
      (host.querySelector('[aria-label="Cancel reply"]') as HTMLButtonElement).click();
      await fixture.whenStable();
      expect(host.querySelector('[data-testid="replying"]')).toBeNull();
    });
  });

  describe('search', () => {
    const key = (init: KeyboardEventInit, target: EventTarget = document.body) =>
      target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
    const box = () => document.querySelector<HTMLInputElement>('parley-search-panel input[role="combobox"]');

    it('opens with Ctrl+K, marks the matches as text, walks results with arrows, and Enter jumps to the message', async () => {
      history = [fromSam({ id: 5, message: 'the <i>redeploy</i> plan', target_kind: 'user', target: 'tess' }), fromSam({ id: 30, message: 'later' })];
      const { fixture, host } = await render([ops]);
      connection.handlers[ClientEvents.Search] = () => ({
        ok: true,
        results: [
          { id: 30, conversation: 'channel:ops', sender: 'sam', sender_role: 'staff', sent_at: '2026-12-02T09:00:00.000Z', snippet: 'deploy later', highlights: [[0, 6]] },
          { id: 5, conversation: 'user:sam', sender: 'sam', sender_role: 'staff', sent_at: '2026-12-01T09:00:00.000Z', snippet: 'the <i>redeploy</i> plan', highlights: [[9, 15]], edited: true },
        ],
        next_cursor: null,
      });
      // `/` typed in a text field is text, not the shortcut.
      key({ key: '/' }, host.querySelector('parley-composer textarea')!);
      await fixture.whenStable();
      expect(box()).toBeNull();

      key({ key: 'k', ctrlKey: true });
      await eventually(() => box() !== null, { what: 'the search panel' });
      await fixture.whenStable();
      expect(document.querySelector('[data-testid="search-hint"]')).not.toBeNull();
      // Pressed again while open: still one panel.
      key({ key: 'k', ctrlKey: true });
      await fixture.whenStable();
      expect(document.querySelectorAll('parley-search-panel')).toHaveLength(1);
      box()!.value = 'deplo';
      box()!.dispatchEvent(new Event('input'));
      await eventually(() => document.querySelectorAll('[data-testid="search-result"]').length === 2, { what: 'the results' });
      expect(connection.sent(ClientEvents.Search)).toEqual([{ q: 'deplo', tz: expect.any(Number) }]);
      expect(Array.from(document.querySelectorAll('parley-search-panel .group-title')).map((h) => h.textContent)).toEqual(['#ops', 'Sam Staff']);
      const second = document.querySelector('#search-result-5')!;
      expect(Array.from(second.querySelectorAll('mark')).map((m) => m.textContent)).toEqual(['deploy']);
      expect(second.querySelector('.snippet')!.textContent).toBe('the <i>redeploy</i> plan');
      expect(second.querySelector('i')).toBeNull();
      expect(second.querySelector('.edited')!.textContent).toBe('edited');
      expect(box()!.getAttribute('aria-activedescendant')).toBe('search-result-30');

      key({ key: 'ArrowDown' }, box()!);
      await fixture.whenStable();
      expect(box()!.getAttribute('aria-activedescendant')).toBe('search-result-5');
      expect(second.getAttribute('aria-selected')).toBe('true');
      key({ key: 'Enter' }, box()!);
      await eventually(() => box() === null, { what: 'the panel closed' });
      await eventually(() => host.querySelector('[data-id="5"].highlighted') !== null, { what: 'the message highlighted' });
      expect(host.querySelector('.conversation-head h2')!.textContent).toContain('Sam Staff');

      // Reopened: the query is still there.
      (host.querySelector('button[aria-label="Search"]') as HTMLButtonElement).click();
      await eventually(() => box() !== null, { what: 'the search panel again' });
      await fixture.whenStable();
      expect(box()!.value).toBe('deplo');
    });
  });
});
