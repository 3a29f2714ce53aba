import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UploadedFile } from '@parley/contract';
import { CLUSTER_ADMIN_PASSWORD, clusterEnv, stopCluster } from './support/cluster-env';
import { startChildServer, type ChildServer } from './support/child-server';
import { api, closeAllClients, connectAs, type ClientSocket, nextEvent, requestOk } from './support/clients';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Files on two nodes (PostgreSQL + Redis) sharing one PARLEY_FILES_DIR, as docs/architecture.md
 * ("Files") asks of a cluster: a file uploaded through one node is fetched through the other, a
 * resumable upload started on one goes on through the other, and a delete through either
 * removes the bytes both read.
 */
describe('files on several nodes', () => {
  const filesDir = mkdtempSync(join(tmpdir(), 'parley-shared-files-'));
  const { schema, env } = clusterEnv('parley_files', { PARLEY_FILES_DIR: filesDir, PARLEY_LOGIN_LIMIT_PER_IP: '10000', PARLEY_LOGIN_LIMIT_PER_USER: '10000' });
  const nodes: ChildServer[] = [];
  const tokens: Record<string, string> = {};
  let a: ChildServer;
  let b: ChildServer;

  const connect = (node: ChildServer, name: string): Promise<ClientSocket> => connectAs(node, tokens[name], 'staff', name);
  const fetchFile = (node: ChildServer, who: string, path: string) => fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const tus = (node: ChildServer, who: string, method: string, path: string, headers: Record<string, string>, body?: Uint8Array) =>
    fetch(`${node.url}${path}`, { method, headers: { authorization: `Bearer ${tokens[who]}`, 'tus-resumable': '1.0.0', ...headers }, body: body ? new Blob([Buffer.from(body)]) : undefined });

  beforeAll(async () => {
    a = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-a' });
    b = await startChildServer({ ...env, PARLEY_NODE_NAME: 'node-b' });
    nodes.push(a, b);
    tokens.admin = (await api(a, 'POST', '/api/auth/login', { body: { username: 'admin', password: CLUSTER_ADMIN_PASSWORD } })).body.token as string;
    for (const name of ['sam', 'sue']) {
      expect((await api(a, 'POST', '/api/users', { body: { username: name, role: 'staff', password: `${name}-passphrase-9` }, token: tokens.admin })).status).toBe(201);
      tokens[name] = (await api(b, 'POST', '/api/auth/login', { body: { username: name, password: `${name}-passphrase-9` } })).body.token as string;
    }
  }, 60_000);

  afterEach(closeAllClients);

  afterAll(async () => {
    await stopCluster(nodes, schema);
    rmSync(filesDir, { recursive: true, force: true });
  });

  it('uploads through one node, sends there, and the other node serves the file; a delete through it removes the bytes', async () => {
    const bytes = randomBytes(200_000);
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), 'shared.bin');
    const uploaded = await fetch(`${a.url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${tokens.sam}` }, body: form });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as UploadedFile;
    const copy = join(filesDir, file.sha256.slice(0, 2), file.sha256);
    expect(existsSync(copy)).toBe(true);

    const samOnA = await connect(a, 'sam');
    const sueOnB = await connect(b, 'sue');
    const arrived = nextEvent(sueOnB, 'message_from_user', (m) => m.attachments?.[0]?.id === file.id);
    const sent = await requestOk(samOnA, 'send_message', { recipients: 'sue', message: 'from node a', attachments: [file.id] });
    expect((await arrived).attachments).toEqual([{ id: file.id, name: 'shared.bin', size: bytes.length, content_type: 'application/octet-stream' }]);
    const onB = await fetchFile(b, 'sue', `/api/files/${file.id}`);
    expect(onB.status).toBe(200);
    expect(sha256(new Uint8Array(await onB.arrayBuffer()))).toBe(file.sha256);

    const samOnB = await connect(b, 'sam');
    await requestOk(samOnB, 'delete_message', { id: sent.id });
    expect(existsSync(copy)).toBe(false);
    expect((await fetchFile(a, 'sue', `/api/files/${file.id}`)).status).toBe(404);
  });

  it('goes on with a resumable upload on the other node', async () => {
    const bytes = randomBytes(300_000);
    const created = await tus(a, 'sam', 'POST', '/api/uploads', { 'upload-length': String(bytes.length), 'upload-metadata': `filename ${Buffer.from('moved.bin').toString('base64')}` });
    expect(created.status).toBe(201);
    const path = created.headers.get('location')!;
    const half = 100_000;
    const first = await tus(a, 'sam', 'PATCH', path, { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, bytes.subarray(0, half));
    expect([first.status, first.headers.get('upload-offset')]).toEqual([204, String(half)]);
    // Node A is gone from the client's view (a dropped connection, another node behind the name).
    const head = await tus(b, 'sam', 'HEAD', path, {});
    expect(head.headers.get('upload-offset')).toBe(String(half));
    // Not someone else's, through either node.
    expect((await tus(b, 'sue', 'HEAD', path, {})).status).toBe(404);
    const rest = await tus(b, 'sam', 'PATCH', path, { 'upload-offset': String(half), 'content-type': 'application/offset+octet-stream' }, bytes.subarray(half));
    expect(rest.status).toBe(200);
    const file = (await rest.json()) as UploadedFile;
    expect(file).toMatchObject({ name: 'moved.bin', size: bytes.length, sha256: sha256(bytes) });
    expect((await fetchFile(a, 'sam', `/api/files/${file.id}`)).status).toBe(200);
  });
});
