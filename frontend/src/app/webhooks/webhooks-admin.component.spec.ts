import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import type { WebhookDelivery, WebhookResponse } from '@parley/contract';
import { CLIPBOARD } from '../core/tokens';
import { WebhooksAdminComponent } from './webhooks-admin.component';

const LIST = '/api/admin/webhooks';
const webhook = (id: number, fields: Partial<WebhookResponse> = {}): WebhookResponse => ({
  id,
  url: `http://hooks.example.lan/${id}`,
  events: ['message'],
  conversations: null,
  description: '',
  enabled: true,
  created_at: '2026-12-01T10:00:00.000Z',
  created_by: 'admin',
  secret_rotated_at: null,
  deliveries: { pending: 0, delivered: 0, failed: 0 },
  last_delivery: null,
  ...fields,
});
const delivery = (id: string, fields: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id,
  event: 'message',
  message_id: 42,
  status: 'failed',
  attempts: 12,
  created_at: '2026-12-01T10:00:00.000Z',
  last_attempt_at: '2026-12-01T13:00:00.000Z',
  next_attempt_at: null,
  last_status: null,
  last_error: 'Connection refused by hooks.example.lan',
  delivered_at: null,
  ...fields,
});

describe('WebhooksAdminComponent', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<WebhooksAdminComponent>;
  let element: HTMLElement;
  const copied: string[] = [];
  let clipboardWorks = true;

  beforeEach(() => {
    copied.length = 0;
    clipboardWorks = true;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: CLIPBOARD, useValue: async (text: string) => (copied.push(text), clipboardWorks) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(WebhooksAdminComponent);
    fixture.componentRef.setInput('name', 'admin');
    element = fixture.nativeElement;
    fixture.detectChanges();
  });
  // The page's Incoming section loads on its own (incoming-webhooks.component.spec.ts tests it).
  afterEach(() => {
    http.match((r) => r.url === '/api/admin/incoming-webhooks' || r.url === '/api/admin/bots');
    http.verify();
  });

  const text = (root: Element = element) => root.textContent?.replace(/\s+/g, ' ') ?? '';
  /** A macrotask first: the code after each awaited answer (microtasks) runs before the page is checked. */
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve));
    fixture.detectChanges();
    await fixture.whenStable();
  };
  const answerList = async (webhooks: WebhookResponse[]) => {
    http.expectOne({ method: 'GET', url: LIST }).flush({ webhooks });
    await settle();
  };
  const type = async (name: string, value: string) => {
    const input = element.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await settle();
  };
  const button = (root: Element, label: string) => Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === label) as HTMLButtonElement;
  const item = () => element.querySelector('[data-testid="webhook"]')!;
  const confirmDialog = () => document.querySelector('parley-confirm-dialog') as HTMLElement;

  it('shows loading, then the empty state', async () => {
    expect(text()).toContain('Loading webhooks…');
    await answerList([]);
    expect(text()).toContain('No webhooks yet');
  });

  it('shows a load error with a way to retry', async () => {
    http.expectOne(LIST).flush({ statusCode: 503, code: 'INTERNAL', message: 'Server down' }, { status: 503, statusText: 'Unavailable' });
    await settle();
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('Server down');
    button(element.querySelector('[role="alert"]')!, 'Retry').click();
    await answerList([]);
    expect(text()).not.toContain('Server down');
  });

  it('lists each webhook with what it covers and how its last delivery went', async () => {
    await answerList([
      webhook(1, { conversations: ['group:staff', 'channel:ops'], description: 'CI bot', deliveries: { pending: 1, delivered: 5, failed: 2 }, last_delivery: { status: 'failed', at: '2026-12-01T12:00:00.000Z', error: 'HTTP 500: boom' } }),
      webhook(2, { enabled: false }),
    ]);
    const [first, second] = Array.from(element.querySelectorAll('[data-testid="webhook"]'));
    expect(text(first)).toContain('group:staff, channel:ops');
    expect(text(first)).toContain('CI bot');
    expect(text(first)).toContain('5 delivered · 1 waiting · 2 failed');
    expect(first.querySelector('[data-testid="webhook-status"]')?.textContent).toContain('Last delivery failed: HTTP 500: boom');
    expect(first.querySelector('[data-testid="webhook-status"]')?.classList).toContain('bad');
    expect(text(second)).toContain('Every conversation but direct messages');
    expect(text(second)).toContain('Paused');
    expect(button(second, 'Resume')).toBeTruthy();
  });

  it('registers a webhook, then shows its secret once with a copy button; says what is missing before sending', async () => {
    await answerList([]);
    button(element, 'Register webhook').click();
    await settle();
    expect(element.querySelector('[data-testid="webhook-form-error"]')?.textContent).toContain('Enter the address');
    await type('url', 'https://hooks.example.lan/parley');
    await type('conversations', 'group:staff, channel:ops ,');
    await type('description', 'CI bot');
    button(element, 'Register webhook').click();
    await settle();
    const post = http.expectOne({ method: 'POST', url: LIST });
    expect(post.request.body).toEqual({ url: 'https://hooks.example.lan/parley', events: ['message'], conversations: ['group:staff', 'channel:ops'], description: 'CI bot' });
    post.flush({ webhook: webhook(3, { url: 'https://hooks.example.lan/parley' }), secret: 'whsec_shown-once' });
    await settle();
    const secret = element.querySelector('[data-testid="webhook-secret"]')!;
    expect(secret.querySelector('input')!.value).toBe('whsec_shown-once');
    expect(text(secret)).toContain('does not show it again');
    button(secret, 'Copy').click();
    await settle();
    expect(copied).toEqual(['whsec_shown-once']);
    expect(text(secret)).toContain('Copied.');
    expect(element.querySelectorAll('[data-testid="webhook"]')).toHaveLength(1);
    expect(element.querySelector<HTMLInputElement>('input[name="url"]')!.value).toBe('');
    button(secret, 'Done').click();
    await settle();
    expect(element.querySelector('[data-testid="webhook-secret"]')).toBeNull();
  });

  it("keeps the form and shows the server's refusal of an address", async () => {
    await answerList([]);
    await type('url', 'http://10.0.0.9/hook');
    button(element, 'Register webhook').click();
    await settle();
    const message = '10.0.0.9 is not in PARLEY_WEBHOOK_ALLOWED_HOSTS.';
    http.expectOne({ method: 'POST', url: LIST }).flush({ statusCode: 400, code: 'WEBHOOK_ADDRESS_NOT_ALLOWED', message }, { status: 400, statusText: 'Bad Request' });
    await settle();
    expect(element.querySelector('[data-testid="webhook-form-error"]')?.textContent).toContain(message);
    expect(element.querySelector<HTMLInputElement>('input[name="url"]')!.value).toBe('http://10.0.0.9/hook');
  });

  it('tells the admin to copy the secret by hand when the browser refuses', async () => {
    await answerList([webhook(1)]);
    button(item(), 'New secret').click();
    await settle();
    button(confirmDialog(), 'Replace the secret').click();
    await settle();
    http.expectOne({ method: 'POST', url: `${LIST}/1/secret` }).flush({ webhook: webhook(1), secret: 'whsec_new' });
    await settle();
    clipboardWorks = false;
    button(element.querySelector('[data-testid="webhook-secret"]')!, 'Copy').click();
    await settle();
    expect(text()).toContain('select the secret and copy it yourself');
  });

  it('pauses, and removes only after confirming', async () => {
    await answerList([webhook(1)]);
    button(item(), 'Pause').click();
    await settle();
    const patch = http.expectOne({ method: 'PATCH', url: `${LIST}/1` });
    expect(patch.request.body).toEqual({ enabled: false });
    patch.flush(webhook(1, { enabled: false }));
    await settle();
    expect(text(item())).toContain('Paused');

    button(item(), 'Remove').click();
    await settle();
    expect(text(confirmDialog())).toContain('Remove the webhook to http://hooks.example.lan/1?');
    button(confirmDialog(), 'Cancel').click();
    await settle();
    http.expectNone({ method: 'DELETE' });
    button(item(), 'Remove').click();
    await settle();
    button(confirmDialog(), 'Remove webhook').click();
    await settle();
    http.expectOne({ method: 'DELETE', url: `${LIST}/1` }).flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    expect(text()).toContain('No webhooks yet');
  });

  it('shows the deliveries with their errors, filters the failed ones, and retries one', async () => {
    await answerList([webhook(1)]);
    button(item(), 'Deliveries').click();
    await settle();
    http.expectOne(`${LIST}/1/deliveries`).flush({ deliveries: [delivery('d1'), delivery('d2', { status: 'delivered', attempts: 1, last_status: 204, last_error: null })] });
    await settle();
    const rows = Array.from(element.querySelectorAll('[data-testid="webhook-delivery"]'));
    expect(text(rows[0])).toContain('Failed after 12 attempts');
    expect(rows[0].querySelector('[data-testid="webhook-delivery-error"]')?.textContent).toContain('Connection refused by hooks.example.lan');
    expect(text(rows[1])).toContain('Delivered (1 attempt, HTTP 204)');
    expect(button(rows[1], 'Try again now')).toBeUndefined();

    button(rows[0], 'Try again now').click();
    await settle();
    http.expectOne({ method: 'POST', url: `${LIST}/1/deliveries/d1/retry` }).flush({ delivery: delivery('d1', { status: 'pending', attempts: 0, next_attempt_at: '2026-12-01T13:05:00.000Z' }) });
    await settle();
    expect(text(element.querySelector('[data-testid="webhook-delivery"]')!)).toContain('Waiting');

    button(element, 'Failed').click();
    await settle();
    http.expectOne(`${LIST}/1/deliveries?status=failed`).flush({ deliveries: [] });
    await settle();
    expect(text()).toContain('None.');
  });
});
