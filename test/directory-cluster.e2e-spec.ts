import { AuditActions } from '@parley/contract';
import { CLUSTER_ADMIN_PASSWORD, clusterEnv, stopCluster } from './support/cluster-env';
import { startChildServer, type ChildServer } from './support/child-server';
import { api, closeAllClients, connectAs, nextEvent, type Json } from './support/clients';
import { eventually } from './support/eventually';
import { directoryPassword, ldapEnv, startLdap, type LdapTestServer } from './support/ldap-server';

/**
 * The directory on two nodes (PostgreSQL + Redis), both running the sync: someone removed from
 * the directory's groups loses their sockets on both nodes within one interval, and the change
 * is made and audited once, not once per node.
 */
describe('company directory on several nodes', () => {
  let directory: LdapTestServer;
  const nodes: ChildServer[] = [];
  let schema: string;

  beforeAll(async () => {
    directory = await startLdap();
    const cluster = clusterEnv('parley_directory', { ...ldapEnv(directory, '1'), PARLEY_LOGIN_LIMIT_PER_IP: '10000', PARLEY_LOGIN_LIMIT_PER_USER: '10000' });
    schema = cluster.schema;
    nodes.push(await startChildServer({ ...cluster.env, PARLEY_NODE_NAME: 'node-a' }));
    nodes.push(await startChildServer({ ...cluster.env, PARLEY_NODE_NAME: 'node-b' }));
  }, 60_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await stopCluster(nodes, schema);
    await directory?.dispose();
  });

  it('closes the sockets on every node and records the change once', async () => {
    const [a, b] = nodes;
    await directory.addPerson('olga', 'Olga Staff', ['parley-staff']);
    for (const marker of ['mark', 'mona']) await directory.addPerson(marker, 'Marker', ['parley-staff']);
    const signIn = async (node: ChildServer, username = 'olga') =>
      (await api(node, 'POST', '/api/auth/login', { body: { username, password: directoryPassword(username) } })).body.token as string;
    for (const marker of ['mark', 'mona']) await signIn(a, marker);
    const onA = await connectAs(a, await signIn(a), 'staff', 'olga');
    const onB = await connectAs(b, await signIn(b), 'staff', 'olga');
    const told = [nextEvent(onA, 'session_ended', () => true, 10_000), nextEvent(onB, 'session_ended', () => true, 10_000)];

    await directory.removeFromGroup('olga', 'parley-staff');
    expect(await Promise.all(told)).toEqual([{ reason: 'directory_disabled' }, { reason: 'directory_disabled' }]);
    await eventually(() => !onA.connected && !onB.connected);

    const admin = (await api(b, 'POST', '/api/auth/login', { body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD } })).body.token as string;
    const disabledEntries = async () =>
      (await api(a, 'GET', `/api/admin/audit?action=${AuditActions.DirectoryAccountDisabled}`, { token: admin })).body.entries as Json[];
    // Two more removals, one after the other, each seen done: the nodes kept syncing after Olga's.
    for (const marker of ['mark', 'mona'] as const) {
      await directory.removeFromGroup(marker, 'parley-staff');
      await eventually(async () => (await disabledEntries()).some((entry) => entry.target === marker), { timeoutMs: 10_000 });
    }
    expect((await disabledEntries()).filter((entry) => entry.target === 'olga')).toHaveLength(1);
    for (const node of nodes) {
      expect((await api(node, 'POST', '/api/auth/login', { body: { username: 'olga', password: directoryPassword('olga') } })).status).toBe(401);
    }
  });
});
