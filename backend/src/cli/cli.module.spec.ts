import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { SearchIndexBuilder } from '../storage/search-index-builder';
import { CliModule } from './cli.module';

// The commands' Nest context: what it opens, and what it must leave alone.
describe('CliModule', () => {
  let dir: string;
  const saved = process.env.PARLEY_SQLITE_PATH;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    process.env.PARLEY_SQLITE_PATH = join(dir, 'parley.sqlite');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PARLEY_SQLITE_PATH;
    else process.env.PARLEY_SQLITE_PATH = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([true, false])('starts no search index building (migrateOnStart: %s): a command must not write behind its back', async (migrateOnStart) => {
    if (!migrateOnStart) {
      // A database to look at, made as the server makes it.
      const server = await NestFactory.createApplicationContext(CliModule.forRoot(), { logger: false });
      await server.close();
    }
    const app = await NestFactory.createApplicationContext(CliModule.forRoot({ migrateOnStart }), { logger: false });
    try {
      expect(app.get(SearchIndexBuilder)).not.toBeInstanceOf(SearchIndexBuilder);
    } finally {
      await app.close();
    }
  });

  it('refuses to look at a SQLite file that is not there, and leaves none behind', async () => {
    await expect(NestFactory.createApplicationContext(CliModule.forRoot({ migrateOnStart: false }), { logger: false, abortOnError: false })).rejects.toThrow(
      `No database at ${join(dir, 'parley.sqlite')} (PARLEY_SQLITE_PATH)`,
    );
    expect(existsSync(join(dir, 'parley.sqlite'))).toBe(false);
  });
});
