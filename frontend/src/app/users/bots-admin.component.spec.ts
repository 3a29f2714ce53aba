import { Clipboard } from '@angular/cdk/clipboard';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { Bot } from '@parley/contract';
import { BotsAdminComponent } from './bots-admin.component';

const bot = (username: string, token: Bot['token'] = { created_at: '2026-12-01T10:00:00.000Z', created_by: 'admin', last_used_at: null }): Bot => ({
  username,
  display_name: `${username} bot`,
  role: 'staff',
  disabled: false,
  created_at: '2026-12-01T10:00:00.000Z',
  token,
});

/** The component awaits plain promises (firstValueFrom) between requests; let them run. */
const promisesSettled = () => new Promise((resolve) => setTimeout(resolve));

describe('BotsAdminComponent', () => {
  let http: HttpTestingController;
  const copied: string[] = [];

  beforeEach(() => {
    copied.length = 0;
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        // jsdom fires no animation events: a dialog would never finish closing.
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: Clipboard, useValue: { copy: (text: string) => copied.push(text) > 0 } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => http.verify());

  async function render() {
    const fixture = TestBed.createComponent(BotsAdminComponent);
    fixture.detectChanges();
    const page = fixture.nativeElement as HTMLElement;
    const settle = async () => {
      await promisesSettled();
      await fixture.whenStable();
      fixture.detectChanges();
    };
    const button = (root: ParentNode, text: string) => Array.from(root.querySelectorAll('button')).find((b) => b.textContent?.trim() === text) as HTMLButtonElement | undefined;
    const row = (name: string) => page.querySelector(`tr[data-bot="${name}"]`) as HTMLElement;
    /** The confirmation dialog renders in the CDK overlay, outside the component. */
    const confirm = async (text: string) => {
      await settle();
      button(document.querySelector('parley-confirm-dialog')!, text)!.click();
      await settle();
    };
    return { fixture, page, settle, button, row, confirm };
  }

  it('says it is loading, then that there are no bots; a failed load offers to try again', async () => {
    const { page, settle, button } = await render();
    expect(page.textContent).toContain('Loading bots');
    http.expectOne('/api/admin/bots').flush({ message: 'down' }, { status: 503, statusText: 'Unavailable' });
    await settle();
    expect(page.querySelector('[role="alert"]')?.textContent).toContain('could not be loaded');
    button(page, 'Try again')!.click();
    http.expectOne('/api/admin/bots').flush({ bots: [] });
    await settle();
    expect(page.querySelector('[data-testid="no-bots"]')?.textContent).toContain('No bots yet');
  });

  it('creates a bot and shows its token once, with a copy button, until Done', async () => {
    const { fixture, page, settle, button, row } = await render();
    const changed: unknown[] = [];
    fixture.componentInstance.changed.subscribe(() => changed.push(true));
    http.expectOne('/api/admin/bots').flush({ bots: [] });
    await settle();

    const name = page.querySelector<HTMLInputElement>('input[name="username"]')!;
    name.value = 'relay';
    name.dispatchEvent(new Event('input'));
    page.querySelector<HTMLFormElement>('form[aria-label="Create a bot"]')!.dispatchEvent(new Event('submit'));
    const create = http.expectOne((r) => r.method === 'POST' && r.url === '/api/admin/bots');
    expect(create.request.body).toEqual({ username: 'relay', role: 'staff' });
    create.flush({ bot: bot('relay'), token: 'parley_bot_secret' });
    await settle();
    http.expectOne('/api/admin/bots').flush({ bots: [bot('relay')] });
    await settle();

    const shown = page.querySelector('[data-testid="bot-token"]')!;
    expect(shown.textContent).toContain('parley_bot_secret');
    button(shown, 'Copy token')!.click();
    fixture.detectChanges();
    expect(copied).toEqual(['parley_bot_secret']);
    expect(button(shown, 'Copied')).toBeDefined();
    expect(row('relay').querySelector('[data-testid="token-state"]')!.textContent).toContain('never used');
    expect(changed).toHaveLength(1);

    button(shown, 'Done')!.click();
    fixture.detectChanges();
    expect(page.querySelector('[data-testid="bot-token"]')).toBeNull();
    expect(page.textContent).not.toContain('parley_bot_secret');
  });

  it('rotates and revokes only after confirming, and shows the state that follows', async () => {
    const { page, settle, button, row, confirm } = await render();
    http.expectOne('/api/admin/bots').flush({ bots: [bot('relay')] });
    await settle();

    button(row('relay'), 'Rotate token')!.click();
    http.expectNone((r) => r.method === 'POST');
    await confirm('Rotate token');
    http.expectOne((r) => r.method === 'POST' && r.url === '/api/admin/bots/relay/token').flush({ bot: bot('relay'), token: 'parley_bot_new' });
    await settle();
    http.expectOne('/api/admin/bots').flush({ bots: [bot('relay')] });
    await settle();
    expect(page.querySelector('[data-testid="bot-token"]')!.textContent).toContain('parley_bot_new');

    button(row('relay'), 'Revoke')!.click();
    await confirm('Revoke token');
    http.expectOne((r) => r.method === 'DELETE' && r.url === '/api/admin/bots/relay/token').flush({ bot: bot('relay', null) });
    await settle();
    http.expectOne('/api/admin/bots').flush({ bots: [bot('relay', null)] });
    await settle();
    expect(row('relay').querySelector('[data-testid="token-state"]')!.textContent).toContain('No working token');
    // A bot without a token is given a new one without a question: nothing stops working.
    expect(button(row('relay'), 'Revoke')).toBeUndefined();
    button(row('relay'), 'New token')!.click();
    http.expectOne((r) => r.method === 'POST' && r.url === '/api/admin/bots/relay/token').flush({ bot: bot('relay'), token: 'parley_bot_third' });
    await settle();
    http.expectOne('/api/admin/bots').flush({ bots: [bot('relay')] });
    await settle();
  });
});
