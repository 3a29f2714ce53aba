import type { Announcement } from '@parley/contract';
import { CLUSTER_ADMIN_PASSWORD, clusterEnv, stopCluster } from './support/cluster-env';
import { startChildServer, type ChildServer } from './support/child-server';
import { api, type ClientSocket, closeAllClients, connect as open, nextEvent, record, requestOk, roundTrip } from './support/clients';

/**
 * Announcements across two nodes (PostgreSQL + Redis, the built server as in cluster.e2e-spec):
 * posted through one node, they reach the role's sockets on the other; an acknowledgement made
 * through one reaches the admins and the person's devices on both.
 */

describe('announcements on several nodes', () => {
  const { schema, env } = clusterEnv('parley_announce', { PARLEY_LOGIN_LIMIT_PER_IP: '10000', PARLEY_LOGIN_LIMIT_PER_USER: '10000' });
  const nodes: ChildServer[] = [];
  const tokens: Record<string, string> = {};
  let a: ChildServer;
  let b: ChildServer;

  async function connect(node: ChildServer, name: string, role: string): Promise<ClientSocket> {
    const socket = await open(node, { token: tokens[name] });
    await requestOk(socket, 'verify_user', { user_type: role, user_name: name });
    return socket;
  }

  beforeAll(async () => {
    a = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-a' });
    b = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-b' });
    nodes.push(a, b);
    tokens.admin = (await api(a, 'POST', '/api/auth/login', { body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD } })).body.token as string;
    for (const [name, role] of [['cleo', 'client'], ['sam', 'staff']]) {
      expect((await api(a, 'POST', '/api/users', { body: { username: name, role, password: `${name}-passphrase-9` }, token: tokens.admin })).status).toBe(201);
      tokens[name] = (await api(b, 'POST', '/api/auth/login', { body: { username: name, password: `${name}-passphrase-9` } })).body.token as string;
    }
  }, 60_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await stopCluster(nodes, schema);
  });

  it('posted on node A, reaches the role on node B; acknowledged on B, reaches the admin and the other device on A', async () => {
    const cleoOnB = await connect(b, 'cleo', 'client');
    const cleoOnA = await connect(a, 'cleo', 'client');
    const samOnB = await connect(b, 'sam', 'staff');
    const adminOnA = await connect(a, 'admin', 'admin');
    const samSaw = record(samOnB, 'announcement');
    const arrives = nextEvent(cleoOnB, 'announcement');
    const posted = await api(a, 'POST', '/api/announcements', { token: tokens.admin, body: { message: 'Across nodes', roles: ['client'] } });
    expect(posted.status).toBe(201);
    const announcement = posted.body.announcement as unknown as Announcement;
    expect(await arrives).toEqual(announcement);
    await roundTrip(samOnB);
    expect(samSaw).toEqual([]);

    const atAdmin = nextEvent(adminOnA, 'announcement_acked', (p) => p.id === announcement.id);
    const atOtherDevice = nextEvent(cleoOnA, 'announcement_acked', (p) => p.id === announcement.id);
    expect((await api(b, 'POST', `/api/announcements/${announcement.id}/ack`, { token: tokens.cleo })).status).toBe(200);
    expect((await atAdmin).user_name).toBe('cleo');
    expect((await atOtherDevice).user_name).toBe('cleo');
    // And sync on either node no longer carries it.
    expect((await requestOk(cleoOnA, 'sync', { since: 0 })).announcements).toEqual([]);
  });
});
