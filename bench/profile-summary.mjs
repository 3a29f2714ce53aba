#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `npm run bench -- --profile <dir>`) as text, so a profile can
// be quoted in docs/performance.md and compared between runs. For a flame graph, open the same
// file in Chrome DevTools (Performance > Load profile) or https://www.speedscope.app.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
if (positionals.length !== 1) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const top = Number(values.top);

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

/** Which package or Parley module a frame belongs to: the unit a fix would change. */
function bucket(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('dist/backend/');
  if (dist >= 0) return `parley:${url.slice(dist + 'dist/backend/'.length).split('/')[0].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

const idle = new Set(['(idle)', '(program)']);
let total = 0;
let busy = 0;
const byBucket = new Map();
const byFunction = new Map();
for (const [id, time] of self) {
  const frame = nodes.get(id).callFrame;
  total += time;
  const b = bucket(frame);
  if (idle.has(b)) continue;
  busy += time;
  byBucket.set(b, (byBucket.get(b) ?? 0) + time);
  const key = `${frame.functionName || '(anonymous)'} ${b}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
}

/** Time spent inside a frame whose name matches, counting everything it called once. */
function inclusive(match) {
  let sum = 0;
  for (const [id, time] of self) {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at).callFrame;
      if (match(frame)) {
        sum += time;
        break;
      }
    }
  }
  return sum;
}

const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms(time)} ms ${pct(time)}  ${name}`);
  }
};

console.log(`profile: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle); percentages are of busy time`);
print('self time by package / Parley module', byBucket);
print('self time by function', byFunction);

const spans = {
  'SQLite transaction (better-sqlite3, incl. commit + fsync)': (f) => f.functionName === 'sqliteTransaction',
  'garbage collection': (f) => f.functionName === '(garbage collector)',
  'socket.io / engine.io / ws': (f) => /node_modules\/(socket\.io|engine\.io|ws)\//.test(f.url ?? ''),
  'Nest handler pipeline (@nestjs/*)': (f) => /node_modules\/@nestjs\//.test(f.url ?? ''),
};
console.log('\ninclusive time');
for (const [name, match] of Object.entries(spans)) {
  const time = inclusive(match);
  console.log(`${ms(time)} ms ${pct(time)}  ${name}`);
}
