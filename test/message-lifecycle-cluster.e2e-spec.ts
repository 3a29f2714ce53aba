import { CLUSTER_ADMIN_PASSWORD, clusterEnv, stopCluster } from './support/cluster-env';
import { startChildServer, type ChildServer } from './support/child-server';
import { api, type ClientSocket, closeAllClients, connect as open, nextEvent, requestOk } from './support/clients';

/**
 * Edits, deletes and reactions across two nodes (PostgreSQL + Redis), as in cluster.e2e-spec.ts:
 * a change made on node B reaches a socket on node A live, and a sync on node A replays it.
 */

describe('message changes across nodes', () => {
  const { schema, env } = clusterEnv('parley_cluster');
  const tokens: Record<string, string> = {};
  let a: ChildServer;
  let b: ChildServer;

  async function connect(node: ChildServer, name: string): Promise<ClientSocket> {
    const socket = await open(node, { token: tokens[name] });
    await requestOk(socket, 'verify_user', { user_type: 'staff', user_name: name });
    return socket;
  }

  beforeAll(async () => {
    a = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-a' });
    b = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-b' });
    const admin = (await api(a, 'POST', '/api/auth/login', { body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD } })).body.token as string;
    for (const name of ['alice', 'bob']) {
      expect((await api(b, 'POST', '/api/users', { body: { username: name, role: 'staff', password: `${name}-passphrase-9` }, token: admin })).status).toBe(201);
      tokens[name] = (await api(a, 'POST', '/api/auth/login', { body: { username: name, password: `${name}-passphrase-9` } })).body.token as string;
    }
  }, 60_000);

  afterEach(closeAllClients);

  afterAll(async () => {
    await stopCluster([a, b], schema);
  });

  it('tells a socket on node A of changes made on node B, and replays them in a sync on node A', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    const away = await connect(a, 'alice');
    const first = await requestOk(bob, 'send_message', { message: 'draft one', recipients: 'staff' });
    const second = await requestOk(bob, 'send_message', { message: 'draft two', recipients: 'staff' });
    const { cursor } = await requestOk(away, 'sync', { since: 0 });
    away.disconnect();

    const edited = nextEvent(alice, 'message_edited');
    await requestOk(bob, 'edit_message', { id: first.id, message: 'final one' });
    expect(await edited).toMatchObject({ id: first.id, message: 'final one' });
    const reacted = nextEvent(alice, 'reaction_changed');
    await requestOk(bob, 'react', { id: first.id, emoji: '👍', on: true });
    expect(await reacted).toMatchObject({ id: first.id, reactions: [{ emoji: '👍', users: ['bob'] }] });
    const deleted = nextEvent(alice, 'message_deleted');
    await requestOk(bob, 'delete_message', { id: second.id });
    expect(await deleted).toMatchObject({ id: second.id, deleted: true, message: '' });

    const back = await connect(a, 'alice');
    const replay = await requestOk(back, 'sync', { since: cursor });
    expect(replay.messages.map((m) => [m.id, m.message, m.deleted ?? false])).toEqual([
      [first.id, 'final one', false],
      [second.id, '', true],
    ]);
    expect(replay.messages[0].reactions).toEqual([{ emoji: '👍', users: ['bob'] }]);
  });
});
