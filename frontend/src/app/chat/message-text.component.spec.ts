import { TestBed } from '@angular/core/testing';
import MarkdownIt from 'markdown-it';
import { MessageTextComponent } from './message-text.component';

describe('MessageTextComponent', () => {
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    // Angular's sanitizer warns when it had to remove something: markdown-it's output must
    // already be inside its allow-list, so nothing is silently lost (target and rel included).
    warnings = jest.spyOn(console, 'warn');
  });
  afterEach(() => {
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });

  async function render(text: string, mentions?: string[], me?: string): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(MessageTextComponent);
    fixture.componentRef.setInput('text', text);
    if (mentions) fixture.componentRef.setInput('mentions', mentions);
    if (me) fixture.componentRef.setInput('me', me);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  const all = (host: HTMLElement, selector: string) => Array.from(host.querySelectorAll(selector));
  const texts = (host: HTMLElement, selector: string) => all(host, selector).map((element) => element.textContent);

  /** What no message may ever produce, whatever it says. */
  function expectInert(host: HTMLElement): void {
    expect(all(host, 'script, style, img, svg, math, iframe, frame, object, embed, link, meta, base, form, input, button, video, audio, source, h1, h2, h3, h4, h5, h6, table, hr')).toEqual([]);
    for (const element of all(host, '.parley-message-text *')) {
      for (const attribute of Array.from(element.attributes)) {
        expect(attribute.name).not.toMatch(/^on/i);
        // No inline styles: the page's CSP need not allow them for messages.
        expect(attribute.name).not.toBe('style');
      }
    }
    for (const link of all(host, 'a')) {
      expect(link.getAttribute('href')).toMatch(/^(https?:\/\/|mailto:)/);
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
  }

  it('renders the chat subset of Markdown', async () => {
    const host = await render(
      ['**bold** *italic* _also_ ~~gone~~ `code`', 'second line', '', '> quoted', '', '- one', '- two', '', '1. first', '2. second', '', '```', 'block', '```'].join('\n'),
    );
    expect(texts(host, 'strong')).toEqual(['bold']);
    expect(texts(host, 'em')).toEqual(['italic', 'also']);
    expect(texts(host, 's')).toEqual(['gone']);
    expect(texts(host, 'p > code')).toEqual(['code']);
    // breaks: one Enter is one line break
    expect(all(host, 'p:first-child br')).toHaveLength(1);
    expect(texts(host, 'blockquote p')).toEqual(['quoted']);
    expect(texts(host, 'ul > li')).toEqual(['one', 'two']);
    expect(texts(host, 'ol > li')).toEqual(['first', 'second']);
    expect(texts(host, 'pre > code')).toEqual(['block\n']);
    expectInert(host);
  });

  it('makes indented code a code block, focusable so a keyboard can scroll it', async () => {
    const host = await render('    const a = 1;');
    const pre = host.querySelector('pre');
    expect(pre?.textContent).toBe('const a = 1;\n');
    expect(pre?.getAttribute('tabindex')).toBe('0');
  });

  it('shows headings, rules, tables, images and reference links as the text that was typed', async () => {
    const host = await render(['# Title', '', 'text', '---', '', '| a | b |', '|---|---|', '', '![photo](https://example.com/p.png)', '', '[ref][1]', '', '[1]: https://example.com/r'].join('\n'));
    expectInert(host);
    expect(host.textContent).toContain('# Title');
    expect(host.textContent).toContain('| a | b |');
    expect(host.textContent).toContain('[ref][1]');
    // The image's address stays a plain link (opened on a click, never fetched by the page).
    expect(all(host, 'a').map((a) => a.getAttribute('href'))).toEqual(['https://example.com/p.png', 'https://example.com/r']);
  });

  it('links http, https and mailto addresses, opening in a new tab without opener or referrer', async () => {
    const host = await render('see https://example.com/a?b=1&c=2, [the docs](http://docs.example/x) or write to someone@example.com or <mailto:desk@example.com>');
    expect(all(host, 'a').map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      ['https://example.com/a?b=1&c=2', 'https://example.com/a?b=1&c=2'],
      ['http://docs.example/x', 'the docs'],
      ['mailto:someone@example.com', 'someone@example.com'],
      ['mailto:desk@example.com', 'mailto:desk@example.com'],
    ]);
    expectInert(host);
  });

  it.each([
    ['a script element', '<script>window.hacked = true</script>', '<script>window.hacked = true</script>'],
    ['an image with onerror', '<img src=x onerror="window.hacked = true">', '<img src=x onerror="window.hacked = true">'],
    ['an HTML link', '<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">x</a>'],
    ['an SVG with onload', '<svg onload=alert(1)>', '<svg onload=alert(1)>'],
    ['HTML entities, shown as typed', '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x202E;', '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x202E;'],
    ['a javascript: link', '[click me](javascript:alert(1))', '[click me](javascript:alert(1))'],
    ['a javascript: link in capitals and spaces', '[x]( JAVASCRIPT:alert(1) )', '[x]( JAVASCRIPT:alert(1) )'],
    ['a javascript: autolink', '<javascript:alert(1)>', '<javascript:alert(1)>'],
    ['a bare javascript: URL', 'javascript:alert(document.cookie)', 'javascript:alert(document.cookie)'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['a data: image', '![x](data:image/png;base64,iVBORw0KGgo=)', '![x](data:image/png;base64,iVBORw0KGgo=)'],
    ['a data: autolink', '<data:text/html,<script>alert(1)</script>>', '<data:text/html,<script>alert(1)</script>>'],
    ['a vbscript: link', '[x](vbscript:msgbox)', '[x](vbscript:msgbox)'],
    ['a file: link', '[x](file:///etc/passwd)', '[x](file:///etc/passwd)'],
    ['a link into the app itself', '[sign out](/api/auth/logout) [elsewhere](//evil.example/)', '[sign out](/api/auth/logout) [elsewhere](//evil.example/)'],
  ])('keeps %s as inert text', async (_name, message, shown) => {
    const host = await render(message);
    expectInert(host);
    expect(all(host, 'a')).toEqual([]);
    expect(host.textContent?.trim()).toBe(shown);
  });

  it('shows < in code as the character, not markup', async () => {
    const host = await render('`a < b && <b>c</b>`\n\n```html\n<script>alert(1)</script>\n```');
    expectInert(host);
    expect(texts(host, 'p > code')).toEqual(['a < b && <b>c</b>']);
    expect(texts(host, 'pre > code')).toEqual(['<script>alert(1)</script>\n']);
  });

  it('links a very long URL whole', async () => {
    const url = `https://example.com/${'segment/'.repeat(250)}end?q=${'x'.repeat(500)}`;
    const host = await render(`look: ${url}`);
    expect(all(host, 'a').map((a) => a.getAttribute('href'))).toEqual([url]);
    expectInert(host);
  });

  it('keeps right-to-left text and emoji as written, with the direction taken from the text', async () => {
    const text = 'שלום **עולם** 👋🏽 مرحبا 👨‍👩‍👧';
    const host = await render(text);
    expect(host.getAttribute('dir')).toBe('auto');
    expect(host.textContent?.trim()).toBe(text.replace(/\*\*/g, ''));
    expect(texts(host, 'strong')).toEqual(['עולם']);
  });

  it.each(['*', '_', '[', '`', '~', '**a', '[a](', '*a _b ', '> ', '- ', '1. ', '![', '<', '\\'])(
    'returns for 16 KB of %j (no exponential parsing)',
    async (unit) => {
      const host = await render(unit.repeat(Math.ceil(16_384 / unit.length)));
      expectInert(host);
      expect(host.textContent?.length).toBeGreaterThan(0);
    },
  );

  it('renders each distinct text once, however many rows show it', async () => {
    const render$ = jest.spyOn(MarkdownIt.prototype, 'render');
    try {
      const text = `memo check ${Math.random()}`;
      await render(text);
      await render(text);
      expect(render$.mock.calls.filter(([source]) => source === text)).toHaveLength(1);
    } finally {
      render$.mockRestore();
    }
  });

  describe('mentions', () => {
    it('marks the @names the message mentions, the viewer\'s own and @here/@channel standing out', async () => {
      const host = await render('@sam and @Cleo, @here: see **@sam**', ['sam', 'cleo', '@here'], 'cleo');
      expect(texts(host, 'mark.mention')).toEqual(['@sam', '@Cleo', '@here', '@sam']);
      expect(texts(host, 'mark.mention-me')).toEqual(['@Cleo', '@here']);
      expect(texts(host, 'strong mark')).toEqual(['@sam']);
      expectInert(host);
    });

    it('leaves text alone that names nobody the message mentions, e-mail addresses and code included', async () => {
      const host = await render('@nobody, mail me at x@sam.example, `@sam`, @sam.', ['sam'], 'cleo');
      expect(texts(host, 'mark')).toEqual(['@sam']);
      expect(host.querySelector('code')!.textContent).toBe('@sam');
    });

    it('marks nothing in a message without mentions', async () => {
      const host = await render('@sam hello');
      expect(all(host, 'mark')).toEqual([]);
    });
  });
});
