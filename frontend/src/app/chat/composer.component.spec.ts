import { TestBed } from '@angular/core/testing';
import { STORAGE } from '../core/tokens';
import { ComposerComponent } from './composer.component';

describe('ComposerComponent', () => {
  let storage: Map<string, string>;

  beforeEach(() => {
    storage = new Map();
    TestBed.configureTestingModule({
      providers: [{ provide: STORAGE, useValue: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) } }],
    });
  });

  async function render(maxBytes = 10, conversation: string | null = null) {
    const fixture = TestBed.createComponent(ComposerComponent);
    fixture.componentRef.setInput('maxBytes', maxBytes);
    fixture.componentRef.setInput('user', 'cleo');
    fixture.componentRef.setInput('conversation', conversation);
    const sent: string[] = [];
    fixture.componentInstance.sent.subscribe((message) => sent.push(message.text));
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
    const open = async (id: string) => {
      fixture.componentRef.setInput('conversation', id);
      await fixture.whenStable();
    };
    const notice = () => (fixture.nativeElement.querySelector('[role="status"]').textContent as string).trim();
    return { fixture, sent, type, press, open, textarea, notice };
  }

  it('sends on Enter and clears', async () => {
    const { fixture, sent, type, press } = await render();
    await type('hi');
    await press({});
    expect(sent).toEqual(['hi']);
    expect(fixture.componentInstance.text()).toBe('');
  });

  it('asks to edit the last message on Up in an empty box only, and passes Escape on', async () => {
    const { fixture, type, press } = await render(100);
    const asked: string[] = [];
    fixture.componentInstance.editLast.subscribe(() => asked.push('edit-last'));
    fixture.componentInstance.escaped.subscribe(() => asked.push('escape'));
    await press({ key: 'ArrowUp' });
    await type('half a thought');
    await press({ key: 'ArrowUp' });
    await press({ key: 'Escape' });
    expect(asked).toEqual(['edit-last', 'escape']);
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
    expect(fixture.nativeElement.querySelector('.count').textContent.trim()).toBe('11 / 10 bytes');
    await press({});
    expect(sent).toEqual([]);
  });

  it('announces the size only near or over the limit, not on every keystroke', async () => {
    const { fixture, type, notice } = await render(10);
    expect(fixture.nativeElement.querySelector('.count').getAttribute('aria-live')).toBeNull();
    await type('12345678'); // 80 %
    expect(notice()).toBe('');
    await type('123456789'); // 90 %
    expect(notice()).toBe('Nearly at the limit of 10 bytes.');
    await type('1234567890');
    expect(notice()).toBe('Nearly at the limit of 10 bytes.');
    await type('12345678901');
    expect(notice()).toBe('Too long to send: over the limit of 10 bytes.');
  });

  it('keeps a draft per conversation: switching shows that one\'s draft or nothing', async () => {
    const { fixture, type, open, textarea } = await render(100, 'user:sam');
    await type('for sam');
    await open('group:staff');
    expect(textarea.value).toBe('');
    expect(fixture.componentInstance.text()).toBe('');
    await type('for staff');
    await open('user:sam');
    expect(textarea.value).toBe('for sam');
    await open('group:staff');
    expect(textarea.value).toBe('for staff');
  });

  it('finds the draft again after a reload, and forgets it once sent', async () => {
    const first = await render(100, 'user:sam');
    await first.type('kept');
    first.fixture.destroy();
    const second = await render(100, 'user:sam');
    expect(second.textarea.value).toBe('kept');
    await second.press({});
    expect(second.sent).toEqual(['kept']);
    second.fixture.destroy();
    const third = await render(100, 'user:sam');
    expect(third.textarea.value).toBe('');
  });

  it('focuses the text box when a conversation is opened', async () => {
    const { fixture, textarea, open } = await render(100, 'user:sam');
    document.body.appendChild(fixture.nativeElement);
    await open('group:staff');
    expect(document.activeElement).toBe(textarea);
  });

  describe('@mentions', () => {
    const people = [
      { username: 'sam', display_name: 'Sam Staff' },
      { username: 'sara', display_name: 'Sara' },
      { username: 'ada', display_name: 'Ada Samson' },
    ];
    async function withPeople(broadcast: boolean) {
      const rendered = await render(100, 'channel:news');
      rendered.fixture.componentRef.setInput('people', people);
      rendered.fixture.componentRef.setInput('broadcast', broadcast);
      await rendered.fixture.whenStable();
      const key = async (key: string, init: KeyboardEventInit = {}) => {
        rendered.textarea.dispatchEvent(new KeyboardEvent('keydown', { key, cancelable: true, ...init }));
        await rendered.fixture.whenStable();
      };
      const options = () => Array.from(rendered.fixture.nativeElement.querySelectorAll('[role="option"]') as NodeListOf<HTMLElement>);
      return { ...rendered, key, options };
    }

    it('suggests people as @ is typed, names first, and @here/@channel where allowed', async () => {
      const { type, options, textarea } = await withPeople(true);
      await type('hi @sa');
      expect(options().map((o) => o.querySelector('.handle')!.textContent)).toEqual(['@sam', '@sara', '@ada']);
      expect(textarea.getAttribute('aria-controls')).toBe('mention-options');
      expect(textarea.getAttribute('aria-activedescendant')).toBe('mention-option-0');
      await type('hi @');
      expect(options().map((o) => o.querySelector('.handle')!.textContent)).toEqual(['@ada', '@sam', '@sara', '@here', '@channel']);
      await type('mail@sa');
      expect(options()).toEqual([]);
    });

    it('offers no @here or @channel in a direct conversation', async () => {
      const { type, options } = await withPeople(false);
      await type('@');
      expect(options().map((o) => o.querySelector('.handle')!.textContent)).toEqual(['@ada', '@sam', '@sara']);
    });

    it('moves with the arrows, picks with Enter or Tab instead of sending, and closes with Escape', async () => {
      const { type, key, options, textarea, sent, fixture } = await withPeople(true);
      await type('hello @sa');
      await key('ArrowDown');
      expect(options()[1].getAttribute('aria-selected')).toBe('true');
      await key('Enter');
      expect(sent).toEqual([]);
      expect(textarea.value).toBe('hello @sara ');
      expect(options()).toEqual([]);

      await type('hello @sara and @s');
      await key('ArrowUp'); // wraps to the last
      await key('Tab');
      expect(textarea.value).toBe('hello @sara and @ada ');

      await type('x @s');
      await key('Escape');
      expect(options()).toEqual([]);
      await key('Enter');
      expect(sent).toEqual(['x @s']);
      expect(fixture.componentInstance.text()).toBe('');
    });

    it('picks with a click too, and keeps the draft', async () => {
      const { type, options, textarea, fixture } = await withPeople(false);
      await type('@ad');
      options()[0].click();
      await fixture.whenStable();
      expect(textarea.value).toBe('@ada ');
      expect(storage.get('parley.drafts.cleo')).toContain('@ada ');
    });
  });
});
