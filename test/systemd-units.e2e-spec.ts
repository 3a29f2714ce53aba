import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '../backend/src/config/env.schema';

/**
 * The systemd units of docs/deployment.md ("Running as a service (systemd)"), shipped in
 * docs/deploy/systemd/: the docs and the files say the same, systemd accepts them, and they keep
 * the sandbox issue 21 asks for. systemd is not running here (nor in CI): `systemd-analyze
 * verify` loads unit files without a manager (test/support/ensure-systemd.sh installs it).
 */

const UNIT_DIR = join(__dirname, '..', 'docs', 'deploy', 'systemd');
const DEPLOYMENT_MD = join(__dirname, '..', 'docs', 'deployment.md');
const UNITS = ['parley-backup.service', 'parley-backup.timer', 'parley.service'];
/** The path the units run Node from (Debian's nodejs); the docs say to change it if `command -v node` differs. */
const DOCUMENTED_NODE = '/usr/bin/node';

const unitFile = (name: string) => readFileSync(join(UNIT_DIR, name), 'utf8');

/** deployment.md's fenced blocks that are unit files: each begins with a comment naming where it is installed. */
function documentedUnits(): Map<string, string> {
  const units = new Map<string, string>();
  for (const [, body] of readFileSync(DEPLOYMENT_MD, 'utf8').matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) {
    const name = /^# \/etc\/systemd\/system\/([\w@.-]+):/.exec(body)?.[1];
    if (name === undefined) continue;
    if (units.has(name)) throw new Error(`docs/deployment.md shows ${name} twice`);
    units.set(name, body);
  }
  return units;
}

/** Section -> key -> values (a key may repeat), ignoring comments; enough for these files. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1], section);
      continue;
    }
    const at = line.indexOf('=');
    if (!section || at < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, at);
    section.set(key, [...(section.get(key) ?? []), line.slice(at + 1)]);
  }
  return sections;
}

function service(name: string): Map<string, string[]> {
  return parseUnit(unitFile(name)).get('Service') ?? new Map();
}

interface Verify {
  code: number;
  output: string;
}

/**
 * `systemd-analyze verify --man=no` on copies of the units in a temporary folder. It checks
 * every key and value, that the timer's service exists beside it, that the dependencies
 * (network-online.target, multi-user.target, timers.target) exist, and that ExecStart='s
 * program is executable; it does not check User= or WorkingDirectory=. The one change to the
 * copies: /usr/bin/node becomes this test's own Node (process.execPath), as the docs tell an
 * installer to do when `command -v node` prints another path. `--man=no`: the units name no
 * man page, and CI need not have man-db. Units in the copies' folder are found by name.
 */
function verify(edit: (name: string, text: string) => string = (_, text) => text): Promise<Verify> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-systemd-'));
  const paths = UNITS.map((name) => {
    const path = join(dir, name);
    writeFileSync(path, edit(name, unitFile(name).replaceAll(DOCUMENTED_NODE, process.execPath)));
    return path;
  });
  return new Promise<Verify>((resolve, reject) => {
    // SYSTEMD_LOG_COLOR=0: plain text. Stdout and stderr together: warnings go to stderr with exit code 0.
    execFile('systemd-analyze', ['verify', '--man=no', ...paths], { env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('systemd-analyze is missing: run test/support/ensure-systemd.sh (Debian package systemd)'));
        return;
      }
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.replaceAll(dir, '<tmp>') });
    });
  });
}

describe('systemd units (issue 21)', () => {
  it('docs/deployment.md shows exactly the unit files shipped in docs/deploy/systemd', () => {
    expect(readdirSync(UNIT_DIR).sort()).toEqual(UNITS);
    const documented = documentedUnits();
    expect([...documented.keys()].sort()).toEqual(UNITS);
    for (const name of UNITS) {
      expect({ name, text: documented.get(name) }).toEqual({ name, text: unitFile(name) });
    }
  });

  it('systemd-analyze verify accepts them without a warning', async () => {
    expect(await verify()).toEqual({ code: 0, output: '' });
  });

  it('systemd-analyze verify would report a mistake (so the clean run above means something)', async () => {
    const misspelt = await verify((name, text) => (name === 'parley.service' ? text.replace('Restart=on-failure', 'Restart=on-fialure') : text));
    expect(misspelt.output).toContain("parley.service:");
    expect(misspelt.output).toMatch(/Failed to parse service restart specifier.*on-fialure/);
    const noProgram = await verify((name, text) => (name === 'parley-backup.service' ? text.replaceAll(process.execPath, '/nonexistent/node') : text));
    expect(noProgram.output).toContain('Command /nonexistent/node is not executable');
  });

  it('runs Parley as its own user in the sandbox, and stops it gracefully', () => {
    const parley = service('parley.service');
    expect(Object.fromEntries(parley)).toMatchObject({
      User: ['parley'],
      Group: ['parley'],
      WorkingDirectory: ['/opt/parley'],
      EnvironmentFile: ['-/etc/parley/parley.env'],
      Environment: ['PARLEY_SQLITE_PATH=/var/lib/parley/parley.sqlite'],
      ExecStart: [`${DOCUMENTED_NODE} dist/backend/main.js`],
      StateDirectory: ['parley'],
      ProtectSystem: ['strict'],
      ReadWritePaths: ['/var/lib/parley'],
      NoNewPrivileges: ['yes'],
      PrivateTmp: ['yes'],
      ProtectHome: ['yes'],
      Restart: ['on-failure'],
      KillSignal: ['SIGTERM'],
    });
    // V8's JIT needs writable and executable memory.
    expect(parley.has('MemoryDenyWriteExecute')).toBe(false);
    // systemd's SIGKILL must come after Parley's own shutdown deadline (PARLEY_SHUTDOWN_TIMEOUT_MS).
    const stopSeconds = Number(parley.get('TimeoutStopSec')?.[0]);
    expect(stopSeconds * 1000).toBeGreaterThan(validateEnv({}).PARLEY_SHUTDOWN_TIMEOUT_MS);
  });

  it('backs up nightly with the same user, settings and sandbox', () => {
    const parley = service('parley.service');
    const backup = service('parley-backup.service');
    expect(backup.get('Type')).toEqual(['oneshot']);
    expect(backup.get('ExecStart')).toEqual([
      `${DOCUMENTED_NODE} dist/backend/cli/admin.js backup /var/lib/parley/backups/parley-{date}.parley-backup --keep 14`,
    ]);
    const shared = [...parley.keys()].filter(
      (key) => !['Type', 'ExecStart', 'KillSignal', 'TimeoutStopSec', 'Restart', 'RestartSec', 'StateDirectory'].includes(key),
    );
    expect(shared).toEqual(expect.arrayContaining(['User', 'EnvironmentFile', 'Environment', 'ProtectSystem', 'ReadWritePaths', 'RestrictAddressFamilies']));
    for (const key of shared) expect({ key, value: backup.get(key) }).toEqual({ key, value: parley.get(key) });
    // Creates the backups folder inside the data folder.
    expect(backup.get('StateDirectory')).toEqual(['parley parley/backups']);

    const timer = parseUnit(unitFile('parley-backup.timer'));
    expect(Object.fromEntries(timer.get('Timer') ?? [])).toEqual({
      OnCalendar: ['*-*-* 02:30:00'],
      RandomizedDelaySec: ['15m'],
      Persistent: ['true'],
    });
    expect(timer.get('Install')?.get('WantedBy')).toEqual(['timers.target']);
  });
});
