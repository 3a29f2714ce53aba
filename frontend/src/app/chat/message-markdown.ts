import MarkdownIt from 'markdown-it';

/**
 * A message's text as HTML: the safe subset of Markdown a chat needs, and nothing that could
 * run, load or pretend to be the app. Built from markdown-it's empty preset with an allow-list
 * of rules, so a rule a later markdown-it version adds stays off until someone turns it on here.
 *
 * - `html: false`: anything that looks like HTML is escaped and shown as typed.
 * - No headings, rules, tables, images (nothing is ever fetched), reference definitions, and no
 *   HTML entities: `&amp;` is shown as typed, as people expect in a chat (and an entity cannot
 *   smuggle in an invisible direction override).
 * - `breaks: true`: one Enter in the composer is one line break on screen.
 * - Links only to http(s) and mailto (see {@link isAllowedLink}); they open in a new tab with no
 *   opener and no referrer.
 */
const markdown = new MarkdownIt('zero', { html: false, linkify: true, typographer: false, breaks: true }).enable([
  // core: find bare URLs and e-mail addresses in text
  'linkify',
  // block: indented and fenced code, quotes, bullet and numbered lists (paragraphs are on in 'zero')
  'code',
  'fence',
  'blockquote',
  'list',
  // inline
  'newline',
  'escape',
  'backticks',
  'strikethrough',
  'emphasis',
  'link',
  'autolink',
]);

/**
 * http://, https:// and mailto: only. markdown-it's own check refuses a few bad schemes and lets
 * the rest through; here everything else stays text: javascript:, data:, vbscript:, file:, and
 * relative links too (a message must not link into the app itself, e.g. to a sign-out URL).
 */
export function isAllowedLink(url: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(url.trim());
}
markdown.validateLink = isAllowedLink;

markdown.renderer.rules['link_open'] = (tokens, index, options, _env, renderer) => {
  tokens[index].attrSet('target', '_blank');
  tokens[index].attrSet('rel', 'noopener noreferrer');
  return renderer.renderToken(tokens, index, options);
};

// A code block scrolls sideways when its lines are long; tabindex lets a keyboard user focus it
// and scroll it with the arrow keys (axe: scrollable-region-focusable).
for (const rule of ['fence', 'code_block'] as const) {
  const render = markdown.renderer.rules[rule]!;
  markdown.renderer.rules[rule] = (...args) => render(...args).replace(/^<pre>/, '<pre tabindex="0">');
}

/** What a message's @names are checked against: its mentions (WireMessage.mentions) and the viewer. */
interface MentionEnv {
  mentions?: readonly string[];
  me?: string | null;
}

/** A character that may sit inside a user name: '@' right after one is part of a word ("mail@sam"). */
const NAME_CHAR = /[a-z0-9._-]/i;
const MENTION_AT = /^@([a-z0-9][a-z0-9._-]{0,31})/i;

/**
 * `@name` as a mark, only for the names the server listed as mentions (a name the sender could
 * not reach, or nobody's, stays text). '@' ends markdown-it's plain-text runs, so this rule sees
 * every one of them; the same trimming of trailing dots and dashes as contract/mentions.ts.
 */
markdown.inline.ruler.push('mention', (state, silent) => {
  const env = state.env as MentionEnv;
  if (!env.mentions?.length || state.src.charCodeAt(state.pos) !== 0x40) return false;
  if (state.pos > 0 && NAME_CHAR.test(state.src[state.pos - 1])) return false;
  const match = MENTION_AT.exec(state.src.slice(state.pos));
  if (!match) return false;
  const name = match[1].toLowerCase().replace(/[._-]+$/, '');
  const key = name === 'here' || name === 'channel' ? `@${name}` : name;
  if (!name || !env.mentions.includes(key)) return false;
  if (!silent) {
    const token = state.push('mention', 'mark', 0);
    token.content = state.src.slice(state.pos, state.pos + 1 + name.length);
    token.meta = { me: key.startsWith('@') || key === env.me };
  }
  state.pos += 1 + name.length;
  return true;
});

markdown.renderer.rules['mention'] = (tokens, index) => {
  const token = tokens[index];
  return `<mark class="mention${token.meta?.me ? ' mention-me' : ''}">${markdown.utils.escapeHtml(token.content)}</mark>`;
};

/**
 * Rendered texts, newest use last. The message list re-renders often (every new message, every
 * scroll of the virtual list creates rows afresh), and the same texts come back each time.
 * 500 entries cover several screens of history; a Map keeps insertion order, so the first key
 * is the least recently used.
 */
const cache = new Map<string, string>();
const CACHE_SIZE = 500;

/**
 * The HTML for a message's text; insert it with `[innerHTML]` (Angular's sanitizer runs too).
 * `mentions`: the message's (WireMessage.mentions), marked where written; those naming `me`
 * (the viewer), '@here' and '@channel' stand out.
 */
export function renderMessageMarkdown(text: string, mentions?: readonly string[], me?: string | null): string {
  const key = mentions?.length ? `${text}\u0000${mentions.join(' ')}\u0000${me ?? ''}` : text;
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const html = markdown.render(text, { mentions, me } satisfies MentionEnv);
  cache.set(key, html);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return html;
}
