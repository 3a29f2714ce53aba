import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from './index';
import { loadExtensions } from './extension-loader';

// Importing extension files needs Node's own import(), which jest replaces: test/extensions.e2e-spec.ts
// loads real ones (and broken ones) in the built server.
describe('loadExtensions', () => {
  it('names the missing file as listed and where it looked', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'parley-ext-'));
    await expect(loadExtensions(['extensions/missing.mjs'], api, cwd)).rejects.toThrow(
      `PARLEY_EXTENSIONS: extensions/missing.mjs: no such file (looked for ${join(cwd, 'extensions/missing.mjs')})`,
    );
  });

  it('loads nothing when none are listed', async () => {
    expect(await loadExtensions([], api)).toEqual([]);
  });
});
