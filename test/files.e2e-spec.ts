import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ErrorCodes, type UploadedFile, type WireMessage } from '@parley/contract';
import { AppConfig } from '../backend/src/config/app-config';
import { FileJanitor } from '../backend/src/files/file-janitor.service';
import { RetentionJob } from '../backend/src/retention/retention-job.service';
import { DatabaseService } from '../backend/src/storage/database.service';
import { adminToken, api, type ClientSocket, closeAllClients, connectAs, createUser, nextEvent, request, requestOk } from './support/clients';
import { startServer, type TestServer } from './support/server';

const DAY_MS = 24 * 3_600_000;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The job without its timer: this spec runs the pass it needs itself. */
class ManualRetentionJob extends RetentionJob {
  override onApplicationBootstrap(): void {}
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** POST /api/files the way a browser's FormData does. */
async function upload(server: TestServer, token: string, name: string, bytes: Uint8Array, type = 'application/octet-stream', field = 'file'): Promise<Answer> {
  const form = new FormData();
  form.append(field, new Blob([Buffer.from(bytes)], { type }), name);
  const response = await fetch(`${server.url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** A multipart body written by hand, for file names no FormData would send as they are. */
async function uploadRaw(server: TestServer, token: string, disposition: string, bytes: Uint8Array): Promise<Answer> {
  const boundary = 'parley-test-boundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: text/plain\r\n\r\n`, 'utf8');
  const body = Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const response = await fetch(`${server.url}/api/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function download(server: TestServer, token: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, json: () => JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown> };
}

/** A real PNG whose header claims 100,000 × 100,000 pixels: decoding it would take 40 GB. */
async function decompressionBomb(): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: 'white' } }).png().toBuffer());
  png.writeUInt32BE(100_000, 16);
  png.writeUInt32BE(100_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

describe('files', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const sockets: Record<string, ClientSocket> = {};
  const roles = { sam: 'staff', sue: 'staff', cleo: 'client' } as const;
  const filesDir = () => server.app.get(AppConfig).filesDir;
  const blobPath = (hex: string) => join(filesDir(), hex.slice(0, 2), hex);
  const db = () => server.app.get(DatabaseService).db;

  beforeAll(async () => {
    server = await startServer({}, [{ provide: RetentionJob, useClass: ManualRetentionJob }]);
    tokens.admin = await adminToken(server);
    for (const [name, role] of Object.entries(roles)) tokens[name] = await createUser(server, tokens.admin, name, role);
  });
  beforeEach(async () => {
    for (const [name, role] of Object.entries({ admin: 'admin', ...roles })) sockets[name] = await connectAs(server, tokens[name], role, name);
  });
  afterEach(closeAllClients);
  afterAll(() => server.stop());

  /** Uploads as sam and sends it to the staff group; answers the upload and the message sue got. */
  async function share(name: string, bytes: Uint8Array, type: string, text = ''): Promise<{ file: UploadedFile; message: WireMessage }> {
    const uploaded = await upload(server, tokens.sam, name, bytes, type);
    expect(uploaded.status).toBe(201);
    const file = uploaded.body as unknown as UploadedFile;
    const received = nextEvent(sockets.sue, 'message_from_user', (m) => m.attachments?.[0]?.id === file.id);
    await requestOk(sockets.sam, 'send_message', { recipients: 'staff', message: text, attachments: [file.id] });
    return { file, message: await received };
  }

  it('stores an upload by content, private, and lets only its uploader fetch it until it is sent', async () => {
    const bytes = Buffer.from('minutes of the Monday meeting\n', 'utf8');
    const answer = await upload(server, tokens.sam, 'minutes.txt', bytes, 'text/plain');
    expect(answer.status).toBe(201);
    const file = answer.body as unknown as UploadedFile;
    expect(file).toEqual({ id: expect.stringMatching(/^[\w-]{22}$/), name: 'minutes.txt', size: bytes.length, content_type: 'text/plain', sha256: sha256(bytes) });
    expect(statSync(blobPath(file.sha256)).mode & 0o777).toBe(0o600);
    expect(statSync(join(filesDir(), file.sha256.slice(0, 2))).mode & 0o777).toBe(0o700);

    const own = await download(server, tokens.sam, `/api/files/${file.id}`);
    expect(own.status).toBe(200);
    expect(Buffer.from(own.bytes).equals(bytes)).toBe(true);
    for (const other of ['sue', 'cleo', 'admin']) {
      const refused = await download(server, tokens[other], `/api/files/${file.id}`);
      expect(refused.status).toBe(404);
      expect(refused.json()).toMatchObject({ code: ErrorCodes.UnknownFile });
    }
    // A guessed id is answered as a real one someone else holds.
    const guessed = await download(server, tokens.sue, '/api/files/AAAAAAAAAAAAAAAAAAAAAA');
    expect(guessed.status).toBe(404);
    expect(guessed.json()).toEqual(expect.objectContaining({ code: ErrorCodes.UnknownFile, message: 'No file AAAAAAAAAAAAAAAAAAAAAA' }));
    expect((await api(server, 'GET', `/api/files/${file.id}`)).status).toBe(401);
  });

  it('sends files with a message: readers of the conversation fetch them, no one else; text-only clients get a line per file', async () => {
    const bytes = Buffer.from('%PDF-1.4 quarterly figures', 'utf8');
    const { file, message } = await share('Q3 figures.pdf', bytes, 'application/pdf', 'The figures');
    expect(message.attachments).toEqual([{ id: file.id, name: 'Q3 figures.pdf', size: bytes.length, content_type: 'application/pdf' }]);
    expect(message.message).toBe(`The figures\n📎 Q3 figures.pdf (${bytes.length} B)`);
    // The staff group's readers (sue, and admin, who reads every group) may; a client may not.
    for (const reader of ['sue', 'admin', 'sam']) expect((await download(server, tokens[reader], `/api/files/${file.id}`)).status).toBe(200);
    expect((await download(server, tokens.cleo, `/api/files/${file.id}`)).status).toBe(404);

    // History and sync carry the same.
    const history = await requestOk(sockets.sue, 'history', { conversation: 'group:staff', limit: 5 });
    expect(history.messages.find((m) => m.id === message.id)?.attachments).toEqual(message.attachments);

    // The compliance export lists the files a message carried.
    const exported = await api(server, 'GET', '/api/admin/export?conversation=group:staff', { token: tokens.admin });
    const line = String(exported.body.text).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.id === message.id);
    expect(line).toMatchObject({ message: 'The figures', attachments: message.attachments });

    // A file goes with one message, and only its uploader's.
    const again = await request(sockets.sam, 'send_message', { recipients: 'staff', message: 'again', attachments: [file.id] });
    expect(again).toMatchObject({ ok: false, error: { code: ErrorCodes.UnknownFile } });
    const mine = (await upload(server, tokens.sam, 'mine.txt', Buffer.from('mine'), 'text/plain')).body as unknown as UploadedFile;
    const stolen = await request(sockets.sue, 'send_message', { recipients: 'staff', message: 'look', attachments: [mine.id] });
    expect(stolen).toMatchObject({ ok: false, error: { code: ErrorCodes.UnknownFile } });
    expect((await download(server, tokens.sue, `/api/files/${mine.id}`)).status).toBe(404);
  });

  it('takes a resend with the same client_id as the same message, files and all', async () => {
    const file = (await upload(server, tokens.sam, 'agenda.txt', Buffer.from('agenda'), 'text/plain')).body as unknown as UploadedFile;
    const payload = { recipients: 'sue', message: 'agenda', client_id: 'c-agenda-1', attachments: [file.id] };
    const first = await requestOk(sockets.sam, 'send_message', payload);
    const second = await requestOk(sockets.sam, 'send_message', payload);
    expect(second).toMatchObject({ id: first.id, duplicate: true });
  });

  it('sends a file with no text, and refuses a message with neither', async () => {
    const { message } = await share('photo-notes.txt', Buffer.from('notes'), 'text/plain');
    expect(message.message).toBe('📎 photo-notes.txt (5 B)');
    const empty = await request(sockets.sam, 'send_message', { recipients: 'staff', message: '' });
    expect(empty).toMatchObject({ ok: false, error: { code: ErrorCodes.InvalidPayload } });
    const twice = await request(sockets.sam, 'send_message', { recipients: 'staff', message: 'x', attachments: ['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAA'] });
    expect(twice).toMatchObject({ ok: false, error: { code: ErrorCodes.InvalidPayload } });
  });

  it('reads images: dimensions, a thumbnail, shown inline; camera metadata and location removed', async () => {
    const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3a7' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'Parley Cam', Copyright: 'sam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
      .toBuffer();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const { file, message } = await share('IMG_0001.jpg', photo, 'image/jpeg');
    expect(file).toMatchObject({ content_type: 'image/jpeg', width: 1200, height: 800, thumbnail_url: `/api/files/${file.id}/thumbnail` });
    expect(message.attachments![0]).toMatchObject({ width: 1200, height: 800, thumbnail_url: `/api/files/${file.id}/thumbnail` });

    const original = await download(server, tokens.sue, `/api/files/${file.id}`);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(original.headers.get('content-disposition')).toBe('inline; filename="IMG_0001.jpg"');
    const kept = await sharp(original.bytes).metadata();
    expect(kept.exif).toBeUndefined();
    expect(Buffer.from(original.bytes).includes(Buffer.from('Parley Cam'))).toBe(false);
    expect(sha256(original.bytes)).toBe(file.sha256);
    expect(file.size).toBe(original.bytes.length);

    const thumbnail = await download(server, tokens.sue, file.thumbnail_url!);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 213 });
    expect((await download(server, tokens.cleo, file.thumbnail_url!)).status).toBe(404);
  });

  it('never lets a file run in Parley’s origin: HTML, SVG with script and a polyglot are downloads in a sandbox', async () => {
    const html = Buffer.from('<!doctype html><script>fetch("/api/me")</script>');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>');
    // A GIF header, then HTML: what sniffing browsers were once fooled by.
    const polyglot = Buffer.concat([Buffer.from('GIF89a'), Buffer.from('<html><script>alert(1)</script></html>')]);
    for (const [name, bytes, declared, stored] of [
      ['page.html', html, 'text/html', 'text/html'],
      ['logo.svg', svg, 'image/svg+xml', 'image/svg+xml'],
      ['cat.gif', polyglot, 'image/gif', 'application/octet-stream'],
      ['fake.png', html, 'image/png', 'application/octet-stream'],
    ] as const) {
      const { file } = await share(name, bytes, declared);
      expect(file.content_type).toBe(stored);
      expect(file.thumbnail_url).toBeUndefined();
      const fetched = await download(server, tokens.sue, `/api/files/${file.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-type')).toBe(stored);
      expect(fetched.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      expect(fetched.headers.get('x-content-type-options')).toBe('nosniff');
      expect(fetched.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
      expect((await download(server, tokens.sue, `/api/files/${file.id}/thumbnail`)).status).toBe(404);
    }
  });

  it('refuses empty files, decompression bombs, other fields and other bodies with a coded error', async () => {
    const empty = await upload(server, tokens.sam, 'empty.txt', new Uint8Array(0), 'text/plain');
    expect(empty).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidFile, message: 'The file is empty' } });
    const bomb = await upload(server, tokens.sam, 'bomb.png', await decompressionBomb(), 'image/png');
    expect(bomb.status).toBe(400);
    expect(bomb.body).toMatchObject({ code: ErrorCodes.InvalidFile, message: expect.stringContaining('100000×100000 pixels') });
    const field = await upload(server, tokens.sam, 'a.txt', Buffer.from('a'), 'text/plain', 'attachment');
    expect(field).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidFile } });
    const json = await api(server, 'POST', '/api/files', { token: tokens.sam, body: { file: 'a' } });
    expect(json).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidFile } });
    const cut = await fetch(`${server.url}/api/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.sam}`, 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nno end',
    });
    expect(cut.status).toBe(400);
    expect(await cut.json()).toMatchObject({ code: ErrorCodes.InvalidFile });
    // Nothing of these stayed behind.
    const rows = await db().selectFrom('files').select('name').execute();
    expect(rows.map((row) => row.name)).not.toEqual(expect.arrayContaining(['empty.txt', 'bomb.png', 'a.txt']));
  });

  it('keeps names without paths or control characters, and offers any name safely', async () => {
    const traversal = await uploadRaw(server, tokens.sam, 'name="file"; filename="../../etc/passwd"', Buffer.from('x'));
    expect(traversal.body).toMatchObject({ name: 'passwd' });
    const windows = await uploadRaw(server, tokens.sam, 'name="file"; filename="C:\\\\temp\\\\..\\\\evil.txt"', Buffer.from('x'));
    expect(windows.body.name).toBe('evil.txt');
    const direction = await uploadRaw(server, tokens.sam, `name="file"; filename="in\tvoice\u202Etxt.exe"`, Buffer.from('x'));
    expect(direction.body.name).toBe('in voicetxt.exe');
    // A control character in a header is more than the multipart parser takes: refused, saying why.
    const control = await uploadRaw(server, tokens.sam, `name="file"; filename="in\u0007voice.txt"`, Buffer.from('x'));
    expect(control).toMatchObject({ status: 400, body: { code: ErrorCodes.InvalidFile, message: expect.stringContaining('control characters') } });
    const utf8 = await uploadRaw(server, tokens.sam, 'name="file"; filename="上海 地图 Café.txt"', Buffer.from('x'));
    expect(utf8.body.name).toBe('上海 地图 Café.txt');
    const fetched = await download(server, tokens.sam, `/api/files/${utf8.body.id as string}`);
    expect(fetched.headers.get('content-disposition')).toBe(`attachment; filename="?? ?? Café.txt"; filename*=UTF-8''%E4%B8%8A%E6%B5%B7%20%E5%9C%B0%E5%9B%BE%20Caf%C3%A9.txt`);
  });

  it('answers byte ranges of a file', async () => {
    const bytes = Buffer.from('0123456789abcdef');
    const file = (await upload(server, tokens.sam, 'hex.txt', bytes, 'text/plain')).body as unknown as UploadedFile;
    const part = await download(server, tokens.sam, `/api/files/${file.id}`, { range: 'bytes=10-13' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-13/${bytes.length}`);
    expect(Buffer.from(part.bytes).toString()).toBe('abcd');
    const whole = await download(server, tokens.sam, `/api/files/${file.id}`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    // fetch adds `Cache-Control: no-cache` to a conditional request unless the request says otherwise, as a browser revalidating does.
    const again = await download(server, tokens.sam, `/api/files/${file.id}`, { 'if-none-match': whole.headers.get('etag')!, 'cache-control': 'max-age=0' });
    expect(again.status).toBe(304);
  });

  it('removes a deleted message’s files from the disk, keeping bytes another message still holds', async () => {
    const bytes = Buffer.from(`shared bytes ${Date.now()}`);
    const first = await share('one.txt', bytes, 'text/plain');
    const second = await share('two.txt', bytes, 'text/plain');
    expect(second.file.sha256).toBe(first.file.sha256);
    const photo = await share('pic.png', await sharp({ create: { width: 64, height: 64, channels: 3, background: 'blue' } }).png().toBuffer(), 'image/png');
    const thumb = (await db().selectFrom('files').select('thumb_sha256').where('id', '=', photo.file.id).executeTakeFirstOrThrow()).thumb_sha256!;
    expect(existsSync(blobPath(thumb))).toBe(true);

    await requestOk(sockets.sam, 'delete_message', { id: first.message.id });
    expect((await download(server, tokens.sue, `/api/files/${first.file.id}`)).status).toBe(404);
    expect((await download(server, tokens.sam, `/api/files/${first.file.id}`)).status).toBe(404);
    // The other message has the same bytes: they stay.
    expect(existsSync(blobPath(first.file.sha256))).toBe(true);
    expect((await download(server, tokens.sue, `/api/files/${second.file.id}`)).status).toBe(200);

    const deleted = nextEvent(sockets.sue, 'message_deleted', (m) => m.id === second.message.id);
    await requestOk(sockets.admin, 'delete_message', { id: second.message.id });
    expect((await deleted).attachments).toBeUndefined();
    expect(existsSync(blobPath(first.file.sha256))).toBe(false);

    await requestOk(sockets.sam, 'delete_message', { id: photo.message.id });
    expect(existsSync(blobPath(photo.file.sha256))).toBe(false);
    expect(existsSync(blobPath(thumb))).toBe(false);
    expect(await db().selectFrom('file_blobs').select('sha256').where('sha256', 'in', [thumb, photo.file.sha256, first.file.sha256]).execute()).toEqual([]);
  });

  it('removes uploads never sent after PARLEY_FILES_UNATTACHED_HOURS, and retention’s messages’ files', async () => {
    const forgotten = (await upload(server, tokens.sue, 'draft.txt', Buffer.from(`draft ${Date.now()}`), 'text/plain')).body as unknown as UploadedFile;
    const recent = (await upload(server, tokens.sue, 'recent.txt', Buffer.from(`recent ${Date.now()}`), 'text/plain')).body as unknown as UploadedFile;
    await db().updateTable('files').set({ created_at: Date.now() - DAY_MS - 60_000 }).where('id', '=', forgotten.id).execute();
    const removed = await server.app.get(FileJanitor).tick();
    expect(removed.unattached).toBeGreaterThanOrEqual(1);
    expect((await download(server, tokens.sue, `/api/files/${forgotten.id}`)).status).toBe(404);
    expect(existsSync(blobPath(forgotten.sha256))).toBe(false);
    expect((await download(server, tokens.sue, `/api/files/${recent.id}`)).status).toBe(200);

    // Retention: a conversation kept 1 day, a message with a file from 2 days ago.
    expect((await api(server, 'PUT', '/api/admin/retention', { token: tokens.admin, body: { conversation: 'dm:sam:sue', days: 1 } })).status).toBe(200);
    const old = (await upload(server, tokens.sue, 'old.txt', Buffer.from(`old ${Date.now()}`), 'text/plain')).body as unknown as UploadedFile;
    const sent = await requestOk(sockets.sue, 'send_message', { recipients: 'sam', message: 'old', attachments: [old.id] });
    await db().updateTable('messages').set({ sent_at: Date.now() - 2 * DAY_MS }).where('id', '=', sent.id).execute();
    await server.app.get(RetentionJob).runPass();
    expect((await download(server, tokens.sam, `/api/files/${old.id}`)).status).toBe(404);
    expect(existsSync(blobPath(old.sha256))).toBe(false);
  });

  it('needs the CSRF token for a cookie-signed-in upload, and refuses one from another site', async () => {
    const form = () => {
      const body = new FormData();
      body.append('file', new Blob([Buffer.from('x')], { type: 'text/plain' }), 'x.txt');
      return body;
    };
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sue', password: 'sue-passphrase-9' }),
    });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const noToken = await fetch(`${server.url}/api/files`, { method: 'POST', headers: { cookie }, body: form() });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ code: ErrorCodes.CsrfRejected });
    const crossSite = await fetch(`${server.url}/api/files`, { method: 'POST', headers: { cookie, origin: 'http://evil.example' }, body: form() });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: ErrorCodes.CrossSiteRejected });
  });
});

describe('file limits', () => {
  let server: TestServer;
  let sam: string;

  beforeAll(async () => {
    server = await startServer({ PARLEY_FILES_MAX_BYTES: '1000', PARLEY_FILES_QUOTA_BYTES: '2500', PARLEY_FILES_ALLOWED_TYPES: 'image/*, text/plain' });
    sam = await createUser(server, await adminToken(server), 'sam', 'staff');
  });
  afterAll(() => server.stop());

  it('tells a client its limits when it verifies, so it can refuse before uploading', async () => {
    const socket = await connectAs(server, sam, 'staff', 'sam');
    const ack = await requestOk(socket, 'verify_user', { user_type: 'staff', user_name: 'sam' });
    expect(ack.file_limits).toEqual({ max_bytes: 1000, allowed_types: ['image/*', 'text/plain'] });
    closeAllClients();
  });

  it('refuses a file over PARLEY_FILES_MAX_BYTES, whether announced or streamed', async () => {
    const big = await upload(server, sam, 'big.txt', Buffer.alloc(2000, 'a'), 'text/plain');
    expect(big).toMatchObject({ status: 413, body: { code: ErrorCodes.FileTooLarge, message: 'Files may be at most 1.0 KB' } });
    // Chunked, so no Content-Length tells the size in advance: stopped at the limit.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(Buffer.from('--x\r\nContent-Disposition: form-data; name="file"; filename="s.txt"\r\nContent-Type: text/plain\r\n\r\n'));
        controller.enqueue(Buffer.alloc(5000, 'b'));
        controller.enqueue(Buffer.from('\r\n--x--\r\n'));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/api/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sam}`, 'content-type': 'multipart/form-data; boundary=x' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: ErrorCodes.FileTooLarge });
  });

  it('refuses types PARLEY_FILES_ALLOWED_TYPES leaves out, by the bytes for images', async () => {
    const zip = await upload(server, sam, 'a.zip', Buffer.from('PK\u0003\u0004zip'), 'application/zip');
    expect(zip).toMatchObject({ status: 415, body: { code: ErrorCodes.FileTypeNotAllowed, message: expect.stringContaining('application/zip') } });
    // Named and declared an image, but not one: refused as what it is.
    const fake = await upload(server, sam, 'a.png', Buffer.from('not a picture'), 'image/png');
    expect(fake).toMatchObject({ status: 415, body: { code: ErrorCodes.FileTypeNotAllowed } });
    const png = await upload(server, sam, 'dot.png', await sharp({ create: { width: 2, height: 2, channels: 3, background: 'red' } }).png().toBuffer(), 'application/octet-stream');
    expect(png).toMatchObject({ status: 201, body: { content_type: 'image/png' } });
  });

  it('refuses an upload past the quota, and takes uploads again once files are gone', async () => {
    const server2 = server;
    const sizes: number[] = [];
    for (let i = 0; ; i += 1) {
      const answer = await upload(server2, sam, `q${i}.txt`, Buffer.alloc(900, String(i)), 'text/plain');
      if (answer.status !== 201) {
        expect(answer).toMatchObject({ status: 413, body: { code: ErrorCodes.QuotaExceeded, message: expect.stringContaining('the limit is 2.5 KB per person') } });
        break;
      }
      sizes.push(answer.body.size as number);
      expect(i).toBeLessThan(3);
    }
    expect(sizes.length).toBeGreaterThanOrEqual(1);
    await server.app.get(DatabaseService).db.updateTable('files').set({ created_at: 0 }).execute();
    await server.app.get(FileJanitor).tick();
    expect((await upload(server, sam, 'after.txt', Buffer.alloc(900, 'z'), 'text/plain')).status).toBe(201);
  });
});
