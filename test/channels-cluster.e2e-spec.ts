import { CLUSTER_ADMIN_PASSWORD, clusterEnv, stopCluster } from './support/cluster-env';
import { startChildServer, type ChildServer } from './support/child-server';
import { api, type ClientSocket, closeAllClients, connect as open, nextEvent, record, requestOk, roundTrip } from './support/clients';
import { eventually } from './support/eventually';

/**
 * Channel membership across two nodes (PostgreSQL + Redis): a change made through one node takes
 * effect on the other at once: its sockets join or leave the channel's room there, and its
 * cached view of who is in which channel (ChannelAccess) is dropped.
 */

describe('channels on several nodes', () => {
  const { schema, env } = clusterEnv('parley_channels', { PARLEY_LOGIN_LIMIT_PER_IP: '10000', PARLEY_LOGIN_LIMIT_PER_USER: '10000', PARLEY_CLUSTER_HEARTBEAT_MS: '300' });
  const nodes: ChildServer[] = [];
  const tokens: Record<string, string> = {};
  let a: ChildServer;
  let b: ChildServer;

  async function connect(node: ChildServer, name: string, role: string): Promise<ClientSocket> {
    const socket = await open(node, { token: tokens[name] });
    await requestOk(socket, 'verify_user', { user_type: role, user_name: name });
    return socket;
  }
  const through = (node: ChildServer, who: string, method: string, path: string, body?: unknown) => api(node, method, path, { token: tokens[who], body });

  beforeAll(async () => {
    a = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-a' });
    b = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-b' });
    nodes.push(a, b);
    tokens.admin = (await api(a, 'POST', '/api/auth/login', { body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD } })).body.token as string;
    for (const [name, role] of [['sam', 'staff'], ['sue', 'staff'], ['bob', 'staff']]) {
      expect((await api(b, 'POST', '/api/users', { body: { username: name, role, password: `${name}-passphrase-9` }, token: tokens.admin })).status).toBe(201);
      tokens[name] = (await api(a, 'POST', '/api/auth/login', { body: { username: name, password: `${name}-passphrase-9` } })).body.token as string;
    }
  }, 60_000);

  afterEach(closeAllClients);

  afterAll(async () => {
    await stopCluster(nodes, schema);
  });

  it("adds and removes a member through one node: their open sockets on the other join and leave the channel's room, and that node's cache follows", async () => {
    const sue = await connect(b, 'sue', 'staff');
    const bobOnB = await connect(b, 'bob', 'staff');
    const bobOnA = await connect(a, 'bob', 'staff');
    expect((await through(a, 'sam', 'POST', '/api/channels', { name: 'ops', visibility: 'private', members: ['sue'] })).status).toBe(201);
    // Node B reads (and caches) that bob is in no channel.
    expect((await requestOk(bobOnB, 'sync', { since: 0 })).channels).toEqual([]);
    const atBob = [record(bobOnB, 'channel_updated'), record(bobOnA, 'channel_updated')];
    const topic = async (text: string) => {
      const seen = nextEvent(sue, 'channel_updated', (e) => e.channel.topic === text);
      expect((await through(a, 'sam', 'PATCH', '/api/channels/ops', { topic: text })).status).toBe(200);
      await seen;
      await Promise.all([roundTrip(bobOnB), roundTrip(bobOnA)]);
    };
    await topic('before bob');
    expect(atBob).toEqual([[], []]);

    expect((await through(a, 'sam', 'POST', '/api/channels/ops/members', { username: 'bob' })).status).toBe(200);
    await eventually(() => atBob.every((seen) => seen.length === 1), { what: 'channel_updated on both devices' });
    await eventually(async () => expect((await requestOk(bobOnB, 'sync', { since: 0 })).channels.map((c) => c.name)).toEqual(['ops']));
    // Node A changes the topic: node B's socket hears it through the channel's room.
    await topic('with bob');
    for (const seen of atBob) expect(seen.map((e) => e.channel.topic)).toEqual(['before bob', 'with bob']);

    const removed = [nextEvent(bobOnB, 'channel_removed'), nextEvent(bobOnA, 'channel_removed')];
    expect((await through(a, 'sam', 'DELETE', '/api/channels/ops/members/bob')).status).toBe(204);
    expect(await Promise.all(removed)).toEqual([{ conversation: 'channel:ops' }, { conversation: 'channel:ops' }]);
    await eventually(async () => expect((await requestOk(bobOnB, 'sync', { since: 0 })).channels).toEqual([]));
    await topic('after bob');
    for (const seen of atBob) expect(seen).toHaveLength(2);
  });

  it('renames through one node: members on the other are told, and its sync has the new name', async () => {
    // Open before the channel exists: joining a channel's rooms at verify_user is the message path's part.
    const sue = await connect(b, 'sue', 'staff');
    expect((await through(a, 'sam', 'POST', '/api/channels', { name: 'desk', visibility: 'public', members: ['sue'] })).status).toBe(201);
    await eventually(async () => expect((await requestOk(sue, 'sync', { since: 0 })).channels.map((c) => c.name)).toEqual(['desk', 'ops']));
    const told = nextEvent(sue, 'channel_updated', (e) => e.previous_name === 'desk');
    expect((await through(a, 'sam', 'PATCH', '/api/channels/desk', { name: 'front-desk' })).status).toBe(200);
    expect((await told).channel).toMatchObject({ name: 'front-desk', conversation: 'channel:front-desk' });
    expect((await through(b, 'sue', 'GET', '/api/channels/desk')).status).toBe(404);
    await eventually(async () => expect((await requestOk(sue, 'sync', { since: 0 })).channels.map((c) => c.name)).toEqual(['front-desk', 'ops']));
  });
});
