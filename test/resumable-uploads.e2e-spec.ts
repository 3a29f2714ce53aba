import { createHash, randomBytes } from 'node:crypto';
import { ErrorCodes, type UploadedFile } from '@parley/contract';
import { Upload, type HttpRequest, type HttpResponse } from 'tus-js-client';
import { adminToken, closeAllClients, connectAs, createUser, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

const MB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Attempt {
  upload: Upload;
  /** Settles with the file once the last PATCH is answered, or with the error. */
  done: Promise<UploadedFile>;
  /** Every request tus-js-client made, with the offset the server answered. */
  requests: { method: string; status: number; offset: string | null }[];
}

/** A real tus client (tus-js-client, as the web app uses) against /api/uploads. */
function tusUpload(server: TestServer, token: string, bytes: Buffer, options: { name?: string; uploadUrl?: string; chunkSize?: number; onChunk?: (upload: Upload) => void } = {}): Attempt {
  const requests: Attempt['requests'] = [];
  let upload!: Upload;
  const done = new Promise<UploadedFile>((resolve, reject) => {
    upload = new Upload(bytes, {
      endpoint: `${server.url}/api/uploads`,
      uploadUrl: options.uploadUrl,
      chunkSize: options.chunkSize ?? MB,
      retryDelays: [],
      headers: { authorization: `Bearer ${token}` },
      metadata: { filename: options.name ?? 'big.bin', filetype: 'application/octet-stream' },
      onAfterResponse: (request: HttpRequest, response: HttpResponse) => {
        requests.push({ method: request.getMethod(), status: response.getStatus(), offset: response.getHeader('Upload-Offset') ?? null });
      },
      onChunkComplete: () => options.onChunk?.(upload),
      onSuccess: (payload) => resolve(JSON.parse(payload.lastResponse.getBody()) as UploadedFile),
      onError: reject,
    });
  });
  upload.start();
  return { upload, done, requests };
}

async function tus(server: TestServer, method: string, path: string, token: string, headers: Record<string, string> = {}, body?: string) {
  const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers }, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : text };
}

describe('resumable uploads (tus)', () => {
  let server: TestServer;
  let sam: string;
  let sue: string;

  beforeAll(async () => {
    server = await startServer({ PARLEY_FILES_MAX_BYTES: String(20 * MB), PARLEY_FILES_QUOTA_BYTES: String(40 * MB) });
    const admin = await adminToken(server);
    sam = await createUser(server, admin, 'sam', 'staff');
    sue = await createUser(server, admin, 'sue', 'staff');
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  it('takes a file in chunks and answers the stored file, which a message can then carry', async () => {
    const bytes = randomBytes(3 * MB + 123);
    const attempt = tusUpload(server, sam, bytes, { name: 'backup.tar' });
    const file = await attempt.done;
    expect(file).toEqual({ id: expect.any(String), name: 'backup.tar', size: bytes.length, content_type: 'application/octet-stream', sha256: sha256(bytes) });
    expect(attempt.requests.filter((r) => r.method === 'PATCH')).toHaveLength(4);
    const socket = await connectAs(server, sam, 'staff', 'sam');
    await requestOk(socket, 'send_message', { recipients: 'sue', message: 'the backup', attachments: [file.id] });
    const fetched = await fetch(`${server.url}/api/files/${file.id}`, { headers: { authorization: `Bearer ${sue}` } });
    expect(sha256(new Uint8Array(await fetched.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('resumes an interrupted upload where it stopped, sending only the rest', async () => {
    const bytes = randomBytes(4 * MB);
    // Cut off after the first chunk, as a dropped connection would.
    const first = tusUpload(server, sam, bytes, { onChunk: (upload) => void upload.abort() });
    await eventually(() => first.requests.some((r) => r.method === 'PATCH' && r.status === 204));
    const url = first.upload.url!;
    const head = await tus(server, 'HEAD', new URL(url).pathname, sam);
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('upload-offset'))).toBe(MB);

    const second = tusUpload(server, sam, bytes, { uploadUrl: url });
    const file = await second.done;
    expect(file.sha256).toBe(sha256(bytes));
    // It asked where to go on, and sent three chunks, not four.
    expect(second.requests[0]).toMatchObject({ method: 'HEAD', offset: String(MB) });
    expect(second.requests.filter((r) => r.method === 'PATCH')).toHaveLength(3);
    // Finished uploads are gone from tus: the id answers 404.
    expect((await tus(server, 'HEAD', new URL(url).pathname, sam)).status).toBe(404);
  });

  it('keeps each upload to its owner: another user can neither see, continue nor cancel it', async () => {
    const created = await tus(server, 'POST', '/api/uploads', sam, { 'upload-length': '10', 'upload-metadata': `filename ${Buffer.from('a.txt').toString('base64')}` });
    expect(created.status).toBe(201);
    const path = created.headers.get('location')!;
    expect(path).toMatch(/^\/api\/uploads\/\w+$/);
    for (const [method, headers, body] of [
      ['HEAD', {}, undefined],
      ['PATCH', { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, '0123456789'],
      ['DELETE', {}, undefined],
    ] as const) {
      const refused = await tus(server, method, path, sue, headers, body);
      expect([method, refused.status]).toEqual([method, 404]);
      if (method !== 'HEAD') expect(refused.body).toMatchObject({ code: ErrorCodes.UnknownFile });
    }
    expect((await tus(server, 'HEAD', path, sam)).headers.get('upload-offset')).toBe('0');
    // Its owner cancels it.
    expect((await tus(server, 'DELETE', path, sam)).status).toBe(204);
    expect((await tus(server, 'HEAD', path, sam)).status).toBe(404);
    // And without a session, nothing.
    expect((await fetch(`${server.url}/api/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '1' } })).status).toBe(401);
  });

  it('refuses at creation a size over the limit or past the quota, with a coded error', async () => {
    const big = await tus(server, 'POST', '/api/uploads', sam, { 'upload-length': String(21 * MB) });
    expect(big).toMatchObject({ status: 413, body: { code: ErrorCodes.FileTooLarge, message: 'Files may be at most 21 MB' } });
    const deferred = await tus(server, 'POST', '/api/uploads', sam, { 'upload-defer-length': '1' });
    expect(deferred.status).toBeGreaterThanOrEqual(400);
    expect(deferred.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    // 40 MB quota: two 15 MB files stored, a third refused before a byte is sent.
    for (let i = 0; i < 2; i += 1) await tusUpload(server, sue, randomBytes(15 * MB), { chunkSize: 8 * MB }).done;
    const past = await tus(server, 'POST', '/api/uploads', sue, { 'upload-length': String(15 * MB) });
    expect(past).toMatchObject({ status: 413, body: { code: ErrorCodes.QuotaExceeded } });
  });

  it('answers a refusal of the finished file (an empty file) with its code on the last request', async () => {
    const created = await tus(server, 'POST', '/api/uploads', sam, { 'upload-length': '0', 'upload-metadata': `filename ${Buffer.from('empty.txt').toString('base64')}` });
    // An empty upload is finished at creation: the creation itself answers the refusal.
    expect(created).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidFile, message: 'The file is empty' } });
  });
});
