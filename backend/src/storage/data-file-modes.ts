import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Messages, password hashes and session hashes: for Parley's own user only. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** What SQLite keeps beside the database file; it gives them the database file's mode. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

export interface ModeFix {
  path: string;
  from: number;
  to: number;
  /** Why it could not be changed (not our file, read-only file system); it was left as it was. */
  error?: string;
}

/**
 * Makes the SQLite file and its folder private before SQLite opens them: creates the folder
 * 0700 and the file 0600 (SQLite then creates its WAL and SHM files with the file's mode), and
 * tightens ones left looser by an older version, a copy or a restore. A folder holding more
 * than Parley's own files (PARLEY_SQLITE_PATH=./parley.sqlite in a project folder, /tmp) is
 * not Parley's to lock; it is reported, not changed. Returns what it changed (for the log)
 * and the shared folder it left alone, if any.
 */
export function makeDataFilesPrivate(file: string): { fixed: ModeFix[]; sharedFolder: string | null } {
  const folder = dirname(file);
  const fixed: ModeFix[] = [];
  const tighten = (path: string, mode: number) => {
    const current = statSync(path).mode & 0o777;
    if ((current & ~mode) === 0) return;
    try {
      chmodSync(path, current & mode);
      fixed.push({ path, from: current, to: current & mode });
    } catch (error) {
      // A mounted volume owned by someone else: Parley can still run, the operator is told.
      fixed.push({ path, from: current, to: current & mode, error: (error as NodeJS.ErrnoException).code ?? String(error) });
    }
  };
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: PRIVATE_DIR_MODE });
  // `files`: uploads' default folder (AppConfig.filesDir), private in the same way (FileStore).
  const ours = new Set([basename(file), ...SQLITE_SIDE_FILES.map((suffix) => basename(file) + suffix), 'files']);
  const dedicated = readdirSync(folder).every((name) => ours.has(name));
  if (dedicated) tighten(folder, PRIVATE_DIR_MODE);
  // Created here rather than by SQLite, whose default follows the umask (usually 0644).
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, ...SQLITE_SIDE_FILES.map((suffix) => file + suffix)]) {
    if (existsSync(path)) tighten(path, PRIVATE_FILE_MODE);
  }
  const looseFolder = !dedicated && (statSync(folder).mode & 0o077) !== 0;
  return { fixed, sharedFolder: looseFolder ? folder : null };
}
