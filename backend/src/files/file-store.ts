import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { chmod, link, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../storage/data-file-modes';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The bytes of uploaded files on disk, content-addressed: `<dir>/<first two hex digits>/<sha256>`,
 * files 0600 and folders 0700. Uploads are written under `<dir>/tmp` (the same file system, so
 * moving one into place is an atomic rename). Several nodes share one folder (a network mount):
 * a name is its content, so two nodes writing the same name write the same bytes.
 */
@Injectable()
export class FileStore {
  readonly root: string;
  private readonly tmp: string;

  constructor(config: AppConfig) {
    this.root = config.filesDir;
    this.tmp = join(this.root, 'tmp');
    // At construction, so a folder Parley cannot write stops the start, not the first upload.
    mkdirSync(this.tmp, { recursive: true, mode: PRIVATE_DIR_MODE });
  }

  pathOf(sha256: string): string {
    // Names come from our own hashes; checked anyway, as a path must never come from input.
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** A fresh name in the temp folder. */
  tempPath(): string {
    return join(this.tmp, `${Date.now()}-${randomBytes(12).toString('hex')}`);
  }

  /** A new private file to stream an upload to. */
  tempFile(): { path: string; stream: WriteStream } {
    const path = this.tempPath();
    return { path, stream: createWriteStream(path, { mode: PRIVATE_FILE_MODE, flags: 'wx', highWaterMark: 1024 * 1024 }) };
  }

  /**
   * Moves a finished temp file to its content address. A copy that is there already holds the
   * same bytes; replacing it is harmless and keeps this one step.
   */
  async put(tempPath: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true, mode: PRIVATE_DIR_MODE });
    await chmod(tempPath, PRIVATE_FILE_MODE);
    await rename(tempPath, target);
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  async exists(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  /**
   * First step of removing a copy: moves it aside (atomically) and answers where, or null when
   * it is not there. FileJanitor then either deletes it for good or puts it back.
   */
  async setAside(sha256: string): Promise<string | null> {
    const aside = join(this.tmp, `removing-${sha256}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(this.pathOf(sha256), aside);
      return aside;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Puts a copy set aside back (an upload of the same bytes came in meanwhile). */
  async putBack(aside: string, sha256: string): Promise<void> {
    // A hard link does not replace a copy a new upload has written there since; either is the same bytes.
    await link(aside, this.pathOf(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await unlink(aside);
  }

  async deleteAside(aside: string): Promise<void> {
    await rm(aside, { force: true });
  }

  /** Temp files older than `before` (uploads cut off by a crash); answers how many went. */
  async clearStaleTemp(before: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tmp)) {
      const path = join(this.tmp, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < before) {
        await rm(path, { force: true });
        removed += 1;
      }
    }
    return removed;
  }
}
