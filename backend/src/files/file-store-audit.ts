import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const TWO_HEX = /^[0-9a-f]{2}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Read-only looks at FileStore's folder for `npm run admin -- check`: FileStore itself creates
 * its temp folder when built, and a check must change nothing.
 */
export function blobPath(root: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return join(root, sha256.slice(0, 2), sha256);
}

/** The size of a stored copy, or null when there is none. */
export async function blobSize(root: string, sha256: string): Promise<number | null> {
  try {
    const info = await stat(blobPath(root, sha256));
    return info.isFile() ? info.size : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** SHA-256 (hex) of a stored copy, streamed: a copy may be as large as PARLEY_FILES_MAX_BYTES. */
export async function hashBlob(root: string, sha256: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(blobPath(root, sha256), { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest('hex');
}

/**
 * The content-addressed names on disk (`<2 hex>/<sha256>`); the temp and resumable-upload
 * folders and anything else not named that way are not copies.
 */
export async function storedBlobNames(root: string): Promise<string[]> {
  const names: string[] = [];
  const folders = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const folder of folders) {
    if (!folder.isDirectory() || !TWO_HEX.test(folder.name)) continue;
    for (const entry of await readdir(join(root, folder.name), { withFileTypes: true })) {
      if (entry.isFile() && SHA256_HEX.test(entry.name) && entry.name.startsWith(folder.name)) names.push(entry.name);
    }
  }
  return names.sort();
}
