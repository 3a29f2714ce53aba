// The `backup` scenario of `npm run bench` (docs/performance.md, "Backups"): `npm run admin --
// backup` and `restore` of a store of many messages, on SQLite and on PostgreSQL, while the
// server keeps serving. Baselines measured in the same run: a plain copy of the SQLite file
// (cp's speed on this disk; not a consistent backup of a live database) and `pg_dump -Fc` of
// the same schema; and the delivery latency of the same probe traffic just before the backup.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'hdr-histogram-js';
import pg from 'pg';
import { COLUMNS, postgresStore, sqliteStore } from './search.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TEXT = 'the quarterly figures are in the shared folder, please read them before the meeting on thursday';
// One probe message every 20 ms (50/s), a lively office, measured for PROBE_SECONDS before the backup.
const PROBE_INTERVAL_MS = 20;
const PROBE_SECONDS = 5;

function* rows(count, sender) {
  const start = Date.now() - 365 * 24 * 3600 * 1000;
  for (let i = 0; i < count; i++) {
    yield [sender.id, sender.username, 'staff', 'bench', 'group', 'staff', null, 'group:staff', 'group:staff', `${i} ${TEXT}`, start + i];
  }
}

/** Runs `npm run admin -- <args>` (the built CLI) with `env`; resolves with its exit code, output and seconds. */
function admin(root, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'dist', 'backend', 'cli', 'admin.js'), ...args], {
      cwd,
      env: { ...process.env, PARLEY_LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output, seconds: (performance.now() - started) / 1000 }));
  });
}

/**
 * A staff member sending a DM to another every PROBE_INTERVAL_MS; each delivery's latency goes
 * into the histogram `phase` names at the time it was sent.
 */
async function probe(bench, url) {
  const { socket: sender } = await bench.benchClient(url, 'staff', 'probe-sender');
  const { socket: receiver } = await bench.benchClient(url, 'staff', 'probe-receiver');
  const histograms = new Map();
  let phase = 'before';
  let sent = 0;
  let received = 0;
  let failed = 0;
  receiver.on('message_from_user', (message) => {
    const [stamp, label] = String(message.message ?? message.text ?? '').split(' ');
    if (!histograms.has(label)) return;
    histograms.get(label).recordValue(Math.max(1, Math.round((performance.now() - Number(stamp)) * 1000)));
    received++;
  });
  const histogram = () => build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  histograms.set('before', histogram());
  const timer = setInterval(() => {
    sent++;
    sender
      .timeout(60_000)
      .emitWithAck('send_message', { recipients: 'probe-receiver', message: `${performance.now()} ${phase}` })
      .then((ack) => ack.ok || failed++, () => failed++);
  }, PROBE_INTERVAL_MS);
  return {
    phase(name) {
      histograms.set(name, histogram());
      phase = name;
    },
    async stop() {
      clearInterval(timer);
      await sleep(1000);
      sender.disconnect();
      receiver.disconnect();
      const summary = { sent, received, failed };
      for (const [label, h] of histograms) summary[label] = { p50_ms: h.getValueAtPercentile(50) / 1000, p99_ms: h.getValueAtPercentile(99) / 1000, max_ms: h.maxValue / 1000, count: h.totalCount };
      return summary;
    },
  };
}

async function waitForIndex(store) {
  const started = performance.now();
  while (!(await store.indexBuilt())) await sleep(500);
  return (performance.now() - started) / 1000;
}

/**
 * One database: Parley started once (schema, people) and stopped; `count` messages written
 * straight into the store; Parley started again and left to index them; then the probe runs,
 * the backup is taken while it runs, the server stops, and the backup is restored into a fresh
 * store and counted. `target` makes the CLI's environment for a data folder (and schema).
 */
