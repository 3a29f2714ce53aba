import { ChangeDetectionStrategy, Component, ViewEncapsulation, computed, input } from '@angular/core';
import { renderMessageMarkdown } from './message-markdown';

/**
 * One message's text with its formatting: bold, italic, strikethrough, code, quotes, lists and
 * links (see message-markdown.ts for what is allowed and why). The HTML goes in through
 * `[innerHTML]`, never a bypassSecurityTrust* call, so Angular's sanitizer checks it once more.
 */
@Component({
  selector: 'parley-message-text',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // The rendered elements are not part of this template, so emulated encapsulation would not
  // reach them; the rules below are scoped by this element's name instead.
  encapsulation: ViewEncapsulation.None,
  // dir="auto": a message in Arabic or Hebrew reads right to left, whatever the page's direction.
  host: { dir: 'auto' },
  template: `<div class="parley-message-text" [innerHTML]="html()"></div>`,
  styles: `
    parley-message-text { display: block; min-width: 0; overflow-wrap: anywhere; }
    parley-message-text :is(p, ul, ol, blockquote, pre) { margin: 0 0 0.4em; }
    parley-message-text :is(p, ul, ol, blockquote, pre):last-child { margin-bottom: 0; }
    /* Each paragraph and item takes its own direction from its text, for mixed-language messages. */
    parley-message-text :is(p, li) { unicode-bidi: plaintext; }
    parley-message-text :is(ul, ol) { padding-inline-start: 1.4em; }
    parley-message-text blockquote { padding-inline-start: 0.6em; border-inline-start: 3px solid var(--mat-sys-outline); color: var(--mat-sys-on-surface-variant); }
    parley-message-text a { color: var(--mat-sys-primary); text-decoration: underline; }
    parley-message-text code { font-family: ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', monospace; font-size: 0.9em;
      background: var(--mat-sys-surface-container-highest); border-radius: 4px; padding: 0.05em 0.25em; }
    /* A code block keeps its lines and scrolls sideways inside the bubble. contain: its long lines
       must not count towards the width of the list around it, or the whole list scrolls sideways. */
    parley-message-text pre { contain: inline-size; overflow-x: auto; background: var(--mat-sys-surface-container-highest);
      border-radius: 6px; padding: 0.4em 0.6em; overflow-wrap: normal; }
    parley-message-text pre:focus-visible { outline: 2px solid var(--mat-sys-primary); outline-offset: 1px; }
    parley-message-text pre code { background: none; padding: 0; white-space: pre; }
    parley-message-text mark.mention { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container);
      border-radius: 4px; padding: 0 0.2em; font-weight: 500; }
    /* The viewer (by name, @here or @channel): the one a reader must not miss. */
    parley-message-text mark.mention-me { background: var(--mat-sys-tertiary-container); color: var(--mat-sys-on-tertiary-container);
      outline: 1px solid var(--mat-sys-tertiary); }
  `,
})
export class MessageTextComponent {
  readonly text = input.required<string>();
  /** The message's mentions (WireMessage.mentions): these @names are marked. */
  readonly mentions = input<readonly string[] | undefined>(undefined);
  /** The viewer's user name: a mention of them stands out. */
  readonly me = input<string | null>(null);
  protected readonly html = computed(() => renderMessageMarkdown(this.text(), this.mentions(), this.me()));
}
