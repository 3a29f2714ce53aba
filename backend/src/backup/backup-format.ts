import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DialectName } from '../storage/database.service';

/**
 * A Parley backup (docs/architecture.md, "Backups"): one gzip-compressed tar file whose first
 * entry is `manifest.json`, then the database (`database/parley.sqlite`, or one
 * `database/<table>.jsonl` per PostgreSQL table), then every stored file copy as
 * `files/<first two hex digits>/<sha256>`, as under PARLEY_FILES_DIR.
 */
export const BACKUP_FORMAT = 'parley-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_PATH = 'manifest.json';
export const SQLITE_ENTRY = 'database/parley.sqlite';

/** Every path an archive may hold; anything else is refused rather than written somewhere. */
export const ENTRY_PATH = /^(manifest\.json|database\/parley\.sqlite|database\/[a-z_][a-z0-9_]*\.jsonl|files\/[0-9a-f]{2}\/[0-9a-f]{64})$/;

const entrySchema = z.object({
  path: z.string().regex(ENTRY_PATH),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  // Any integer here, so that a newer format is named as such rather than as "damaged".
  formatVersion: z.number().int(),
  parleyVersion: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  schema: z.string().min(1),
  migrations: z.array(z.string()).min(1),
  createdAt: z.string(),
  counts: z.object({ users: z.number().int(), messages: z.number().int(), files: z.number().int() }),
  entries: z.array(entrySchema),
});

export type BackupManifest = z.infer<typeof manifestSchema> & { dialect: DialectName };
export type BackupEntry = z.infer<typeof entrySchema>;

/** Why a backup or a restore stopped; the command line turns each kind into an exit code. */
export type BackupProblem =
  /** The archive is not what its checksums or manifest say: truncated, altered, not a backup. */
  | 'damaged'
  /** A sound backup this code cannot restore: newer format or schema, other dialect. */
  | 'incompatible'
  /** The restore target holds data and --force was not given. */
  | 'target-not-empty'
  /** Anything else: a missing database, a file that is already there, a disk error. */
  | 'failed';

export class BackupError extends Error {
  constructor(
    readonly problem: BackupProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The project version; package.json sits three levels up from both backend/src and dist/backend. */
export function parleyVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** SHA-256 (hex) and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The `<file>.sha256` sidecar's text, in `sha256sum` format so `sha256sum -c` checks it. */
export function sidecarText(sha256: string, baseName: string): string {
  return `${sha256}  ${baseName}\n`;
}
