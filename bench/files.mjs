// The `files` scenario of `npm run bench` (docs/performance.md, "Files"): one large file uploaded
// (multipart, POST /api/files) and downloaded (GET /api/files/:id) through Parley, against a
// plain static file server doing the same with the same file in the same run, and Parley's
// resident memory while it does: streamed, it must stay flat, whatever the file's size.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openAsBlob, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** Runs `work` while sampling the process's RSS every 20 ms; answers seconds taken and the highest RSS. */
async function measured(pid, work) {
  let peak = rssBytes(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  const started = process.hrtime.bigint();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, rssBytes(pid));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peak };
}

/** A file of random bytes (nothing compresses or dedupes it), written in 8 MB pieces. */
function makeFile(path, bytes) {
  const fd = openSync(path, 'w');
  for (let written = 0; written < bytes; ) {
    const piece = randomBytes(Math.min(8 * 1024 * 1024, bytes - written));
    writeSync(fd, piece);
    written += piece.length;
  }
  closeSync(fd);
}

async function drain(response) {
  let bytes = 0;
  for await (const chunk of response.body) bytes += chunk.length;
  return bytes;
}

function startStatic(file, uploadTo) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'static-file-server.mjs'), [file, uploadTo], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve({ child, url: `http://127.0.0.1:${m.port}`, pid: child.pid }));
    child.once('exit', (code) => reject(new Error(`static file server exited ${code}`)));
  });
}

/**
 * `parley` is the running Parley of the bench (its url and pid); `token` an admin session's.
 * Each transfer runs `runs` times on each server; the best of each counts (a warm disk cache for
 * both), and Parley's RSS is its highest over all of them, against its RSS before the first.
 */
export async function filesScenario({ bytes, runs }, { parley, token, dataDir }) {
  const file = join(dataDir, 'bench-upload.bin');
  makeFile(file, bytes);
  const plain = await startStatic(file, join(dataDir, 'bench-static-upload.bin'));
  const mbps = (seconds) => bytes / 1e6 / seconds;
  const result = { bytes, runs, baseline: {}, parley: {} };
  try {
    let best = { up: Infinity, down: Infinity };
    for (let i = 0; i < runs; i += 1) {
      const up = await measured(plain.pid, async () => {
        const response = await fetch(`${plain.url}/upload`, { method: 'POST', body: await openAsBlob(file) });
        if (response.status !== 201) throw new Error(`static upload: ${response.status}`);
      });
      const down = await measured(plain.pid, async () => {
        if ((await drain(await fetch(`${plain.url}/file`))) !== bytes) throw new Error('static download: short');
      });
      best = { up: Math.min(best.up, up.seconds), down: Math.min(best.down, down.seconds) };
    }
    result.baseline = { upload_mb_per_sec: mbps(best.up), download_mb_per_sec: mbps(best.down) };

    const before = rssBytes(parley.pid);
    let peak = before;
    best = { up: Infinity, down: Infinity };
    for (let i = 0; i < runs; i += 1) {
      let id;
      const up = await measured(parley.pid, async () => {
        const form = new FormData();
        form.append('file', await openAsBlob(file, { type: 'application/octet-stream' }), 'bench.bin');
        const response = await fetch(`${parley.url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
        const body = await response.json();
        if (response.status !== 201) throw new Error(`parley upload: ${response.status} ${JSON.stringify(body)}`);
        id = body.id;
      });
      const down = await measured(parley.pid, async () => {
        const response = await fetch(`${parley.url}/api/files/${id}`, { headers: { authorization: `Bearer ${token}` } });
        if ((await drain(response)) !== bytes) throw new Error('parley download: short');
      });
      best = { up: Math.min(best.up, up.seconds), down: Math.min(best.down, down.seconds) };
      peak = Math.max(peak, up.peak, down.peak);
    }
    result.parley = {
      upload_mb_per_sec: mbps(best.up),
      download_mb_per_sec: mbps(best.down),
      rss_before_mb: before / 1e6,
      rss_peak_mb: peak / 1e6,
      rss_growth_mb: (peak - before) / 1e6,
    };
  } finally {
    plain.child.kill('SIGTERM');
  }
  return result;
}
