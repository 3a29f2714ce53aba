import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { api, connect, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { dropTestSchema, TEST_POSTGRES_URL } from '../backend/src/storage/testing/test-databases';

const SCRIPT = join(__dirname, '..', 'dist', 'backend', 'cluster', 'start-cluster.js');

/** Two free consecutive ports, for a cluster of two. */
/** Whether `port` on 127.0.0.1 can be listened on right now. */
const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

/**
 * Two consecutive free ports below Linux's ephemeral range (32768 and up): a port the kernel
 * handed out for listen(0) can be taken a moment later as the source port of some other test's
 * outgoing connection, before the second node, seconds into its start, listens on it.
 */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await canListen(port)) && (await canListen(port + 1))) return port;
  }
}

describe('npm run start:cluster', () => {
  it('refuses to start without shared storage and Redis', async () => {
    const child = spawn(process.execPath, [SCRIPT, '--nodes', '2'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/PARLEY_DATABASE_URL must be set/);
  });

  it('starts N nodes on consecutive ports, restarts one that dies, and stops them all on SIGTERM', async () => {
    const schema = `parley_cluster_${randomBytes(5).toString('hex')}`;
    const port = await freePortPair();
    const child = spawn(process.execPath, [SCRIPT, '--nodes', '2'], {
      env: {
        PATH: process.env.PATH ?? '',
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: String(port),
        PARLEY_DATABASE_URL: TEST_POSTGRES_URL,
        PARLEY_DATABASE_SCHEMA: schema,
        PARLEY_REDIS_URL: 'redis://127.0.0.1:6379',
        PARLEY_REDIS_PREFIX: schema,
        PARLEY_ADMIN_PASSWORD: 'cluster-admin-password',
        PARLEY_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const ready = (p: number) =>
      eventually(
        async () => {
          const status = await fetch(`http://127.0.0.1:${p}/health/ready`).then((r) => r.status, () => 0);
          if (status !== 200) throw new Error(`node on ${p} not ready (${status}); its output so far:\n${out}`);
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    try {
      await Promise.all([ready(port), ready(port + 1)]);
      expect(out).toContain(`2 nodes on ports ${port}–${port + 1}`);
      // Both nodes answer from the one database: an account made through one signs in on the other.
      const login = (p: number) =>
        api({ url: `http://127.0.0.1:${p}` }, 'POST', '/api/auth/login', { body: { username: 'admin', password: 'cluster-admin-password' } });
      const [first, second] = [await login(port), await login(port + 1)];
      expect([first.status, second.status]).toEqual([200, 200]);
      // Each node has its own name, so each one's connections show on the other's roster.
      const token = first.body as { token: string };
      const admins = await Promise.all([port, port + 1].map(async (p) => {
        const socket = await connect({ url: `http://127.0.0.1:${p}` }, { token: token.token });
        await requestOk(socket, 'verify_user', { user_type: 'admin', user_name: 'admin' });
        return socket;
      }));
      try {
        await eventually(
          async () => {
            const snapshot = await requestOk(admins[0], 'roster', {});
            expect([...new Set(snapshot.connections.map((c) => c.node))].sort()).toEqual(['node-1', 'node-2']);
          },
          { intervalMs: 100 },
        );
      } finally {
        for (const socket of admins) socket.disconnect();
      }

      // A node that dies is started again on its port.
      const pid = Number(new RegExp(`node 2 on port ${port + 1}, pid (\\d+)`).exec(out)![1]);
      process.kill(pid, 'SIGKILL');
      // Ready again only once the new process is up: the old one is gone when this is said.
      await eventually(() => expect(out.match(new RegExp(`node 2 on port ${port + 1}, pid`, 'g'))).toHaveLength(2));
      await ready(port + 1);
      expect(out).toMatch(/node 2 \(port \d+\) exited \(SIGKILL\); starting it again in 1 s/);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await dropTestSchema(schema);
    }
  }, 60_000);
});
