import { FILE_NAME_MAX_CHARS } from '@parley/contract';

/** Control characters, and format characters such as U+202E (which shows "gpj.exe" as "exe.jpg"). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;

/**
 * The name an upload is kept and offered under: the last part of whatever path the browser
 * sent, without control or direction-changing characters, not hidden (no leading dot), at most
 * FILE_NAME_MAX_CHARS characters with its extension kept. Never empty.
 */
export function safeFileName(raw: string | undefined): string {
  const last = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = last.replace(/\s+/g, ' ').replace(UNSAFE, '').trim().replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  const chars = Array.from(cleaned);
  if (chars.length === 0) return 'file';
  if (chars.length <= FILE_NAME_MAX_CHARS) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(cleaned.slice(dot)) : [];
  const keep = extension.length < 20 ? extension : [];
  return chars.slice(0, FILE_NAME_MAX_CHARS - keep.length).join('') + keep.join('');
}

/** A declared type kept only when it is a plain `type/subtype`; parameters are dropped. */
export function safeContentType(declared: string | undefined): string {
  const type = (declared ?? '').split(';')[0].trim().toLowerCase();
  return /^[a-z0-9][\w.+-]*\/[a-z0-9][\w.+-]*$/.test(type) ? type : 'application/octet-stream';
}
