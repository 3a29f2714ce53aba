#!/usr/bin/env node
// `npm run bench`: the bare socket.io baseline and Parley (production build, SQLite on disk,
// durable acks) under the same load, in one run on one machine, reported as ratios.
//
//   npm run bench                 full run (several minutes)
//   npm run bench -- --quick      smaller numbers, under two minutes
//   npm run bench -- --smoke      tiny numbers: does it work at all (used by the test suite)
//   npm run bench -- --only group,dm
//   npm run bench -- --only group,channel   the channel fan-out beside the group one
//   npm run bench -- --durability survive-process-crash-only   Parley with the opt-in faster commits
//   npm run bench -- --nodes 2        also one vs two Parley processes on PostgreSQL + Redis
//   npm run bench -- --profile <dir>   also write a CPU profile of Parley (bench/profile-summary.mjs)
//   npm run bench -- --only export     the compliance export of a small and a 10× larger store
//   npm run bench -- --only search     search over 1M stored messages, on SQLite and PostgreSQL
//   npm run bench -- --only backup    backup and restore of 1M messages (SQLite, PostgreSQL) while the server serves
//   npm run bench -- --only files      a 100 MB upload and download, against a plain static file server
//   npm run bench -- --only dm-layers,group-layers  the traffic against each layer of Parley's stack in turn
//                                    (socket.io, + Nest gateway, + Parley without storage, + SQLite
//                                    rows, + search index, + fsync): where the CPU per delivery goes
//   npm run bench -- --only abuse --parley-root ../other-checkout   run another checkout's build
//                                    (its `npm run build:server` output), e.g. to measure "before"
import { fork, spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { build, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { io } from 'socket.io-client';
import { filesScenario } from './files.mjs';
import { backupScenario } from './backup.mjs';
import { searchScenario } from './search.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    only: { type: 'string' },
    workers: { type: 'string' },
    'results-dir': { type: 'string' },
    /** Write a V8 CPU profile of the Parley process here (node --cpu-prof; summarise with bench/profile-summary.mjs, or open in Chrome DevTools / speedscope for a flame graph). */
    profile: { type: 'string' },
    /** Parley's PARLEY_SQLITE_DURABILITY for this run: full (default) or survive-process-crash-only. */
    durability: { type: 'string', default: 'full' },
    /** Also compare one and N Parley processes on PostgreSQL + Redis (group and DM traffic). */
    nodes: { type: 'string' },
    /** A checkout whose dist/backend/main.js is the Parley to measure (default: this one). */
    'parley-root': { type: 'string' },
  },
});
const mode = args.smoke ? 'smoke' : args.quick ? 'quick' : 'full';
// abuse: the read-path attack of docs/security.md finding 1 (messages × bytes stored, attacking
// sockets of one account, seconds of attack, seconds of quiet bystander traffic measured first).
const SIZES = {
  full: { group: [5, 45], dm: 25, seconds: 15, join: 1000, idle: 10_000, history: 1_000_000, historyRequests: 2000, export: [100_000, 1_000_000], abuse: { messages: 500, bytes: 15 * 1024, sockets: 4, seconds: 10, quiet: 3 }, search: { messages: 1_000_000, runs: 200, inserts: 20_000 }, files: { bytes: 100_000_000, runs: 3 }, backup: 1_000_000 },
  quick: { group: [5, 45], dm: 25, seconds: 5, join: 1000, idle: 2000, history: 200_000, historyRequests: 500, export: [20_000, 200_000], abuse: { messages: 500, bytes: 15 * 1024, sockets: 4, seconds: 5, quiet: 2 }, search: { messages: 200_000, runs: 100, inserts: 10_000 }, files: { bytes: 100_000_000, runs: 2 }, backup: 200_000 },
  smoke: { group: [2, 3], dm: 2, seconds: 1, join: 20, idle: 20, history: 2000, historyRequests: 20, export: [200, 2000], abuse: { messages: 20, bytes: 1024, sockets: 2, seconds: 1, quiet: 1 }, search: { messages: 3000, runs: 3, inserts: 500 }, files: { bytes: 2_000_000, runs: 1 }, backup: 2000 },
}[mode];
const PARLEY_ROOT = args['parley-root'] ?? root;
const only = args.only ? new Set(args.only.split(',')) : null;
const wants = (name) => !only || only.has(name);
const WORKERS = Number(args.workers ?? Math.max(2, Math.min(4, cpus().length * 2)));
const ADMIN_PASSWORD = 'bench-admin-password';
const PADDING = 'x'.repeat(64); // a short chat line's worth of text after the timing header

// ---------- processes ----------

function rpcClient(child) {
  let next = 0;
  const waiting = new Map();
  child.on('message', (message) => {
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.ok) entry.resolve(message.result);
    else entry.reject(new Error(message.error));
  });
  return (command, args) =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      child.send({ id, command, args });
    });
}

async function startWorkers() {
  return Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const child = fork(join(here, 'load-worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      return { child, rpc: rpcClient(child) };
    }),
  );
}

function startBaseline(script = 'baseline-server.mjs', name = 'baseline') {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, script), [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: ['--require', LOOP_PROBE],
      env: { ...process.env, PARLEY_BENCH_LOOP_FILE: LOOP_FILE },
    });
    child.once('message', (m) => resolve({ name, child, url: `http://127.0.0.1:${m.port}`, pid: child.pid }));
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
}

function startParley(dataDir, extraEnv = {}, script = join(PARLEY_ROOT, 'dist', 'backend', 'main.js')) {
  return new Promise((resolve, reject) => {
    const profiling = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
    if (args.profile) mkdirSync(args.profile, { recursive: true });
    const child = spawn(process.execPath, [...profiling, '--require', LOOP_PROBE, script], {
      cwd: dataDir,
      env: {
        ...process.env,
        PARLEY_BENCH_ROOT: PARLEY_ROOT,
        PARLEY_BENCH_LOOP_FILE: LOOP_FILE,
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: '0',
        PARLEY_AUTH: 'open',
        PARLEY_ADMIN_PASSWORD: ADMIN_PASSWORD,
        PARLEY_SQLITE_PATH: join(dataDir, 'parley.sqlite'),
        PARLEY_SQLITE_DURABILITY: args.durability,
        // The bench measures throughput, so its few clients may send far faster than a person.
        PARLEY_RATE_LIMIT_PER_SECOND: '1000000',
        PARLEY_RATE_LIMIT_BURST: '1000000',
        // The join storm opens 1,000 sockets, each a new open-mode account, from 127.0.0.1 at
        // once: far past the per-address defaults meant for one office behind NAT.
        PARLEY_UNVERIFIED_SOCKETS_PER_IP: '1000000',
        PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE: '1000000',
        PARLEY_LOG_LEVEL: 'error',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) resolve({ name: 'parley', child, url: `http://127.0.0.1:${match[1]}`, pid: child.pid, dataDir });
    });
    child.once('exit', (code) => reject(new Error(`parley exited ${code}: ${out}`)));
  });
}

