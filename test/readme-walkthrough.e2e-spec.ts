import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { adminToken, api } from './support/clients';
import { startServer, type TestServer } from './support/server';

const CLIENT = join(__dirname, '..', 'docs', 'examples', 'chat-client.mjs');

/** Runs the README's example client as a user would, and collects what it prints. */
function runClient(server: TestServer, args: string[]): { done: Promise<string>; verified: Promise<void> } {
  const child = spawn(process.execPath, [CLIENT, '--url', server.url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let onVerified: () => void;
  const verified = new Promise<void>((resolve) => (onVerified = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('VERIFIED')) onVerified();
  });
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return {
    verified,
    done: new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
    }),
  };
}

describe('the README walkthrough: admin creates users, three scripts chat', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    const admin = await adminToken(server);
    for (const [username, role] of [
      ['sam', 'staff'],
      ['cleo', 'client'],
    ]) {
      const created = await api(server, 'POST', '/api/users', {
        token: admin,
        body: { username, role, password: `${username}-passphrase-9` },
      });
      expect(created.status).toBe(201);
    }
  });
  afterAll(() => server.stop());

  it('exchanges group messages and DMs, and a client replays what it missed', async () => {
    const listeners = [
      runClient(server, ['--user', 'admin', '--password', 'admin-password-for-tests', '--role', 'admin', '--wait', '2500']),
      runClient(server, ['--user', 'sam', '--password', 'sam-passphrase-9', '--role', 'staff', '--wait', '2500']),
    ];
    await Promise.all(listeners.map((l) => l.verified));
    const cleo = await runClient(server, [
      '--user', 'cleo', '--password', 'cleo-passphrase-9', '--role', 'client', '--to', 'staff', '--text', 'hello staff',
    ]).done;
    expect(cleo).toMatch(/SENT #\d+ to staff/);
    const samToCleo = await runClient(server, [
      '--user', 'sam', '--password', 'sam-passphrase-9', '--role', 'staff', '--to', 'cleo', '--text', 'hi cleo',
    ]).done;
    expect(samToCleo).toMatch(/SENT #\d+ to cleo/);
    const refused = await runClient(server, [
      '--user', 'cleo', '--password', 'cleo-passphrase-9', '--role', 'client', '--to', 'client', '--text', 'clients only',
    ]).done;
    expect(refused).toMatch(/REFUSED FORBIDDEN/);

    const [adminOut, samOut] = await Promise.all(listeners.map((l) => l.done));
    expect(samOut).toMatch(/RECEIVED #\d+ \[staff\] cleo: hello staff/);
    expect(adminOut).not.toMatch(/hello staff/); // the admin group was not addressed
    const replay = await runClient(server, [
      '--user', 'cleo', '--password', 'cleo-passphrase-9', '--role', 'client', '--since', '0', '--wait', '300',
    ]).done;
    expect(replay).toMatch(/RECEIVED #\d+ \[dm\] sam: hi cleo/);
  });
});
