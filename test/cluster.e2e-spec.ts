import type { RosterEntry, UpdateWebAppPayload } from '@parley/contract';
import { CLUSTER_ADMIN_PASSWORD, clusterEnv, stopCluster } from './support/cluster-env';
import { startChildServer, type ChildServer } from './support/child-server';
import { api, type ClientSocket, closeAllClients, connect as open, record, request, requestOk, roundTrip, type Json } from './support/clients';
import { eventually } from './support/eventually';

/**
 * Several Parley processes as one service: PostgreSQL for storage, Redis between them. Each
 * run gets its own schema and Redis channel prefix, and removes the schema afterwards.
 */

describe('several nodes (PostgreSQL + Redis)', () => {
  const { schema, env } = clusterEnv('parley_cluster', { PARLEY_LOGIN_LIMIT_PER_IP: '10000', PARLEY_LOGIN_LIMIT_PER_USER: '10000', PARLEY_CLUSTER_HEARTBEAT_MS: '300' });
  const nodes: ChildServer[] = [];
  const tokens: Record<string, string> = {};
  let a: ChildServer;
  let b: ChildServer;

  async function connect(node: ChildServer, name: string, role: string): Promise<ClientSocket> {
    const socket = await open(node, { token: tokens[name] });
    await requestOk(socket, 'verify_user', { user_type: role, user_name: name });
    return socket;
  }

  const received = (socket: ClientSocket) => record(socket, 'message_from_user');

  /** An admin on `node` watching the roster: the snapshot, then every diff applied. */
  async function watch(node: ChildServer) {
    const socket = await connect(node, 'admin', 'admin');
    const entries = new Map<string, RosterEntry>();
    socket.on('roster_diff', (diff) => {
      for (const id of diff.removed) entries.delete(id);
      for (const e of diff.upserted) entries.set(e.socket_id, e);
    });
    const snapshot = await requestOk(socket, 'roster', {});
    for (const e of snapshot.connections) entries.set(e.socket_id, e);
    return { socket, entries, has: (id: string, onNode: string) => entries.get(id)?.node === onNode };
  }

  beforeAll(async () => {
    // The first node creates the schema; the second starts on it.
    a = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-a' });
    b = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-b' });
    nodes.push(a, b);
    const admin = (await api(a, 'POST', '/api/auth/login', { body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD } })).body.token as string;
    tokens.admin = admin;
    for (const [name, role] of [['alice', 'staff'], ['bob', 'staff'], ['cleo', 'client'], ['dora', 'client'], ['sal', 'staff'], ['del', 'staff']]) {
      // Accounts made through one node, sessions opened through the other: one database.
      expect((await api(b, 'POST', '/api/users', { body: { username: name, role, password: `${name}-passphrase-9` }, token: admin })).status).toBe(201);
      tokens[name] = (await api(a, 'POST', '/api/auth/login', { body: { username: name, password: `${name}-passphrase-9` } })).body.token as string;
    }
  }, 60_000);

  afterEach(closeAllClients);

  afterAll(async () => {
    await stopCluster(nodes, schema);
  });

  it('delivers a group message to its group on every node', async () => {
    const alice = await connect(a, 'alice', 'staff');
    const bob = await connect(b, 'bob', 'staff');
    const cleo = await connect(b, 'cleo', 'client');
    const [atBob, atCleo] = [received(bob), received(cleo)];
    const ack = await requestOk(alice, 'send_message', { message: 'staff, across nodes', recipients: 'staff' });
    await eventually(() => atBob.length === 1, { what: "bob's copy" });
    expect(atBob[0]).toMatchObject({ message: 'staff, across nodes', sender_name: 'alice', id: ack.id });
    // A client is not in the staff group, on either node: node B sent bob's copy and any of
    // hers in one emit.
    await roundTrip(cleo);
    expect(atCleo).toEqual([]);
  });

  it("delivers a DM to every device of the user, whichever node each is on, and the sender's other devices", async () => {
    const doraOnA = await connect(a, 'dora', 'client');
    const doraOnB = await connect(b, 'dora', 'client');
    const salOnA = await connect(a, 'sal', 'staff');
    const salOnB = await connect(b, 'sal', 'staff');
    const seen = [received(doraOnA), received(doraOnB), received(salOnB)];
    const ack = await requestOk(salOnA, 'send_message', { message: 'hi dora', recipients: 'user:dora' });
    await eventually(() => seen.every((s) => s.length === 1), { what: 'every device' });
    for (const s of seen) expect(s[0]).toMatchObject({ id: ack.id, message: 'hi dora' });
  });

  it('delivers a team reply and a channel message sent on one node to sockets on the other', async () => {
    // Made through node A's REST API before anyone connects: node B learns of it through the
    // cache invalidation every membership change broadcasts (a row written behind the service's
    // back would leave B's cache believing dora is in no channel).
    const created = await api(a, 'POST', '/api/channels', { token: tokens.admin, body: { name: 'ops', visibility: 'public', members: ['bob', 'dora'] } });
    expect(created.status).toBe(201);
    const aliceOnA = await connect(a, 'alice', 'staff');
    const bobOnA = await connect(a, 'bob', 'staff');
    const doraOnB = await connect(b, 'dora', 'client');
    const bobOnB = await connect(b, 'bob', 'staff');
    const cleoOnB = await connect(b, 'cleo', 'client');
    const [atDora, atBobB, atCleo] = [received(doraOnB), received(bobOnB), received(cleoOnB)];

    await requestOk(doraOnB, 'send_message', { message: 'dora asks staff', recipients: 'staff' });
    const reply = await requestOk(aliceOnA, 'send_message', { message: 'alice answers', recipients: 'team:staff:dora' });
    await eventually(() => atDora.some((m) => m.id === reply.id), { what: "dora's copy of the team reply" });
    await eventually(() => atBobB.some((m) => m.id === reply.id), { what: "bob's copy on node B" });
    expect(atDora.find((m) => m.id === reply.id)).toMatchObject({ target_kind: 'team', target: 'staff', guest: 'dora' });

    const posted = await requestOk(bobOnA, 'send_message', { message: 'ops, across nodes', recipients: 'channel:ops' });
    await eventually(() => atDora.some((m) => m.id === posted.id), { what: "dora's channel copy" });
    await eventually(() => atBobB.some((m) => m.id === posted.id), { what: "bob's other device" });
    expect(atDora.find((m) => m.id === posted.id)).toMatchObject({ target_kind: 'channel', target: 'ops' });
    // Cleo is in neither: another client's team conversation, a channel she is not in.
    await roundTrip(cleoOnB);
    expect(atCleo).toEqual([]);
  });

  it('shows typing across nodes', async () => {
    const alice = await connect(a, 'alice', 'staff');
    const bob = await connect(b, 'bob', 'staff');
    const typing = record(bob, 'typing');
    await requestOk(alice, 'typing', { conversation: 'user:bob' });
    await eventually(() => typing.length === 1, { what: 'typing' });
    expect(typing[0]).toMatchObject({ user_name: 'alice', target_kind: 'user', target: 'bob' });
  });

  it('tells "Seen" across nodes, and a device on the other node replays it between the messages around it', async () => {
    const alice = await connect(a, 'alice', 'staff');
    const bob = await connect(b, 'bob', 'staff');
    const seen = record(alice, 'read_receipt');
    const asked = await requestOk(alice, 'send_message', { message: 'seen?', recipients: 'user:bob' });
    await requestOk(bob, 'mark_read', { conversation: 'user:alice', up_to: asked.id });
    await eventually(() => seen.length === 1, { what: 'the receipt on node A' });
    expect(seen[0]).toEqual({ conversation: 'user:bob', user_name: 'bob', up_to: asked.id, rev: expect.any(Number) });
    const answer = await requestOk(bob, 'send_message', { message: 'yes', recipients: 'user:alice' });
    const aliceOnB = await connect(b, 'alice', 'staff');
    const replay = await requestOk(aliceOnB, 'sync', { since: asked.id - 1 });
    expect(replay.messages.map((m) => m.id)).toEqual([asked.id, answer.id]);
    expect(replay.receipts).toEqual(seen);
    expect(asked.id < seen[0].rev! && seen[0].rev! < answer.id).toBe(true);
    expect(replay.cursor).toBeGreaterThanOrEqual(answer.id);
  });

  it('closes a user\'s sockets on every node when an admin signs them out on one', async () => {
    const cleoOnA = await connect(a, 'cleo', 'client');
    const cleoOnB = await connect(b, 'cleo', 'client');
    const closed = [cleoOnA, cleoOnB].map((s) => new Promise<string>((resolve) => s.once('disconnect', resolve)));
    expect((await api(a, 'POST', '/api/users/cleo/sign-out', { token: tokens.admin })).status).toBe(204);
    expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);
    tokens.cleo = (await api(b, 'POST', '/api/auth/login', { body: { username: 'cleo', password: 'cleo-passphrase-9' } })).body.token as string;
  });

  it('forgets an account on every node when it changes on one (no stale copy lets a disabled user be reached)', async () => {
    const alice = await connect(b, 'alice', 'staff');
    // Node B looks cleo up once (and keeps her in its cache).
    await requestOk(alice, 'send_message', { message: 'before', recipients: 'user:cleo' });
    const cleoOnB = await connect(b, 'cleo', 'client');
    const closed = new Promise<string>((resolve) => cleoOnB.once('disconnect', resolve));
    expect((await api(a, 'PATCH', '/api/users/cleo', { body: { disabled: true }, token: tokens.admin })).status).toBe(200);
    try {
      // Disabling signs her out everywhere. Node B heard of the change before it was told
      // to close her socket there, through the same adapter.
      expect(await closed).toBe('io server disconnect');
      const ack = await request(alice, 'send_message', { message: 'after', recipients: 'user:cleo' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
    } finally {
      expect((await api(a, 'PATCH', '/api/users/cleo', { body: { disabled: false }, token: tokens.admin })).status).toBe(200);
      tokens.cleo = (await api(b, 'POST', '/api/auth/login', { body: { username: 'cleo', password: 'cleo-passphrase-9' } })).body.token as string;
    }
  });

  it('deletes an account on one node: its sockets close on every node and no node finds its old name', async () => {
    const alice = await connect(b, 'alice', 'staff');
    // Node B looks del up once (and keeps the account in its cache).
    await requestOk(alice, 'send_message', { message: 'before', recipients: 'user:del' });
    const delOnA = await connect(a, 'del', 'staff');
    const delOnB = await connect(b, 'del', 'staff');
    const closed = [delOnA, delOnB].map((s) => new Promise<string>((resolve) => s.once('disconnect', resolve)));
    expect((await api(a, 'DELETE', '/api/users/del', { token: tokens.admin })).status).toBe(204);
    expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);
    // The node that cached the account heard about it before the kick, through the same adapter.
    const ack = await request(alice, 'send_message', { message: 'after', recipients: 'user:del' });
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RECIPIENT' } });
  });

  it('disconnects one socket on another node from the roster, and audits whose it was', async () => {
    // A session of its own: Disconnect ends the device's session, and later tests sign sal in
    // with tokens.sal.
    const device = (await api(a, 'POST', '/api/auth/login', { body: { username: 'sal', password: 'sal-passphrase-9' } })).body.token as string;
    const sal = await open(b, { token: device });
    await requestOk(sal, 'verify_user', { user_type: 'staff', user_name: 'sal' });
    const closed = new Promise<string>((resolve) => sal.once('disconnect', resolve));
    const told = record(sal, 'session_ended');
    const socketId = sal.id!;
    expect((await api(a, 'POST', `/api/admin/connections/${socketId}/disconnect`, { token: tokens.admin })).status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    // Node A found the socket's session through socket.data, ended it, and node B told it why first.
    expect(told).toEqual([{ reason: 'disconnected' }]);
    const audit = await api(a, 'GET', '/api/admin/audit?action=connection.kicked', { token: tokens.admin });
    expect((audit.body.entries as Json[])[0]).toMatchObject({ target: socketId, details: { username: 'sal', role: 'staff', ip: '127.0.0.1' } });
    // A socket no node has is still unknown.
    expect((await api(a, 'POST', '/api/admin/connections/no-such-socket/disconnect', { token: tokens.admin })).status).toBe(404);
  });

  it('counts presence over the whole cluster: online on the first device anywhere, offline after the last', async () => {
    // An admin's view of node A's roster shows when A has taken in a device leaving: by then A
    // has settled dora's presence (a device on A), or begun to from its cache (one on B).
    const onA = await watch(a);
    const bob = await connect(a, 'bob', 'staff');
    const events = record(bob, 'presence');
    const dora = () => events.filter((p) => p.user_name === 'dora');
    const doraOnB = await connect(b, 'dora', 'client');
    await eventually(() => expect(dora()).toEqual([{ user_name: 'dora', online: true }]));
    const directory = await requestOk(bob, 'directory', {});
    expect(directory.users.find((u) => u.username === 'dora')).toMatchObject({ online: true });
    // A second device on the other node, then the first one leaving: she is still online.
    const doraOnA = await connect(a, 'dora', 'client');
    const [leftB, leftA] = [doraOnB.id!, doraOnA.id!];
    // Both devices on A's roster first, so that their leaving shows there.
    await eventually(() => onA.has(leftB, 'node-b') && onA.has(leftA, 'node-a'), { what: "dora's devices on node A's roster" });
    doraOnB.disconnect();
    await eventually(() => !onA.entries.has(leftB), { what: "dora's first device gone from node A's roster" });
    await roundTrip(bob);
    expect(dora()).toHaveLength(1);
    doraOnA.disconnect();
    await eventually(() => expect(dora()).toEqual([expect.anything(), { user_name: 'dora', online: false }]));
    // Said once: nothing more once node A's roster has her last device gone too.
    await eventually(() => !onA.entries.has(leftA), { what: "dora's last device gone from node A's roster" });
    await roundTrip(bob);
    expect(dora()).toHaveLength(2);
  });

  describe('the roster, cluster-wide', () => {
    it("shows every node's connections to an admin on any node, each with its node's name", async () => {
      const admin = await watch(a);
      const bob = await connect(b, 'bob', 'staff');
      await eventually(() => admin.has(bob.id!, 'node-b'), { what: "bob's connection on node-b in node-a's roster" });
      expect(admin.entries.get(bob.id!)).toMatchObject({ user_name: 'bob' });
      expect(admin.has(admin.socket.id!, 'node-a')).toBe(true);
      // A prototype admin page (update_web_app, the full map) sees it too.
      const legacy = await connect(a, 'admin', 'admin');
      let map: UpdateWebAppPayload['users'] = {};
      legacy.on('update_web_app', (m) => (map = m.users));
      const alice = await connect(b, 'alice', 'staff');
      await eventually(() => map[alice.id!] !== undefined, { what: "alice in node-a's update_web_app" });
      expect(map[alice.id!]).toMatchObject({ user_name: 'alice', user_type: 'staff', Varification: 'VERIFIED' });
      // Leaving on node-b leaves node-a's roster.
      const bobId = bob.id!;
      bob.disconnect();
      await eventually(() => !admin.entries.has(bobId), { what: 'bob gone from the roster' });
    });

    it("a node that joins later learns the others' connections; one that stops or dies leaves every roster", async () => {
      const cleo = await connect(a, 'cleo', 'client');
      const c = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-c' });
      nodes.push(c);
      const onC = await watch(c);
      expect(onC.has(cleo.id!, 'node-a')).toBe(true);
      const onA = await watch(a);
      const dora = await connect(c, 'dora', 'client');
      await eventually(() => onA.has(dora.id!, 'node-c'), { what: "dora on node-c in node-a's roster" });
      // node-c dies without a word: node-a drops its connections after missed heartbeats.
      c.child.kill('SIGKILL');
      await c.exited;
      await eventually(() => !onA.entries.has(dora.id!) && !onA.entries.has(onC.socket.id!), { what: "node-c's connections dropped" });
      // A node that stops cleanly says so.
      const d = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-d' });
      nodes.push(d);
      const sal = await connect(d, 'sal', 'staff');
      await eventually(() => onA.has(sal.id!, 'node-d'), { what: 'sal on node-d' });
      d.child.kill('SIGTERM');
      expect(await d.exited).toEqual({ code: 0, signal: null });
      await eventually(() => !onA.entries.has(sal.id!), { what: "node-d's connections dropped" });
    }, 60_000);
  });

  it('loses nothing acknowledged when a node dies mid-load: its clients move to another node and sync', async () => {
    const receiver = await connect(a, 'bob', 'staff');
    const live = received(receiver);
    let sender = await connect(b, 'alice', 'staff');
    const acked = new Map<string, number>();
    const total = 200;
    let next = 0;
    let killed = false;
    let killedAt = Infinity;
    const pending = new Set<string>();
    const sendLoop = async () => {
      while (next < total && !killed) {
        const client_id = `k-${next++}`;
        pending.add(client_id);
        const ack = await sender.timeout(3_000).emitWithAck('send_message', { message: client_id, recipients: 'staff', client_id }).catch(() => null);
        if (ack?.ok) {
          acked.set(client_id, ack.id);
          pending.delete(client_id);
        }
        if (acked.size === 50 && !killed) {
          killed = true;
          killedAt = next;
          b.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, sendLoop));
    await b.exited;
    expect(killedAt).toBeLessThan(total);
    // The sender's client reconnects to the surviving node and resends what was never acked,
    // with the same client_ids, then carries on.
    sender = await connect(a, 'alice', 'staff');
    const resend = [...pending, ...Array.from({ length: total - next }, (_, i) => `k-${next + i}`)];
    for (const client_id of resend) {
      acked.set(client_id, (await requestOk(sender, 'send_message', { message: client_id, recipients: 'staff', client_id })).id);
    }
    expect(acked.size).toBe(total);
    // The receiver syncs from the start of this test: every acknowledged message, exactly once.
    const first = Math.min(...acked.values());
    const synced: number[] = [];
    let since = first - 1;
    for (;;) {
      const page = await requestOk(receiver, 'sync', { since, limit: 100 });
      const mine = page.messages.filter((m) => m.message.startsWith('k-'));
      synced.push(...mine.map((m) => m.id));
      if (page.messages.length < 100) break;
      since = page.messages.at(-1)!.id;
    }
    expect(new Set(synced).size).toBe(synced.length);
    expect(synced.sort((x, y) => x - y)).toEqual([...acked.values()].sort((x, y) => x - y));
    // Live deliveries never doubled either.
    const liveIds = live.filter((m) => m.message.startsWith('k-')).map((m) => m.id);
    expect(new Set(liveIds).size).toBe(liveIds.length);
    console.log(`node death: ${total} acked, ${pending.size} resent after the kill, killed after ${killedAt} sends`);
  }, 60_000);
});
