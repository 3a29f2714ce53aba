import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { Bot, IncomingWebhook } from '@parley/contract';
import { CLIPBOARD } from '../core/tokens';
import { IncomingWebhooksComponent } from './incoming-webhooks.component';

const LIST = '/api/admin/incoming-webhooks';
const BOTS = '/api/admin/bots';
const hook = (id: number, fields: Partial<IncomingWebhook> = {}): IncomingWebhook => ({
  id,
  name: `CI ${id}`,
  bot: 'ci',
  conversation: 'group:staff',
  created_at: '2026-12-01T10:00:00.000Z',
  created_by: 'admin',
  last_used_at: null,
  revoked_at: null,
  ...fields,
});
const bot = (username: string): Bot => ({ username, display_name: username, role: 'staff', disabled: false, created_at: '2026-12-01T10:00:00.000Z', token: null });

describe('IncomingWebhooksComponent', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<IncomingWebhooksComponent>;
  let element: HTMLElement;
  const copied: string[] = [];

  beforeEach(() => {
    copied.length = 0;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: CLIPBOARD, useValue: async (text: string) => (copied.push(text), true) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(IncomingWebhooksComponent);
    element = fixture.nativeElement;
    fixture.detectChanges();
  });
  afterEach(() => http.verify());

  const text = (root: Element = element) => root.textContent?.replace(/\s+/g, ' ') ?? '';
  /** A macrotask first: the code after each awaited answer (microtasks) runs before the page is checked. */
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve));
    fixture.detectChanges();
    await fixture.whenStable();
  };
  const answerLoad = async (hooks: IncomingWebhook[], bots = ['ci', 'deploy']) => {
    http.expectOne({ method: 'GET', url: LIST }).flush({ hooks });
    http.expectOne({ method: 'GET', url: BOTS }).flush({ bots: bots.map(bot) });
    await settle();
  };
  const set = async (selector: string, value: string, event: 'input' | 'change' = 'input') => {
    const field = element.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!;
    field.value = value;
    field.dispatchEvent(new Event(event));
    await settle();
  };
  const button = (root: Element, label: string) => Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === label) as HTMLButtonElement;
  const submit = async () => {
    button(element, 'Create incoming webhook').click();
    await settle();
  };
  const confirmDialog = () => document.querySelector('parley-confirm-dialog') as HTMLElement;

  it('lists hooks with their bot, conversation and use, and offers the bots to choose from', async () => {
    expect(text()).toContain('Loading incoming webhooks…');
    await answerLoad([hook(2, { last_used_at: '2026-12-02T10:00:00.000Z' }), hook(1, { revoked_at: '2026-12-02T11:00:00.000Z', name: '' })]);
    const [live, revoked] = Array.from(element.querySelectorAll('[data-testid="incoming-webhook"]'));
    expect(text(live)).toContain('Posts as ci into group:staff');
    expect(text(live)).toContain('Last used');
    expect(button(live, 'Revoke')).toBeTruthy();
    expect(text(revoked)).toContain('Hook 1');
    expect(text(revoked)).toContain('Revoked');
    expect(text(revoked)).toContain('Never used');
    expect(button(revoked, 'Revoke')).toBeUndefined();
    expect(Array.from(element.querySelectorAll('select[name="bot"] option')).map((o) => o.textContent?.trim())).toEqual(['Choose a bot', 'ci', 'deploy']);
  });

  it('shows the empty state', async () => {
    await answerLoad([]);
    expect(text()).toContain('No incoming webhooks yet');
  });

  it('asks for a bot and a conversation before sending anything', async () => {
    await answerLoad([]);
    await submit();
    expect(element.querySelector('[data-testid="incoming-form-error"]')?.textContent).toContain('Choose the bot');
    await set('select[name="bot"]', 'ci', 'change');
    await submit();
    expect(element.querySelector('[data-testid="incoming-form-error"]')?.textContent).toContain('Enter the conversation');
  });

  it('creates a hook and shows its URL once, with a copy button', async () => {
    await answerLoad([]);
    await set('select[name="bot"]', 'ci', 'change');
    await set('input[name="conversation"]', ' channel:ops ');
    await set('input[name="hook-name"]', 'CI builds');
    await submit();
    const request = http.expectOne({ method: 'POST', url: LIST });
    expect(request.request.body).toEqual({ bot: 'ci', conversation: 'channel:ops', name: 'CI builds' });
    const url = 'http://parley.lan:8080/api/hooks/parley_hook_abc';
    request.flush({ hook: hook(3, { conversation: 'channel:ops', name: 'CI builds' }), url });
    await settle();
    const shown = element.querySelector('[data-testid="incoming-url"]')!;
    expect(shown.querySelector('input')!.value).toBe(url);
    button(shown, 'Copy URL').click();
    await settle();
    expect(copied).toEqual([url]);
    expect(text(shown)).toContain('Copied.');
    button(shown, 'Done').click();
    await settle();
    expect(element.querySelector('[data-testid="incoming-url"]')).toBeNull();
    expect(element.textContent).not.toContain('parley_hook_abc');
    expect(text(element.querySelector('[data-testid="incoming-webhook"]')!)).toContain('into channel:ops');
  });

  it("keeps the form and shows the server's refusal", async () => {
    await answerLoad([]);
    await set('select[name="bot"]', 'ci', 'change');
    await set('input[name="conversation"]', 'user:nobody');
    await submit();
    http.expectOne({ method: 'POST', url: LIST }).flush({ statusCode: 400, code: 'UNKNOWN_RECIPIENT', message: 'No group, user or socket called "user:nobody"' }, { status: 400, statusText: 'Bad Request' });
    await settle();
    expect(element.querySelector('[data-testid="incoming-form-error"]')?.textContent).toContain('user:nobody');
    expect(element.querySelector<HTMLInputElement>('input[name="conversation"]')!.value).toBe('user:nobody');
  });

  it('revokes only after confirming', async () => {
    await answerLoad([hook(1)]);
    const item = () => element.querySelector('[data-testid="incoming-webhook"]')!;
    button(item(), 'Revoke').click();
    await settle();
    expect(text(confirmDialog())).toContain('Revoke the incoming webhook CI 1?');
    button(confirmDialog(), 'Cancel').click();
    await settle();
    http.expectNone({ method: 'DELETE' });
    button(item(), 'Revoke').click();
    await settle();
    button(confirmDialog(), 'Revoke webhook').click();
    await settle();
    http.expectOne({ method: 'DELETE', url: `${LIST}/1` }).flush(hook(1, { revoked_at: '2026-12-02T11:00:00.000Z' }));
    await settle();
    expect(text(item())).toContain('Revoked');
    expect(button(item(), 'Revoke')).toBeUndefined();
  });
});
