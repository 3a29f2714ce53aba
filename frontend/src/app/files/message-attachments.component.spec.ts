import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { Attachment } from '@parley/contract';
import { chatMessage as message } from '../../testing/chat-message';
import { eventually } from '../../testing/eventually';
import { MessageItemComponent } from '../chat/message-item.component';

describe('a message\'s files', () => {
  const plan: Attachment = { id: 'f1', name: 'plan.png', size: 48_211, content_type: 'image/png', width: 1200, height: 800, thumbnail_url: '/api/files/f1/thumbnail' };
  const report: Attachment = { id: 'f/2', name: 'report.pdf', size: 2_400_000, content_type: 'application/pdf' };

  beforeEach(() => TestBed.configureTestingModule({ providers: [{ provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }] }));
  afterEach(() => document.querySelectorAll('.cdk-overlay-container').forEach((overlay) => (overlay.innerHTML = '')));

  async function render(attachments: readonly Attachment[], over = {}) {
    const fixture = TestBed.createComponent(MessageItemComponent);
    fixture.componentRef.setInput('message', message({ id: 1, text: 'See the plan', attachments, ...over }));
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows a picture as a lazy thumbnail sized to fit, named by the file, under the text', async () => {
    const element = await render([plan]);
    expect(element.querySelector('parley-message-text')!.textContent!.trim()).toBe('See the plan');
    const img = element.querySelector<HTMLImageElement>('[data-testid="attachment-image"] img')!;
    expect([img.getAttribute('src'), img.getAttribute('alt'), img.getAttribute('loading')]).toEqual(['/api/files/f1/thumbnail', 'plan.png', 'lazy']);
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['320', '213']);
    expect(element.querySelector('[data-testid="attachment-file"]')).toBeNull();
  });

  it('shows any other file as a card with its name, size and a download link', async () => {
    const element = await render([report], { text: '' });
    expect(element.querySelector('parley-message-text')).toBeNull();
    const card = element.querySelector('[data-testid="attachment-file"]')!;
    expect(card.textContent).toContain('report.pdf');
    expect(card.textContent).toContain('2.4 MB');
    expect(card.querySelector('.icon')!.textContent).toBe('picture_as_pdf');
    const link = card.querySelector<HTMLAnchorElement>('a')!;
    expect(link.getAttribute('href')).toBe('/api/files/f%2F2');
    expect(link.hasAttribute('download')).toBe(true);
    expect(link.getAttribute('aria-label')).toBe('Download report.pdf');
  });

  it('shows no files on a deleted message', async () => {
    const element = await render([plan, report], { text: '', deleted: true });
    expect(element.querySelector('parley-message-attachments')).toBeNull();
  });

  it('opens the full picture in a dialog with its name, size and a download, from the thumbnail', async () => {
    const element = await render([plan]);
    element.querySelector<HTMLButtonElement>('[data-testid="attachment-image"]')!.click();
    await eventually(() => expect(document.querySelector('mat-dialog-container h2')?.textContent).toBe('plan.png'));
    const dialog = document.querySelector('mat-dialog-container')!;
    expect(dialog.querySelector('[data-testid="lightbox-image"]')!.getAttribute('src')).toBe('/api/files/f1');
    expect(dialog.textContent).toContain('48 KB');
    expect(dialog.querySelector('a[download]')!.getAttribute('href')).toBe('/api/files/f1');
  });
});
