import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Stands for the backup's time in a file name: `parley-{date}.parley-backup`. */
export const DATE_PLACEHOLDER = '{date}';

/** 2026-12-03T0200Z: UTC to the minute, sorting as text in time order, and valid in any file name. */
export function backupTimestamp(now: Date): string {
  return now.toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z').replace(':', '');
}

/** The file a backup named `pattern` is written to at `now`. */
export function backupFileName(pattern: string, now: Date): string {
  return pattern.split(DATE_PLACEHOLDER).join(backupTimestamp(now));
}

/**
 * After a backup: deletes all but the `keep` newest backups made with `pattern` (which must hold
 * {date}), each with its `.sha256`, and answers which went. Only names the pattern makes with a
 * timestamp match: unfinished `.partial` files and anything else in the folder stay.
 */
export async function rotateBackups(pattern: string, keep: number): Promise<string[]> {
  const name = basename(pattern);
  if (!name.includes(DATE_PLACEHOLDER)) throw new Error(`rotation needs ${DATE_PLACEHOLDER} in the file name: ${pattern}`);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matcher = new RegExp(`^${name.split(DATE_PLACEHOLDER).map(escape).join('\\d{4}-\\d{2}-\\d{2}T\\d{4}Z')}$`);
  const dir = dirname(pattern);
  // Same pattern, so the names differ only in their timestamps and sort by them.
  const backups = (await readdir(dir)).filter((entry) => matcher.test(entry)).sort().reverse();
  const removed: string[] = [];
  for (const old of backups.slice(keep)) {
    await rm(join(dir, old), { force: true });
    await rm(join(dir, `${old}.sha256`), { force: true });
    removed.push(join(dir, old));
  }
  return removed;
}
