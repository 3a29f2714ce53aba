import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDataFilesPrivate } from './data-file-modes';

describe('makeDataFilesPrivate', () => {
  let dir: string;
  const mode = (path: string) => statSync(path).mode & 0o777;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-modes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a missing folder 0700 and the file 0600', () => {
    const file = join(dir, 'a', 'b', 'parley.sqlite');
    expect(makeDataFilesPrivate(file)).toEqual({ fixed: [], sharedFolder: null });
    expect(mode(join(dir, 'a', 'b'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
  });

  it('tightens a WAL and SHM left looser (a crash, a copy), keeping stricter bits', () => {
    const file = join(dir, 'parley.sqlite');
    for (const [path, loose] of [[file, 0o640], [`${file}-wal`, 0o644], [`${file}-shm`, 0o666]] as const) {
      writeFileSync(path, '');
      chmodSync(path, loose);
    }
    chmodSync(dir, 0o750);
    const { fixed } = makeDataFilesPrivate(file);
    expect(fixed.map(({ path, from, to }) => [path, from, to])).toEqual([
      [dir, 0o750, 0o700],
      [file, 0o640, 0o600],
      [`${file}-wal`, 0o644, 0o600],
      [`${file}-shm`, 0o666, 0o600],
    ]);
    chmodSync(`${file}-wal`, 0o400);
    expect(makeDataFilesPrivate(file).fixed).toEqual([]);
    expect(mode(`${file}-wal`)).toBe(0o400);
  });

  it('reports a loose folder that also holds other files instead of changing it', () => {
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'other.txt'), '');
    expect(makeDataFilesPrivate(join(dir, 'parley.sqlite'))).toEqual({ fixed: [], sharedFolder: dir });
    expect(mode(dir)).toBe(0o755);
  });
});
