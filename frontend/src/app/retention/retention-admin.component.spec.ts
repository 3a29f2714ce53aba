import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { RetentionResponse } from '@parley/contract';
import { RetentionAdminComponent } from './retention-admin.component';
import { exportHref } from './retention.model';

const URL = '/api/admin/retention';
const override = (conversation: string, days: number) => ({ conversation, days, updated_at: '2026-12-01T10:00:00.000Z', updated_by: 'admin' });

describe('RetentionAdminComponent', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<RetentionAdminComponent>;
  let element: HTMLElement;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])] });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(RetentionAdminComponent);
    fixture.componentRef.setInput('name', 'admin');
    element = fixture.nativeElement;
    fixture.detectChanges();
  });
  afterEach(() => http.verify());

  const text = () => element.textContent?.replace(/\s+/g, ' ') ?? '';
  /** A macrotask first: the code after each awaited answer (microtasks) runs before the page is checked. */
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve));
    fixture.detectChanges();
    await fixture.whenStable();
  };
  const answerLoad = async (body: RetentionResponse) => {
    http.expectOne({ method: 'GET', url: URL }).flush(body);
    await settle();
  };
  const type = async (selector: string, value: string) => {
    const input = element.querySelector<HTMLInputElement>(selector)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await settle();
  };
  const submit = async () => {
    element.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await settle();
  };

  it('loads and shows the default and each override, 0 as forever', async () => {
    expect(text()).toContain('Loading retention…');
    await answerLoad({ default_days: 30, overrides: [override('channel:ops', 7), override('group:staff', 0)] });
    expect(element.querySelector('[data-testid="retention-default"]')?.textContent).toContain('30 days');
    const rows = Array.from(element.querySelectorAll('[data-testid="retention-override"]')).map((row) => row.textContent?.replace(/\s+/g, ' '));
    expect(rows[0]).toContain('channel:ops');
    expect(rows[0]).toContain('7 days');
    expect(rows[0]).toContain('by admin');
    expect(rows[1]).toContain('group:staff');
    expect(rows[1]).toContain('forever');
  });

  it('shows "Kept forever" without a default, and the empty state without overrides', async () => {
    await answerLoad({ default_days: null, overrides: [] });
    expect(text()).toContain('Kept forever');
    expect(text()).toContain('No per-conversation overrides');
  });

  it('shows a load error with a way to retry', async () => {
    http.expectOne(URL).flush({ statusCode: 503, code: 'INTERNAL', message: 'Server down' }, { status: 503, statusText: 'Unavailable' });
    await settle();
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('Server down');
    element.querySelector<HTMLButtonElement>('[role="alert"] button')!.click();
    await answerLoad({ default_days: null, overrides: [] });
    expect(text()).not.toContain('Server down');
  });

  it('sets an override with PUT and lists the answer; says what is missing before sending', async () => {
    await answerLoad({ default_days: null, overrides: [] });
    await submit();
    expect(text()).toContain('Enter a conversation');
    http.expectNone({ method: 'PUT', url: URL });
    await type('input[name="conversation"]', ' channel:ops ');
    await type('input[name="days"]', '7');
    await submit();
    const put = http.expectOne({ method: 'PUT', url: URL });
    expect(put.request.body).toEqual({ conversation: 'channel:ops', days: 7 });
    put.flush({ default_days: null, overrides: [override('channel:ops', 7)] });
    await settle();
    expect(element.querySelector('[data-conversation="channel:ops"]')?.textContent).toContain('7 days');
    expect(text()).toContain('channel:ops: 7 days.');
    expect(fixture.componentInstance.conversation()).toBe('');
  });

  it('shows a server error beside the form and keeps what was typed', async () => {
    await answerLoad({ default_days: null, overrides: [] });
    await type('input[name="conversation"]', 'channel:nope');
    await type('input[name="days"]', '0');
    await submit();
    http
      .expectOne({ method: 'PUT', url: URL })
      .flush({ statusCode: 404, code: 'NOT_FOUND', message: 'No such conversation' }, { status: 404, statusText: 'Not Found' });
    await settle();
    expect(element.querySelector('[data-testid="retention-error"]')?.textContent).toContain('No such conversation');
    expect(element.querySelector<HTMLInputElement>('input[name="conversation"]')!.value).toBe('channel:nope');
    expect(fixture.componentInstance.daysInput()).toBe(0);
  });

  it('removes an override with days: null', async () => {
    await answerLoad({ default_days: 90, overrides: [override('channel:ops', 7)] });
    element.querySelector<HTMLButtonElement>('[data-conversation="channel:ops"] button')!.click();
    const put = http.expectOne({ method: 'PUT', url: URL });
    expect(put.request.body).toEqual({ conversation: 'channel:ops', days: null });
    put.flush({ default_days: 90, overrides: [] });
    await settle();
    expect(element.querySelector('[data-testid="retention-override"]')).toBeNull();
    expect(text()).toContain('channel:ops follows the default again.');
  });

  it('builds the export link from the form, leaving blank fields out', async () => {
    await answerLoad({ default_days: null, overrides: [] });
    const link = () => element.querySelector<HTMLAnchorElement>('[data-testid="export-link"]')!;
    expect(link().getAttribute('href')).toBe('/api/admin/export');
    expect(link().hasAttribute('download')).toBe(true);
    await type('input[name="export-conversation"]', 'dm:amy:sam');
    await type('input[name="after"]', '2026-11-01');
    await type('input[name="before"]', '2026-12-01');
    expect(link().getAttribute('href')).toBe('/api/admin/export?conversation=dm%3Aamy%3Asam&after=2026-11-01&before=2026-12-01');
    expect(text()).toContain('SHA-256');
  });
});

describe('exportHref', () => {
  it('keeps only the filled fields', () => {
    expect(exportHref({ conversation: '  ', after: '', before: '2026-12-01' })).toBe('/api/admin/export?before=2026-12-01');
  });
});
