import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * This Parley's version, from the root package.json. Found by walking up from this file, as it
 * runs from backend/src/common (ts-jest) or dist/backend/common (the build): a fixed relative
 * path would be right in only one of them. Recorded in schema_history at every upgrade and named
 * when an older Parley refuses a newer database.
 */
export function parleyVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'parley' && typeof manifest.version === 'string') return (cached = manifest.version);
    } catch {
      // No package.json here (or not ours): keep walking up.
    }
    if (dirname(dir) === dir) throw new Error(`Parley's package.json was not found above ${__dirname}`);
  }
}