async function stop(server) {
  if (server.nodes) return void (await Promise.all(server.nodes.map(stop)));
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

const POSTGRES_URL = process.env.PARLEY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PARLEY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * N Parley processes sharing one fresh PostgreSQL schema and one Redis channel prefix, as
 * `npm run start:cluster` runs them. Clients are spread over the nodes (see connectClients).
 */
async function startParleyCluster(dataDir, count, schema) {
  const env = { PARLEY_DATABASE_URL: POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema, PARLEY_REDIS_URL: REDIS_URL, PARLEY_REDIS_PREFIX: schema };
  const nodes = [];
  // One at a time: the first creates the schema.
  for (let i = 0; i < count; i++) nodes.push(await startParley(dataDir, env));
  return { name: 'parley', nodes, urls: nodes.map((n) => n.url), url: nodes[0].url, pids: nodes.map((n) => n.pid), pid: nodes[0].pid };
}

async function dropSchema(schema) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: POSTGRES_URL });
  await pool.query(`drop schema if exists "${schema}" cascade`);
  await pool.end();
}

/** bench/loop-probe.cjs, preloaded into every server process, and where its readings go. */
const LOOP_PROBE = join(here, 'loop-probe.cjs');
const LOOP_FILE = join(mkdtempSync(join(tmpdir(), 'parley-bench-loop-')), 'loop');

/**
 * The servers' event-loop delay since the last call (the first call only starts the count):
 * each process writes its own on SIGUSR2; with several nodes, the worst node's.
 */
async function loopDelay(pids) {
  const readings = await Promise.all(
    [pids].flat().map(async (pid) => {
      const file = `${LOOP_FILE}.${pid}`;
      rmSync(file, { force: true });
      process.kill(pid, 'SIGUSR2');
      for (let waited = 0; !existsSync(file); waited += 10) {
        if (waited > 5_000) throw new Error(`no event-loop reading from process ${pid}`);
        await sleep(10);
      }
      return JSON.parse(readFileSync(file, 'utf8'));
    }),
  );
  return { loop_p99_ms: Math.max(...readings.map((r) => r.p99_ms)), loop_max_ms: Math.max(...readings.map((r) => r.max_ms)) };
}

