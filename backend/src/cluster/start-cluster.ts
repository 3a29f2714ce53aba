import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run start:cluster -- --nodes N`: N Parley processes on consecutive ports
 * (PARLEY_PORT, PARLEY_PORT + 1, …), sharing PostgreSQL (PARLEY_DATABASE_URL) and Redis
 * (PARLEY_REDIS_URL). Separate processes rather than Node's cluster module: each node is a
 * plain `node dist/backend/main.js`, the same thing one would run on separate machines, and a
 * reverse proxy in front (docs/deployment.md) gives users one address. A node that dies is
 * started again; SIGTERM or SIGINT stops them all gracefully.
 */
const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '2' } },
});
const count = Number(values.nodes);
if (!Number.isInteger(count) || count < 1 || count > 64) fail('--nodes must be a whole number from 1 to 64');
for (const name of ['PARLEY_DATABASE_URL', 'PARLEY_REDIS_URL']) {
  if (!process.env[name]) fail(`${name} must be set: the nodes share PostgreSQL for storage and Redis between them (README, "Scaling out")`);
}
const basePort = Number(process.env.PARLEY_PORT ?? 8080);
if (!Number.isInteger(basePort) || basePort < 1 || basePort + count - 1 > 65535) fail('PARLEY_PORT must leave room for every node\'s port');

const MAIN = join(__dirname, '..', 'main.js');
const children = new Map<number, ChildProcess>();
const restarts = new Map<number, NodeJS.Timeout>();
const failures = new Map<number, number>();
let stopping = false;

function fail(message: string): never {
  console.error(`start:cluster: ${message}`);
  process.exit(2);
}

function start(index: number): void {
  const port = basePort + index;
  // Each node needs its own name on the roster; PARLEY_NODE_NAME, if set, is their common stem.
  const name = `${process.env.PARLEY_NODE_NAME ?? 'node'}-${index + 1}`;
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PARLEY_PORT: String(port), PARLEY_NODE_NAME: name },
    stdio: 'inherit',
  });
  children.set(index, child);
  console.log(`start:cluster: node ${index + 1} on port ${port}, pid ${child.pid}`);
  child.on('exit', (code, signal) => {
    children.delete(index);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    // A node that keeps failing at start waits longer each time (1 s, 2 s, 4 s … 30 s).
    const failed = Date.now() - started < 10_000 ? (failures.get(index) ?? 0) + 1 : 1;
    failures.set(index, failed);
    const delay = Math.min(30_000, 1000 * 2 ** (failed - 1));
    console.error(`start:cluster: node ${index + 1} (port ${port}) exited (${code ?? signal}); starting it again in ${delay / 1000} s`);
    restarts.set(index, setTimeout(() => {
      restarts.delete(index);
      if (!stopping) start(index);
    }, delay));
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts.values()) clearTimeout(timer);
    if (children.size === 0) process.exit(0);
    for (const child of children.values()) child.kill('SIGTERM');
  });
}

console.log(`start:cluster: ${count} nodes on ports ${basePort}–${basePort + count - 1}`);
for (let i = 0; i < count; i++) start(i);