async function backupOn(store, env, count, bench, { dataDir, restoreEnv, restoreDir, baseline }) {
  let server = await bench.startParley(dataDir, env);
  try {
    for (const name of ['backer', 'probe-sender', 'probe-receiver']) (await bench.benchClient(server.url, 'staff', name)).socket.disconnect();
  } finally {
    await bench.stop(server);
  }
  store.open();
  const result = { stored_messages: count };
  try {
    const [sender] = await store.query("select id, username from users where username = 'backer'");
    sender.id = Number(sender.id);
    await store.beforeFill();
    const fillStart = performance.now();
    await store.fill(rows(count, sender));
    await store.afterFill();
    result.fill_seconds = (performance.now() - fillStart) / 1000;
    server = await bench.startParley(dataDir, env);
    try {
      result.index_seconds = await waitForIndex(store);
      const file = join(dataDir, 'parley.parley-backup');
      const running = await probe(bench, server.url);
      await sleep(PROBE_SECONDS * 1000);
      running.phase('during');
      const backup = await admin(bench.parleyRoot, ['backup', file], env, dataDir);
      running.phase('after');
      await sleep(1000);
      const latency = await running.stop();
      if (backup.code !== 0) throw new Error(`backup exited ${backup.code}: ${backup.output}`);
      result.backup_seconds = backup.seconds;
      result.backup_bytes = statSync(file).size;
      result.database_bytes = await store.databaseBytes();
      result.delivery = latency;
      result.delivery_p99_ratio_during_backup = latency.during.p99_ms / latency.before.p99_ms;
      result.baseline = await baseline();
      result.backup_seconds_ratio = result.backup_seconds / result.baseline.seconds;
      await bench.stop(server);
      server = null;
      const restore = await admin(bench.parleyRoot, ['restore', file], restoreEnv, restoreDir);
      if (restore.code !== 0) throw new Error(`restore exited ${restore.code}: ${restore.output}`);
      result.restore_seconds = restore.seconds;
      result.restored_messages = await store.countRestored();
    } finally {
      if (server) await bench.stop(server);
    }
  } finally {
    await store.close();
  }
  return result;
}

/**
 * The scenario on both databases. `bench` holds run.mjs's helpers: startParley, stop,
 * benchClient, dropSchema, parleyRoot, postgresUrl.
 */
export async function backupScenario(count, bench) {
  const results = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-backup-'));
  const restoreDir = mkdtempSync(join(tmpdir(), 'parley-bench-restore-'));
  try {
    const file = join(dataDir, 'parley.sqlite');
    const store = Object.assign(sqliteStore(file), {
      databaseBytes: async () => statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0),
      countRestored: async () => {
        const db = new Database(join(restoreDir, 'parley.sqlite'), { readonly: true });
        try {
          return db.prepare('select count(*) as n from messages').get().n;
        } finally {
          db.close();
        }
      },
    });
    results.sqlite = await backupOn(store, { PARLEY_SQLITE_PATH: file }, count, bench, {
      dataDir,
      restoreDir,
      restoreEnv: { PARLEY_SQLITE_PATH: join(restoreDir, 'parley.sqlite') },
      // The bytes of the file as they are, copied once the server stopped writing: what any
      // backup must at least read and write (the server is still running here, so this is
      // the copy's speed only, not a usable backup).
      baseline: async () => {
        const started = performance.now();
        copyFileSync(file, join(restoreDir, 'copy.sqlite'));
        const seconds = (performance.now() - started) / 1000;
        rmSync(join(restoreDir, 'copy.sqlite'));
        return { what: 'cp of the SQLite file', seconds };
      },
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(restoreDir, { recursive: true, force: true });
  }

  const suffix = Math.random().toString(36).slice(2, 8);
  const schema = `parley_bench_backup_${suffix}`;
  const restored = `parley_bench_restore_${suffix}`;
  const pgDir = mkdtempSync(join(tmpdir(), 'parley-bench-backup-'));
  try {
    const env = { PARLEY_DATABASE_URL: bench.postgresUrl, PARLEY_DATABASE_SCHEMA: schema };
    const query = async (text) => {
      const client = new pg.Client({ connectionString: bench.postgresUrl });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    };
    const store = Object.assign(postgresStore(bench.postgresUrl, schema), {
      databaseBytes: async () =>
        Number((await query(`select sum(pg_total_relation_size(c.oid)) as bytes from pg_class c where c.relnamespace = '${schema}'::regnamespace and c.relkind = 'r'`))[0].bytes),
      countRestored: async () => Number((await query(`select count(*) as n from "${restored}".messages`))[0].n),
    });
    results.postgres = await backupOn(store, env, count, bench, {
      dataDir: pgDir,
      restoreDir: pgDir,
      restoreEnv: { PARLEY_DATABASE_URL: bench.postgresUrl, PARLEY_DATABASE_SCHEMA: restored, PARLEY_FILES_DIR: join(pgDir, 'restored-files') },
      // pg_dump of the same schema in its own compressed format, as a DBA would take it.
      baseline: async () => {
        const started = performance.now();
        const dump = spawnSync('pg_dump', ['-Fc', '-n', schema, '-f', join(pgDir, 'dump.pgc'), bench.postgresUrl], { encoding: 'utf8' });
        if (dump.status !== 0) return { what: 'pg_dump -Fc (not available)', seconds: null, error: dump.stderr || String(dump.error) };
        return { what: 'pg_dump -Fc', seconds: (performance.now() - started) / 1000, bytes: statSync(join(pgDir, 'dump.pgc')).size };
      },
    });
  } finally {
    await bench.dropSchema(schema);
    await bench.dropSchema(restored);
    rmSync(pgDir, { recursive: true, force: true });
  }
  return results;
}