/** The median time of one 4 KB write and fsync in `dir` (the data folder's disk), of 100. */
function fsyncMs(dir) {
  const file = join(dir, 'bench-fsync.tmp');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times = [];
  try {
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fsyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return times.sort((a, b) => a - b)[50];
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid) {
  if (Array.isArray(pid)) return pid.reduce((sum, one) => sum + cpuSeconds(one), 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
}

function rssBytes(pid, field = 'VmRSS') {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]) * 1024;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- measurement helpers ----------

/** Spreads `count` clients over the workers; returns [{worker, indexes, names}]. */
async function connectClients(workers, server, { count, prefix, role, receive }) {
  const per = Math.ceil(count / workers.length);
  const groups = await Promise.all(
    workers.map(async (worker, w) => {
      const start = w * per;
      const clients = Math.max(0, Math.min(per, count - start));
      if (clients === 0) return { worker, indexes: [], names: [] };
      // With several nodes, each worker's clients go to one node, round robin.
      const url = server.urls ? server.urls[w % server.urls.length] : server.url;
      const { indexes } = await worker.rpc('connect', { url, clients, startIndex: start, namePrefix: prefix, role, receive });
      return { worker, indexes, names: indexes.map((_, i) => `${prefix}${start + i}`) };
    }),
  );
  return groups;
}

async function collect(workers) {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const seen = new Map();
  for (const worker of workers) {
    const stats = await worker.rpc('stats');
    histogram.add(decodeFromCompressedBase64(stats.histogram));
    for (const [key, count] of stats.seen) seen.set(key, (seen.get(key) ?? 0) + count);
  }
  return { histogram, seen };
}

/**
 * Makes every client named in `groups` a member of channel `name`: on Parley a private channel
 * created over REST by the admin with them as members, as a person would; on the baseline each
 * socket joins the room itself.
 */
async function setUpChannel(server, name, groups) {
  if (server.name !== 'parley') {
    await Promise.all(groups.map(({ worker, indexes }) => (indexes.length ? worker.rpc('joinChannel', { indexes, name }) : null)));
    return;
  }
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const { token } = await login.json();
  const members = groups.flatMap(({ names }) => names);
  const created = await fetch(`${server.url}/api/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name, visibility: 'private', members }),
  });
  if (created.status !== 201) throw new Error(`creating channel ${name}: ${created.status} ${await created.text()}`);
}

/**
 * One traffic scenario against one server: closed loop, or open loop at `ratePerSec` per sender.
 * To a group, to one person each (dm), or to a channel whose members are the same clients as
 * the group scenario's (channel).
 */
async function traffic(server, { senders, receivers, dm, channel, ratePerSec }) {
  const workers = await startWorkers();
  try {
    const tag = `${dm ? 'd' : channel ? 'c' : 'g'}${Math.random().toString(36).slice(2, 6)}`;
    const receiving = await connectClients(workers, server, { count: receivers, prefix: `${tag}r`, role: 'staff', receive: true });
    const sending = await connectClients(workers, server, { count: senders, prefix: `${tag}s`, role: 'staff', receive: false });
    if (channel) await setUpChannel(server, tag, [...receiving, ...sending]);
    let senderId = 0;
    const plans = sending.map(({ worker, indexes }) => ({
      worker,
      senders: indexes.map((index) => {
        const id = senderId++;
        return { index, senderId: id, recipients: dm ? `${tag}r${id}` : channel ? `channel:${tag}` : 'staff' };
      }),
    }));
    await sleep(300);
    await loopDelay(server.pids ?? server.pid);
    const cpuBefore = cpuSeconds(server.pids ?? server.pid);
    const started = performance.now();
    const results = await Promise.all(
      plans.map(({ worker, senders }) => worker.rpc('send', { senders, durationMs: SIZES.seconds * 1000, ratePerSec, padding: PADDING })),
    );
    const elapsed = (performance.now() - started) / 1000;
    await sleep(1000); // let the last deliveries arrive
    const cpu = cpuSeconds(server.pids ?? server.pid) - cpuBefore;
    const loop = await loopDelay(server.pids ?? server.pid);
    const { histogram, seen } = await collect(workers);
    const acked = results.reduce((sum, r) => sum + r.acked, 0);
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    const expected = acked * (dm ? 1 : receivers);
    let received = 0;
    let doubled = 0;
    for (const count of seen.values()) {
      received += 1;
      doubled += count - 1;
    }
    const deliveries = received + doubled;
    return {
      messages_acked: acked,
      messages_failed: failed,
      messages_per_sec: acked / elapsed,
      deliveries_per_sec: deliveries / elapsed,
      p50_ms: histogram.getValueAtPercentile(50) / 1000,
      p99_ms: histogram.getValueAtPercentile(99) / 1000,
      max_ms: histogram.maxValue / 1000,
      lost: Math.max(0, expected - received),
      doubled,
      cpu_us_per_delivery: deliveries ? (cpu * 1e6) / deliveries : null,
      ...loop,
    };
  } finally {
    await Promise.all(workers.map(async (w) => { await w.rpc('close').catch(() => {}); w.child.kill(); }));
  }
}

/** Connects an admin that watches the roster; resolves each time the set of seen names grows. */
async function rosterWatcher(server) {
  const auth = {};
  if (server.name === 'parley') {
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    auth.token = (await response.json()).token;
  }
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await socket.emitWithAck('verify_user', { user_type: 'admin', user_name: 'admin' });
  const verified = new Set();
  let entries = 0;
  socket.on('roster_diff', (diff) => {
    entries += diff.upserted.length + diff.removed.length;
    for (const e of diff.upserted) if (e.user_name && (e.verification ?? 'VERIFIED') === 'VERIFIED') verified.add(e.user_name);
  });
  await socket.emitWithAck('roster', {});
  return { socket, verified, entries: () => entries };
}

async function joinStorm(server) {
  const workers = await startWorkers();
  const watcher = await rosterWatcher(server);
  try {
    const prefix = `j${Math.random().toString(36).slice(2, 6)}-`;
    await loopDelay(server.pid);
    const started = performance.now();
    const cpuBefore = cpuSeconds(server.pid);
    await connectClients(workers, server, { count: SIZES.join, prefix, role: 'client', receive: false });
    while ([...watcher.verified].filter((n) => n.startsWith(prefix)).length < SIZES.join) {
      if (performance.now() - started > 120_000) throw new Error('join storm: roster incomplete after 120 s');
      await sleep(5);
    }
    return {
      clients: SIZES.join,
      seconds_to_roster: (performance.now() - started) / 1000,
      roster_entries_per_join: watcher.entries() / SIZES.join,
      cpu_ms_per_join: ((cpuSeconds(server.pid) - cpuBefore) * 1000) / SIZES.join,
      ...(await loopDelay(server.pid)),
    };
  } finally {
    watcher.socket.disconnect();
    await Promise.all(workers.map(async (w) => { await w.rpc('close').catch(() => {}); w.child.kill(); }));
  }
}

async function idle(server) {
  const workers = await startWorkers();
  try {
    await sleep(500);
    const before = rssBytes(server.pid);
    const prefix = `i${Math.random().toString(36).slice(2, 6)}-`;
    // In slices, so the measurement is of holding connections, not of a connect storm.
    const slice = 1000;
    for (let done = 0; done < SIZES.idle; done += slice) {
      const count = Math.min(slice, SIZES.idle - done);
      await Promise.all(
        workers.map((worker, w) => {
          const per = Math.ceil(count / workers.length);
          const clients = Math.max(0, Math.min(per, count - w * per));
          return clients ? worker.rpc('connect', { url: server.url, clients, startIndex: done + w * per, namePrefix: prefix, role: 'client', receive: false }) : null;
        }),
      );
    }
    await sleep(3000);
    const after = rssBytes(server.pid);
    return { connections: SIZES.idle, rss_before_mb: before / 2 ** 20, rss_after_mb: after / 2 ** 20, rss_kb_per_connection: (after - before) / 1024 / SIZES.idle };
  } finally {
    await Promise.all(workers.map(async (w) => { await w.rpc('close').catch(() => {}); w.child.kill(); }));
  }
}

/** Parley only (the baseline stores nothing): one history page of 50 with many stored messages. */
async function history(server) {
  const connect = async () => {
    const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise((resolve) => socket.once('connect', resolve));
    await socket.emitWithAck('verify_user', { user_type: 'staff', user_name: 'historian' });
    return socket;
  };
  // The account first; the socket that reads comes after the fill, which holds this process's
  // event loop long enough at 1M messages for the server to drop a socket left open meanwhile
  // (no answer to its pings).
  (await connect()).disconnect();
  const db = new Database(join(server.dataDir, 'parley.sqlite'));
  db.pragma('busy_timeout = 10000');
  const sender = db.prepare("select id from users where username = 'historian'").get();
  const insert = db.prepare(
    "insert into messages (client_id, sender_id, sender_username, sender_role, sender_socket, target_kind, target, recipient_id, conversation, body, sent_at) values (null, ?, 'historian', 'staff', 'bench', 'group', 'staff', null, 'group:staff', ?, ?)",
  );
  const fill = db.transaction((count) => {
    for (let i = 0; i < count; i++) insert.run(sender.id, `history message ${i} ${PADDING}`, Date.now());
  });
  const prepStart = performance.now();
  for (let done = 0; done < SIZES.history; done += 100_000) fill(Math.min(100_000, SIZES.history - done));
  const { max } = db.prepare('select max(id) as max from messages').get();
  const prepSeconds = (performance.now() - prepStart) / 1000;
  // Written behind the server's back, the rows wait in search_pending and the server indexes
  // them in batches on its event loop; pages read meanwhile would measure that catch-up (a
  // bulk import's), not a history page. Measured once the index has caught up, as in use.
  const indexStart = performance.now();
  while (db.prepare('select count(*) as n from search_pending').get().n > 0) await sleep(500);
  const indexSeconds = (performance.now() - indexStart) / 1000;
  db.close();

  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const socket = await connect();
  for (let i = 0; i < SIZES.historyRequests; i++) {
    const before = 1 + Math.floor(Math.random() * max);
    const t = performance.now();
    const ack = await socket.emitWithAck('history', { conversation: 'staff', before, limit: 50 });
    histogram.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    if (!ack.ok) throw new Error(`history: ${JSON.stringify(ack)}`);
  }
  socket.disconnect();
  return {
    stored_messages: SIZES.history,
    fill_seconds: prepSeconds,
    index_catch_up_seconds: indexSeconds,
    requests: SIZES.historyRequests,
    p50_ms: histogram.getValueAtPercentile(50) / 1000,
    p99_ms: histogram.getValueAtPercentile(99) / 1000,
    max_ms: histogram.maxValue / 1000,
  };
}

/**
 * Parley only: GET /api/admin/export (JSON Lines, streamed) of everything, with SIZES.export[0]
 * and then SIZES.export[1] messages stored, on a server of its own. Throughput, and the server's
 * RSS before and at its peak during each export: the peak must not grow with the export's size.
 */
async function exportScenario() {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-export-'));
  const server = await startParley(dataDir);
  try {
    const { socket } = await benchClient(server.url, 'staff', 'exporter');
    socket.disconnect();
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = await login.json();
    // Stored straight into the file in big transactions, as history does: the export is what is measured.
    const db = new Database(join(dataDir, 'parley.sqlite'));
    db.pragma('busy_timeout = 10000');
    const sender = db.prepare("select id from users where username = 'exporter'").get();
    const insert = db.prepare(
      "insert into messages (client_id, sender_id, sender_username, sender_role, sender_socket, target_kind, target, recipient_id, conversation, audience, body, sent_at) values (null, ?, 'exporter', 'staff', 'bench', 'group', 'staff', null, 'group:staff', 'group:staff', ?, ?)",
    );
    const start = Date.now() - 24 * 3600 * 1000;
    const fill = db.transaction((from, count) => {
      for (let i = from; i < from + count; i++) insert.run(sender.id, `export message ${i} ${PADDING}`, start + i);
    });
    let stored = 0;
    const runs = [];
    for (const size of SIZES.export) {
      const fillStart = performance.now();
      while (stored < size) {
        const count = Math.min(100_000, size - stored);
        fill(stored, count);
        stored += count;
      }
      const fillSeconds = (performance.now() - fillStart) / 1000;
      // Once unmeasured first: both measured exports then start from a warmed-up process (JIT,
      // heap sized for the work), so their peaks compare the export, not the first use.
      if (runs.length === 0) await exportOnce(server, token, size);
      runs.push({ ...(await exportOnce(server, token, size)), fill_seconds: fillSeconds });
    }
    db.close();
    const [small, large] = runs;
    return { small, large, peak_rss_ratio: large.peak_rss_mb / small.peak_rss_mb };
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One export of everything, read as fast as this process can; checks it has `expected` lines. */
async function exportOnce(server, token, expected) {
  const rssBefore = rssBytes(server.pid);
  // Resets the process's high-water mark (Linux), so VmHWM afterwards is this export's peak;
  // sampling as well, where the reset is not allowed.
  try {
    writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
  } catch {
    // sampling alone
  }
  let sampled = rssBefore;
  const sampler = setInterval(() => (sampled = Math.max(sampled, rssBytes(server.pid))), 5);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    // A connection of its own: fetch would reuse the login's, which the server may be closing
    // after its keep-alive timeout while the store was being filled.
    const response = await new Promise((resolve, reject) =>
      httpGet(`${server.url}/api/admin/export`, { agent: false, headers: { authorization: `Bearer ${token}` } }, resolve).once('error', reject),
    );
    if (response.statusCode !== 200) throw new Error(`export: ${response.statusCode}`);
    for await (const chunk of response) {
      bytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const peak = Math.max(sampled, rssBytes(server.pid, 'VmHWM'), rssBytes(server.pid));
  if (lines !== expected) throw new Error(`export: ${lines} lines, expected ${expected}`);
  return {
    messages: lines,
    mb: bytes / 2 ** 20,
    seconds,
    messages_per_sec: lines / seconds,
    mb_per_sec: bytes / 2 ** 20 / seconds,
    rss_before_mb: rssBefore / 2 ** 20,
    peak_rss_mb: peak / 2 ** 20,
  };
}

/** Signs in with a password (the admin) or claims an open-mode account, and verifies. */
async function benchClient(url, role, name) {
  const auth = {};
  if (name === 'admin') {
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    auth.token = (await response.json()).token;
  }
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const ack = await socket.emitWithAck('verify_user', { user_type: role, user_name: name });
  if (!ack.ok) throw new Error(`verify ${name}: ${JSON.stringify(ack)}`);
  return { socket, ack };
}

/**
 * A bystander pair chatting: admin → staff DM, staff echoes it back, the admin times the round
 * trip; one every 100 ms (a lively conversation, well under the rate limit) for `seconds`.
 */
async function bystanderRoundTrips(admin, staff, seconds) {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const echo = (m) => {
    if (m.message.startsWith('rt:')) staff.emit('send_message', { message: `re${m.message}`, recipients: 'user:admin' });
  };
  staff.on('message_from_user', echo);
  let lost = 0;
  const end = Date.now() + seconds * 1000;
  for (let seq = 0; Date.now() < end; seq++) {
    const started = performance.now();
    const back = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      const listener = (m) => {
        if (m.message !== `rert:${seq}`) return;
        clearTimeout(timer);
        admin.off('message_from_user', listener);
        resolve(true);
      };
      admin.on('message_from_user', listener);
    });
    admin.emit('send_message', { message: `rt:${seq}`, recipients: 'user:abuse-bystander' });
    if (await back) histogram.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
    else lost++;
    const wait = 100 - (performance.now() - started);
    if (wait > 0) await sleep(wait);
  }
  staff.off('message_from_user', echo);
  return { round_trips: histogram.totalCount, lost, p50_ms: histogram.getValueAtPercentile(50) / 1000, p95_ms: histogram.getValueAtPercentile(95) / 1000, p99_ms: histogram.getValueAtPercentile(99) / 1000, max_ms: histogram.maxValue / 1000 };
}

/**
 * The read-path attack (docs/security.md, finding 1) on a Parley of its own with the default
 * socket rate limits: one client account with `messages` stored messages of `bytes` in a group
 * it posts to, `sockets` sockets of it sending `sync {since: 0, limit: 500}` at the allowed
 * rate (burst 60, then 20/s), while an admin and a staff user chat. The bystanders' round trip
 * is measured quiet first, then under attack; the server's peak RSS is its VmHWM.
 */
async function abuse() {
  const sizes = SIZES.abuse;
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-abuse-'));
  const server = await startParley(dataDir, { PARLEY_RATE_LIMIT_PER_SECOND: '20', PARLEY_RATE_LIMIT_BURST: '60' });
  const workers = await startWorkers();
  try {
    const { socket: attacker, ack } = await benchClient(server.url, 'client', 'abuse-attacker');
    const group = ack.groups[0];
    attacker.disconnect();
    // Stored straight into the database: the attack is the reading; posting them through the
    // socket at the allowed rate would take half a minute and is not what is measured.
    const db = new Database(join(dataDir, 'parley.sqlite'));
    db.pragma('busy_timeout = 10000');
    const sender = db.prepare("select id from users where username = 'abuse-attacker'").get();
    const insert = db.prepare(
      "insert into messages (client_id, sender_id, sender_username, sender_role, sender_socket, target_kind, target, recipient_id, conversation, body, sent_at) values (null, ?, 'abuse-attacker', 'client', 'bench', 'group', ?, null, ?, ?, ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < sizes.messages; i++) insert.run(sender.id, group, `group:${group}`, `${i} ${'a'.repeat(sizes.bytes)}`.slice(0, sizes.bytes), Date.now());
    })();
    db.close();

    const { socket: admin } = await benchClient(server.url, 'admin', 'admin');
    const { socket: staff } = await benchClient(server.url, 'staff', 'abuse-bystander');
    const quiet = await bystanderRoundTrips(admin, staff, sizes.quiet);
    const rssBefore = rssBytes(server.pid);
    const cpuBefore = cpuSeconds(server.pid);
    const perWorker = Math.ceil(sizes.sockets / workers.length);
    const attacking = workers.map((worker, w) => {
      const sockets = Math.max(0, Math.min(perWorker, sizes.sockets - w * perWorker));
      return sockets === 0 ? null : worker.rpc('attack', { url: server.url, name: 'abuse-attacker', role: 'client', sockets, since: 0, limit: 500, burst: 60, ratePerSec: 20, durationMs: sizes.seconds * 1000 });
    });
    const underAttack = await bystanderRoundTrips(admin, staff, sizes.seconds);
    const attacks = (await Promise.all(attacking)).filter(Boolean);
    const peak = rssBytes(server.pid, 'VmHWM');
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    admin.disconnect();
    staff.disconnect();
    const sum = (key) => attacks.reduce((total, a) => total + a[key], 0);
    return {
      stored_messages: sizes.messages,
      message_bytes: sizes.bytes,
      attack_sockets: sizes.sockets,
      attack_seconds: sizes.seconds,
      quiet_p99_ms: quiet.p99_ms,
      quiet_p50_ms: quiet.p50_ms,
      p99_ms: underAttack.p99_ms,
      p50_ms: underAttack.p50_ms,
      p95_ms: underAttack.p95_ms,
      max_ms: underAttack.max_ms,
      round_trips: underAttack.round_trips,
      lost: quiet.lost + underAttack.lost,
      rss_before_mb: rssBefore / 2 ** 20,
      peak_rss_mb: peak / 2 ** 20,
      syncs_sent: sum('sent'),
      pages_answered: sum('pages'),
      refused: sum('refused'),
      attacker_disconnects: sum('disconnects'),
      answered_mb: sum('bytes') / 2 ** 20,
      server_cpu_seconds: cpu,
    };
  } finally {
    await Promise.all(workers.map(async (w) => { await w.rpc('close').catch(() => {}); w.child.kill(); }));
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The same closed-loop DM traffic against each layer of Parley's stack, bottom up, so that the
 * difference between two rungs is what that layer costs per DM. Rungs that share a process
 * setup with the main run reuse it (the baseline, the whole Parley).
 */
async function layers(kind, baseline, parley, dataDir) {
  const [senders, receivers] = SIZES.group;
  const load = (server) => (kind === 'dm' ? traffic(server, { senders: SIZES.dm, receivers: SIZES.dm, dm: true }) : traffic(server, { senders, receivers }));
  const noSync = { PARLEY_SQLITE_DURABILITY: 'survive-process-crash-only' };
  // A measuring device only: without the trigger that lists new messages for indexing, nothing
  // is indexed (search would miss them). Dropped through a second connection once migrated.
  const withoutSearchIndex = async (starting) => {
    const server = await starting;
    const file = new Database(join(server.dataDir, 'parley.sqlite'));
    file.exec('drop trigger messages_search_insert');
    file.close();
    return server;
  };
  const rungs = [
    ['socket.io (the baseline)', () => baseline, false],
    ['+ a NestJS gateway', () => startBaseline('nest-relay-server.mjs', 'nest-relay'), true],
    ['+ Parley, storing nothing', () => startParley(mkdtempSync(join(dataDir, 'memory-')), {}, join(here, 'parley-layer-server.mjs')), true],
    ['+ SQLite rows, no search index, no fsync', () => withoutSearchIndex(startParley(mkdtempSync(join(dataDir, 'nosearch-')), noSync)), true],
    ['+ the search index, no fsync', () => startParley(mkdtempSync(join(dataDir, 'nosync-')), noSync), true],
    // Its own fresh server too: the main run's has by now the history scenario's million
    // messages in it, and their search indexing going on.
    ['+ fsync per commit (Parley as shipped)', () => startParley(mkdtempSync(join(dataDir, 'shipped-'))), true],
  ];
  const measured = [];
  for (const [layer, start, own] of rungs) {
    process.stderr.write(`${kind}-layers: ${layer}… `);
    const server = await start();
    try {
      // The name decides how clients sign in: every rung but the two bare relays is Parley.
      measured.push({ layer, ...(await load(server.name === 'nest-relay' ? { ...server, name: 'baseline' } : server)) });
    } finally {
      if (own) await stop(server);
    }
    process.stderr.write('done\n');
  }
  return measured;
}

// ---------- the run ----------

function ratio(parley, baseline) {
  return typeof parley === 'number' && typeof baseline === 'number' && baseline !== 0 ? parley / baseline : null;
}

const fmt = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : String(v));

async function main() {
  const results = { mode, durability: args.durability, started: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, scenarios: {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const baseline = await startBaseline();
  const parley = await startParley(dataDir);
  const both = async (name, run) => {
    if (!wants(name)) return;
    process.stderr.write(`${name}: baseline… `);
    const b = await run(baseline);
    process.stderr.write('parley… ');
    const p = await run(parley);
    process.stderr.write('done\n');
    results.scenarios[name] = { baseline: b, parley: p };
  };
  try {
    const [senders, receivers] = SIZES.group;
    await both('group', (server) => traffic(server, { senders, receivers }));
    // The same shape as group, to a channel of the same 45 + 5: the issue asks for within 10 %.
    await both('channel', (server) => traffic(server, { senders, receivers, channel: true }));
    await both('dm', (server) => traffic(server, { senders: SIZES.dm, receivers: SIZES.dm, dm: true }));
    if (results.scenarios.dm) {
      // Closed-loop DMs wait for a commit per round trip: at best every pair shares each fsync,
      // so pairs / one fsync's time bounds Parley's rate (synchronous = FULL) on this disk.
      const fsync = fsyncMs(dataDir);
      const floor = SIZES.dm / (fsync / 1000);
      results.scenarios.dm.fsync = { fsync_ms: fsync, floor_deliveries_per_sec: floor, floor_ratio: floor / results.scenarios.dm.baseline.deliveries_per_sec };
    }
    if (wants('group-fixed') && results.scenarios.group) {
      // Half of Parley's saturation rate, offered to both: the latency a user sees at normal load.
      const rate = results.scenarios.group.parley.messages_per_sec / senders / 2;
      await both('group-fixed', (server) => traffic(server, { senders, receivers, ratePerSec: rate }));
      results.scenarios['group-fixed'].offered_messages_per_sec = rate * senders;
    }
    await both('join', joinStorm);
    await both('idle', idle);
    if (wants('history')) {
      process.stderr.write('history: parley… ');
      results.scenarios.history = { parley: await history(parley) };
      process.stderr.write('done\n');
    }
    if (wants('export')) {
      process.stderr.write('export: parley… ');
      results.scenarios.export = { parley: await exportScenario() };
      process.stderr.write('done\n');
    }
    if (wants('search')) {
      process.stderr.write('search: parley on SQLite and PostgreSQL… ');
      const helpers = { startParley, stop, benchClient, dropSchema, parleyRoot: PARLEY_ROOT, postgresUrl: POSTGRES_URL };
      results.scenarios.search = { parley: await searchScenario(SIZES.search, helpers) };
      process.stderr.write('done\n');
    }
    if (wants('files')) {
      process.stderr.write('files: static server and parley… ');
      const login = await fetch(`${parley.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const { token } = await login.json();
      results.scenarios.files = await filesScenario(SIZES.files, { parley, token, dataDir });
      process.stderr.write('done\n');
    }
    if (wants('backup')) {
      process.stderr.write('backup: parley on SQLite and PostgreSQL… ');
      const helpers = { startParley, stop, benchClient, dropSchema, parleyRoot: PARLEY_ROOT, postgresUrl: POSTGRES_URL };
      results.scenarios.backup = { parley: await backupScenario(SIZES.backup, helpers) };
      process.stderr.write('done\n');
    }
    if (wants('abuse')) {
      process.stderr.write('abuse: parley… ');
      results.scenarios.abuse = { parley_root: PARLEY_ROOT, parley: await abuse() };
      process.stderr.write('done\n');
    }
    for (const kind of ['group', 'dm']) {
      if (only?.has(`${kind}-layers`)) (results.layers ??= {})[kind] = await layers(kind, baseline, parley, dataDir);
    }
  } finally {
    await stop(baseline);
    await stop(parley);
  }
  if (args.nodes) {
    const count = Number(args.nodes);
    if (!Number.isInteger(count) || count < 2) throw new Error('--nodes takes a number of nodes, 2 or more');
    const [senders, receivers] = SIZES.group;
    results.scaling = { nodes: count };
    for (const [label, n] of [['one', 1], ['many', count]]) {
      const schema = `parley_bench_${Math.random().toString(36).slice(2, 8)}`;
      process.stderr.write(`scaling: ${n} node${n > 1 ? 's' : ''} on PostgreSQL + Redis… `);
      const cluster = await startParleyCluster(dataDir, n, schema);
      try {
        results.scaling[label] = {
          group: await traffic(cluster, { senders, receivers }),
          dm: await traffic(cluster, { senders: SIZES.dm, receivers: SIZES.dm, dm: true }),
        };
      } finally {
        await stop(cluster);
        await dropSchema(schema);
      }
      process.stderr.write('done\n');
    }
  }
  rmSync(dataDir, { recursive: true, force: true });

  const rows = [];
  const add = (scenario, metric, key, target = '') => {
    const s = results.scenarios[scenario];
    if (!s) return;
    rows.push([scenario, metric, fmt(s.baseline?.[key]), fmt(s.parley?.[key]), fmt(ratio(s.parley?.[key], s.baseline?.[key])), target]);
  };
  for (const scenario of ['group', 'channel', 'dm']) {
    // Issue 19's targets: a closed-loop DM waits for one commit per round trip, a group's does not.
    add(scenario, 'deliveries/s', 'deliveries_per_sec', scenario === 'dm' ? '≥ 0.5×' : '≥ 0.8×');
    add(scenario, 'p50 ms', 'p50_ms');
    add(scenario, 'p99 ms', 'p99_ms');
    add(scenario, 'max ms', 'max_ms');
    add(scenario, 'lost', 'lost', '0');
    add(scenario, 'doubled', 'doubled', '0');
    add(scenario, 'server CPU µs/delivery', 'cpu_us_per_delivery', scenario === 'dm' ? '≤ 2.5×' : '≤ 1.5×');
    add(scenario, 'event-loop delay p99 ms', 'loop_p99_ms');
  }
  const synced = results.scenarios.dm?.fsync;
  if (synced) {
    rows.push(['dm', 'one fsync on this disk, ms (median of 100)', '', fmt(synced.fsync_ms), '', '']);
    rows.push(['dm', 'deliveries/s one fsync per round trip allows', fmt(results.scenarios.dm.baseline.deliveries_per_sec), fmt(synced.floor_deliveries_per_sec), fmt(synced.floor_ratio), 'the ceiling for dm']);
  }
  const [group, channel] = [results.scenarios.group?.parley, results.scenarios.channel?.parley];
  if (group && channel) {
    // Parley against itself: the same fan-out addressed as a channel rather than a role group.
    rows.push(['channel vs group', 'parley deliveries/s (group → channel)', fmt(group.deliveries_per_sec), fmt(channel.deliveries_per_sec), fmt(ratio(channel.deliveries_per_sec, group.deliveries_per_sec)), '≥ 0.9×']);
    if (channel.messages_failed > 0) rows.push(['channel', 'messages refused', '', fmt(channel.messages_failed), '', '0']);
  }
  add('group-fixed', 'deliveries/s', 'deliveries_per_sec');
  add('group-fixed', 'p99 ms', 'p99_ms', 'Parley < 20 ms and ≤ 2×');
  add('group-fixed', 'lost', 'lost', '0');
  add('group-fixed', 'event-loop delay p99 ms', 'loop_p99_ms');
  add('join', 'seconds to roster', 'seconds_to_roster', 'Parley < 10 s');
  add('join', 'roster entries per join', 'roster_entries_per_join', 'constant');
  add('join', 'server CPU ms/join', 'cpu_ms_per_join');
  add('join', 'event-loop delay p99 ms', 'loop_p99_ms');
  add('idle', 'server RSS KB/connection', 'rss_kb_per_connection', 'Parley ≤ 30 KB');
  add('history', 'p50 ms', 'p50_ms');
  add('history', 'p99 ms', 'p99_ms', 'Parley < 5 ms');
  const attack = results.scenarios.abuse?.parley;
  if (attack) {
    // The baseline column here is the same Parley before the attack started.
    rows.push(['abuse', 'bystander p99 ms (quiet → under attack)', fmt(attack.quiet_p99_ms), fmt(attack.p99_ms), fmt(ratio(attack.p99_ms, attack.quiet_p99_ms)), 'Parley < 50 ms']);
    rows.push(['abuse', 'server RSS MB (before → peak)', fmt(attack.rss_before_mb), fmt(attack.peak_rss_mb), fmt(ratio(attack.peak_rss_mb, attack.rss_before_mb)), 'peak < 400 MB']);
    rows.push(['abuse', 'syncs sent / answered / refused', '', `${attack.syncs_sent} / ${attack.pages_answered} / ${attack.refused}`, '', '']);
  }
  const exported = results.scenarios.export?.parley;
  if (exported) {
    // The baseline and parley columns here are the small and the large export.
    const { small, large } = exported;
    const sizes = `${small.messages} → ${large.messages} messages`;
    rows.push(['export', `messages/s (${sizes})`, fmt(small.messages_per_sec), fmt(large.messages_per_sec), fmt(ratio(large.messages_per_sec, small.messages_per_sec)), '']);
    rows.push(['export', 'MB/s', fmt(small.mb_per_sec), fmt(large.mb_per_sec), fmt(ratio(large.mb_per_sec, small.mb_per_sec)), '']);
    rows.push(['export', 'server RSS MB before', fmt(small.rss_before_mb), fmt(large.rss_before_mb), fmt(ratio(large.rss_before_mb, small.rss_before_mb)), '']);
    rows.push(['export', 'server peak RSS MB during', fmt(small.peak_rss_mb), fmt(large.peak_rss_mb), fmt(exported.peak_rss_ratio), '≈ 1× (flat)']);
  }
  const scalingRows = [];
  if (results.scaling) {
    const { one, many, nodes } = results.scaling;
    for (const scenario of ['group', 'dm']) {
      const sqlite = results.scenarios[scenario]?.parley;
      const rowFor = (metric, key, target = '') =>
        scalingRows.push([scenario, metric, fmt(sqlite?.[key]), fmt(one[scenario][key]), fmt(many[scenario][key]), fmt(ratio(many[scenario][key], one[scenario][key])), target]);
      rowFor('deliveries/s', 'deliveries_per_sec', scenario === 'group' ? '≥ 1.6×' : '');
      rowFor('p99 ms', 'p99_ms');
      rowFor('lost', 'lost', '0');
      rowFor('doubled', 'doubled', '0');
      rowFor('server CPU µs/delivery', 'cpu_us_per_delivery');
      rowFor('event-loop delay p99 ms', 'loop_p99_ms');
    }
    scalingRows.unshift(['scenario', 'metric', 'Parley, SQLite', 'PostgreSQL + Redis, 1 node', `${nodes} nodes`, `${nodes} nodes / 1 node`, 'target']);
  }
  const filed = results.scenarios.files;
  if (filed) {
    const { baseline: b, parley: p } = filed;
    rows.push(['files', `upload MB/s (${filed.bytes / 1e6} MB, multipart)`, fmt(b.upload_mb_per_sec), fmt(p.upload_mb_per_sec), fmt(ratio(p.upload_mb_per_sec, b.upload_mb_per_sec)), '≥ 0.7×']);
    rows.push(['files', 'download MB/s', fmt(b.download_mb_per_sec), fmt(p.download_mb_per_sec), fmt(ratio(p.download_mb_per_sec, b.download_mb_per_sec)), '≥ 0.7×']);
    rows.push(['files', 'server RSS growth MB (peak − before)', '', fmt(p.rss_growth_mb), '', 'flat (≪ file size)']);
  }
  const searchRows = [];
  const searched = results.scenarios.search?.parley;
  if (searched) {
    const { sqlite, postgres } = searched;
    const row = (metric, pick, target = '') => searchRows.push([metric, fmt(pick(sqlite)), fmt(pick(postgres)), target]);
    for (const kind of Object.keys(sqlite.queries)) {
      row(`${kind}: p50 ms`, (d) => d.queries[kind].p50_ms);
      row(`${kind}: p99 ms`, (d) => d.queries[kind].p99_ms, '< 50 ms');
      row(`${kind}: results per search`, (d) => d.queries[kind].mean_results);
    }
    row('fill s (straight into the database)', (d) => d.fill_seconds);
    row('index build s (from Parley\'s start)', (d) => d.index_build_seconds);
    row('index bytes/message', (d) => d.index_bytes_per_message);
    row('messages table bytes/message', (d) => d.messages_table_bytes_per_message);
    row('insertBatch messages/s with the index', (d) => d.inserts.indexed_per_sec);
    row('insertBatch messages/s without it', (d) => d.inserts.unindexed_per_sec);
    row('with/without', (d) => d.inserts.ratio, '≥ 0.9×');
  }
  const backupRows = [];
  const backedUp = results.scenarios.backup?.parley;
  if (backedUp) {
    const { sqlite, postgres } = backedUp;
    const row = (metric, pick, target = '') => backupRows.push([metric, fmt(pick(sqlite)), fmt(pick(postgres)), target]);
    row('stored messages', (d) => d.stored_messages);
    row('database MB', (d) => d.database_bytes / 1e6);
    row('backup file MB', (d) => d.backup_bytes / 1e6);
    row('backup s', (d) => d.backup_seconds);
    row('baseline s (SQLite: cp of the file; PostgreSQL: pg_dump -Fc)', (d) => d.baseline.seconds);
    row('backup / baseline', (d) => d.backup_seconds_ratio);
    row('restore s (into an empty folder / schema)', (d) => d.restore_seconds);
    row('messages restored', (d) => d.restored_messages, '≥ stored');
    row('delivery p99 ms before the backup', (d) => d.delivery.before.p99_ms);
    row('delivery p99 ms during the backup', (d) => d.delivery.during.p99_ms);
    row('during / before', (d) => d.delivery_p99_ratio_during_backup);
    row('probe messages failed', (d) => d.delivery.failed, '0');
  }
  const layerRows = Object.entries(results.layers ?? {}).flatMap(([kind, rungs]) =>
    rungs.map((rung, i) => {
      const below = rungs[i - 1];
      return [kind, rung.layer, fmt(rung.deliveries_per_sec), fmt(ratio(rung.deliveries_per_sec, rungs[0].deliveries_per_sec)), fmt(rung.cpu_us_per_delivery), below ? fmt(rung.cpu_us_per_delivery - below.cpu_us_per_delivery) : '', fmt(ratio(rung.cpu_us_per_delivery, rungs[0].cpu_us_per_delivery)), fmt(rung.loop_p99_ms), fmt(rung.lost + rung.doubled)];
    }),
  );
  const table = [
    `Parley bench (${mode}, SQLite durability ${args.durability}) ${results.started}, ${results.machine.cpus} CPUs, Node ${results.machine.node}`,
    '',
    '| scenario | metric | baseline | parley | parley/baseline | target |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Sizes: group and channel ${SIZES.group[0]} senders × ${SIZES.group[1]} receivers, dm ${SIZES.dm} pairs, ${SIZES.seconds} s each; join ${SIZES.join}; idle ${SIZES.idle}; history ${SIZES.history} stored; export ${SIZES.export.join(' and ')} stored; abuse ${SIZES.abuse.messages} × ${SIZES.abuse.bytes} B, ${SIZES.abuse.sockets} sockets, ${SIZES.abuse.seconds} s.`,
    ...(PARLEY_ROOT === root ? [] : [`Parley build from ${PARLEY_ROOT}.`]),
    ...(searchRows.length
      ? ['', `Search (${SIZES.search.messages} stored messages, ${SIZES.search.runs} searches of each kind over the socket; insertBatch of ${SIZES.search.inserts} in batches of 50):`, '', '| metric | SQLite | PostgreSQL | target |', '| --- | --- | --- | --- |', ...searchRows.map((r) => `| ${r.join(' | ')} |`)]
      : []),
    ...(backupRows.length
      ? ['', `Backup and restore (\`npm run admin -- backup\` while a probe sends a DM every 20 ms; then \`restore\` into an empty store):`, '', '| metric | SQLite | PostgreSQL | target |', '| --- | --- | --- | --- |', ...backupRows.map((r) => `| ${r.join(' | ')} |`)]
      : []),
    ...(layerRows.length
      ? ['', `By layer (closed loop, ${SIZES.seconds} s each, one after another; group ${SIZES.group[0]} senders × ${SIZES.group[1]} receivers, dm ${SIZES.dm} pairs):`, '', '| traffic | layer | deliveries/s | × socket.io | server CPU µs/delivery | added by this layer | × socket.io | event-loop p99 ms | lost + doubled |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...layerRows.map((r) => `| ${r.join(' | ')} |`)]
      : []),
    ...(scalingRows.length
      ? ['', 'Scaling out (the same load, clients spread over the nodes):', '', `| ${scalingRows[0].join(' | ')} |`, `|${' --- |'.repeat(scalingRows[0].length)}`, ...scalingRows.slice(1).map((r) => `| ${r.join(' | ')} |`)]
      : []),
  ].join('\n');
  const resultsDir = args['results-dir'] ?? join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = results.started.replace(/[:.]/g, '-');
  const name = `${stamp}-${mode}${args.durability === 'full' ? '' : `-${args.durability}`}`;
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(results, null, 2));
  writeFileSync(join(resultsDir, `${name}.md`), `${table}\n`);
  console.log(table);
  let lost = Object.values(results.scenarios).reduce((sum, s) => sum + (s.parley?.lost ?? 0) + (s.parley?.doubled ?? 0), 0);
  for (const rung of Object.values(results.layers ?? {}).flat()) lost += rung.lost + rung.doubled;
  for (const run of results.scaling ? [results.scaling.one, results.scaling.many] : []) {
    for (const s of Object.values(run)) lost += s.lost + s.doubled;
  }
  if (lost > 0) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
