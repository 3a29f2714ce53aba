import { TestBed } from '@angular/core/testing';
import { ComposerComponent } from './composer.component';

describe('ComposerComponent', () => {
  async function render(maxBytes = 10) {
    const fixture = TestBed.createComponent(ComposerComponent);
    fixture.componentRef.setInput('maxBytes', maxBytes);
    const sent: string[] = [];
    fixture.componentInstance.sent.subscribe((text) => sent.push(text));
    await fixture.whenStable();
    const textarea = fixture.nativeElement.querySelector('textarea') as HTMLTextAreaElement;
    const type = async (text: string) => {
      textarea.value = text;
      textarea.dispatchEvent(new Event('input'));
      await fixture.whenStable();
    };
    const press = async (init: KeyboardEventInit) => {
      textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true, ...init }));
      await fixture.whenStable();
    };
    return { fixture, sent, type, press };
  }

  it('sends on Enter and clears', async () => {
    const { fixture, sent, type, press } = await render();
    await type('hi');
    await press({});
    expect(sent).toEqual(['hi']);
    expect(fixture.componentInstance.text()).toBe('');
  });

  it('keeps Shift+Enter for a new line', async () => {
    const { sent, type, press } = await render();
    await type('line');
    await press({ shiftKey: true });
    expect(sent).toEqual([]);
  });

  it('counts UTF-8 bytes and refuses text over the limit', async () => {
    const { fixture, sent, type, press } = await render(10);
    await type('ééééé!'); // 11 bytes
    expect(fixture.nativeElement.querySelector('.count').textContent.trim()).toBe('11 / 10');
    await press({});
    expect(sent).toEqual([]);
  });
});
