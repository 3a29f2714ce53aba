import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes, type WebhookDelivery, type WebhookPayload, type WireMessage } from '@parley/contract';
import { DatabaseService } from '../backend/src/storage/database.service';
import { adminToken, api, closeAllClients, connectAs, createUser, type Json, nextEvent, requestOk } from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/** One POST the receiver got. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 that can go down and come back on the same port, answering
 * 204 to everything and recording it; requests to a path in `silent` get no answer at all.
 */
class Receiver {
  readonly received: Received[] = [];
  readonly silent = new Set<string>();
  private server: Server | null = null;
  port = 0;

  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        this.received.push({ path: request.url ?? '', headers: request.headers, body });
        if (!this.silent.has(request.url ?? '')) response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The payloads POSTed to `path`, in arrival order. */
  payloads(path: string): WebhookPayload[] {
    return this.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as WebhookPayload);
  }
}

/** A receiver's check, as README "Outgoing webhooks" shows it. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['x-parley-timestamp']);
  const signature = String(headers['x-parley-signature']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

const MAX_ATTEMPTS = 5;

describe('outgoing webhooks', () => {
  const receiver = new Receiver();
  let server: TestServer;
  let admin: string;
  let staff: string;

  beforeAll(async () => {
    await receiver.up();
    server = await startServer({
      PARLEY_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      // Retries a moment apart rather than 10 s, so a receiver coming back is tried at the next pass.
      PARLEY_WEBHOOK_RETRY_BASE_MS: '50',
      PARLEY_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      // Far longer than a restart takes, so a shutdown that waited for an attempt would show.
      PARLEY_WEBHOOK_TIMEOUT_MS: '20000',
    });
    admin = await adminToken(server);
    staff = await createUser(server, admin, 'sam', 'staff');
    await createUser(server, admin, 'kim', 'staff');
  });

  afterAll(async () => {
    closeAllClients();
    await server.stop();
    await receiver.down();
  });

  const register = async (body: Json) => {
    const response = await api(server, 'POST', '/api/admin/webhooks', { token: admin, body });
    expect(response.status).toBe(201);
    return response.body as { webhook: { id: number }; secret: string };
  };
  const deliveries = async (id: number, query = '') => {
    const response = await api(server, 'GET', `/api/admin/webhooks/${id}/deliveries${query}`, { token: admin });
    expect(response.status).toBe(200);
    return response.body.deliveries as WebhookDelivery[];
  };
  /** Sends as sam to `recipients` and answers the stored message's id. */
  const send = async (message: string, recipients = 'group:staff') => {
    const socket = await connectAs(server, staff, 'staff', 'sam');
    const ack = await requestOk(socket, 'send_message', { message, recipients });
    socket.disconnect();
    return ack.id;
  };

  it('refuses a URL whose host is not allowed, a user name in it, and unknown events, with a 400 saying why', async () => {
    for (const url of ['http://10.9.8.7/hook', 'http://[::1]:9/hook', 'http://0.0.0.0:9/hook', `http://user:pw@127.0.0.1:${receiver.port}/`]) {
      const refused = await api(server, 'POST', '/api/admin/webhooks', { token: admin, body: { url, events: ['message'] } });
      expect([url, refused.status, refused.body.code]).toEqual([url, 400, ErrorCodes.WebhookAddressNotAllowed]);
    }
    const named = await api(server, 'POST', '/api/admin/webhooks', { token: admin, body: { url: 'http://10.9.8.7/hook', events: ['message'] } });
    expect(named.body.message).toContain('PARLEY_WEBHOOK_ALLOWED_HOSTS');
    const unknownEvent = await api(server, 'POST', '/api/admin/webhooks', { token: admin, body: { url: receiver.url('/x'), events: ['message', 'reaction'] } });
    expect([unknownEvent.status, unknownEvent.body.code]).toEqual([400, ErrorCodes.InvalidPayload]);
    expect(unknownEvent.body.message).toContain('events');
    const unknownConversation = await api(server, 'POST', '/api/admin/webhooks', { token: admin, body: { url: receiver.url('/x'), events: ['message'], conversations: ['channel:nowhere'] } });
    expect([unknownConversation.status, unknownConversation.body.code]).toEqual([404, ErrorCodes.NotFound]);
    expect((await api(server, 'GET', '/api/admin/webhooks', { token: admin })).body.webhooks).toEqual([]);
  });

  it('answers 403 to a non-admin and 401 to nobody, on every route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/admin/webhooks'],
      ['POST', '/api/admin/webhooks'],
      ['PATCH', '/api/admin/webhooks/1'],
      ['DELETE', '/api/admin/webhooks/1'],
      ['POST', '/api/admin/webhooks/1/secret'],
      ['GET', '/api/admin/webhooks/1/deliveries'],
      ['POST', '/api/admin/webhooks/1/deliveries/00000000-0000-4000-8000-000000000000/retry'],
    ];
    for (const [method, path] of routes) {
      const body = method === 'GET' ? undefined : { url: receiver.url('/x'), events: ['message'] };
      expect([method, path, (await api(server, method, path, { token: staff, body })).status]).toEqual([method, path, 403]);
      expect([method, path, (await api(server, method, path, { body })).status]).toEqual([method, path, 401]);
    }
  });

  it('POSTs a new message with a valid signature, as clients get it, and only from the conversations it names', async () => {
    const staffOnly = await register({ url: receiver.url('/staff'), events: ['message'], conversations: ['group:staff'], description: 'staff room bot' });
    const everything = await register({ url: receiver.url('/all'), events: ['message'] });
    expect(staffOnly.secret).toMatch(/^whsec_[\w-]{43}$/);
    expect(staffOnly.secret).not.toBe(everything.secret);

    const kim = await connectAs(server, await api(server, 'POST', '/api/auth/login', { body: { username: 'kim', password: 'kim-passphrase-9' } }).then((r) => r.body.token as string), 'staff', 'kim');
    const seenByKim = nextEvent(kim, 'message_from_user', (m) => m.message === 'deploy at 5');
    const dm = await send('just between us', 'user:kim');
    const adminSocket = await connectAs(server, admin, 'admin', 'admin');
    const adminPost = (await requestOk(adminSocket, 'send_message', { message: 'admins only', recipients: 'group:admin' })).id;
    const id = await send('deploy at 5');
    const wire: WireMessage = await seenByKim;

    const [delivered] = await eventually(() => {
      const got = receiver.received.filter((r) => r.path === '/staff');
      expect(got).toHaveLength(1);
      return got;
    });
    expect(delivered.headers['content-type']).toBe('application/json');
    expect(delivered.headers['x-parley-event']).toBe('message');
    expect(verify(staffOnly.secret, delivered.headers, delivered.body)).toBe(true);
    expect(verify(everything.secret, delivered.headers, delivered.body)).toBe(false);
    expect(verify(staffOnly.secret, delivered.headers, delivered.body.replace('deploy', 'DEPLOY'))).toBe(false);
    const payload = JSON.parse(delivered.body) as WebhookPayload;
    expect(payload).toEqual({ event: 'message', id: delivered.headers['x-parley-delivery'], webhook_id: staffOnly.webhook.id, message: wire, sent_at: expect.any(String) });
    expect(payload.message.id).toBe(id);

    // The unfiltered one gets the admins' group too, never the DM.
    await eventually(() => expect(receiver.payloads('/all').map((p) => p.message.id).sort()).toEqual([adminPost, id].sort()));
    // Queueing moved each cursor past every message above; what was queued is all there will be.
    expect((await deliveries(staffOnly.webhook.id)).map((d) => d.message_id)).toEqual([id]);
    expect((await deliveries(everything.webhook.id)).map((d) => d.message_id).sort()).toEqual([adminPost, id].sort());
    expect(receiver.received.some((r) => r.body.includes('just between us'))).toBe(false);
    expect(dm).toBeLessThan(id);

    const listed = (await api(server, 'GET', '/api/admin/webhooks', { token: admin })).body.webhooks as Json[];
    const shown = listed.find((w) => w.id === staffOnly.webhook.id)!;
    expect(shown).toMatchObject({ url: receiver.url('/staff'), conversations: ['group:staff'], description: 'staff room bot', enabled: true, deliveries: { pending: 0, delivered: 1, failed: 0 }, last_delivery: { status: 'delivered', error: null } });
    expect(JSON.stringify(listed)).not.toContain(staffOnly.secret);
    await api(server, 'DELETE', `/api/admin/webhooks/${everything.webhook.id}`, { token: admin });
  });

  it('retries while the receiver is down and delivers once it is back, with the same delivery id', async () => {
    const { webhook } = await register({ url: receiver.url('/retry'), events: ['message'], conversations: ['group:staff'] });
    await receiver.down();
    const id = await send('while you were out');
    const [pending] = await eventually(async () => {
      const found = await deliveries(webhook.id);
      expect(found).toEqual([expect.objectContaining({ message_id: id, status: 'pending', last_error: expect.stringContaining('Connection refused') })]);
      expect(found[0].attempts).toBeGreaterThanOrEqual(2);
      return found;
    });
    await receiver.up();
    await eventually(() => expect(receiver.payloads('/retry').map((p) => p.message.id)).toEqual([id]));
    expect(receiver.received.find((r) => r.path === '/retry')!.headers['x-parley-delivery']).toBe(pending.id);
    const [done] = await eventually(async () => {
      const found = await deliveries(webhook.id);
      expect(found).toEqual([expect.objectContaining({ id: pending.id, status: 'delivered', last_status: 204, last_error: null })]);
      return found;
    });
    expect(done.attempts).toBeGreaterThan(pending.attempts);
    await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin });
  });

  it('keeps the queue across a restart: a delivery that failed before it goes out after it', async () => {
    const { webhook, secret } = await register({ url: receiver.url('/restart'), events: ['message'], conversations: ['group:staff'] });
    await receiver.down();
    const id = await send('before the restart');
    await eventually(async () => expect((await deliveries(webhook.id))[0]).toMatchObject({ message_id: id, status: 'pending', attempts: 1 }), { timeoutMs: 10_000 });
    await server.pause();
    await receiver.up();
    await server.resume();
    await eventually(() => expect(receiver.payloads('/restart').map((p) => p.message.id)).toEqual([id]), { timeoutMs: 10_000 });
    const [arrived] = receiver.received.filter((r) => r.path === '/restart');
    expect(verify(secret, arrived.headers, arrived.body)).toBe(true);
    await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin });
  });

  it('stops without waiting for an attempt in flight, which is not counted and goes out after the restart', async () => {
    const { webhook } = await register({ url: receiver.url('/silent'), events: ['message'], conversations: ['group:staff'] });
    receiver.silent.add('/silent');
    const id = await send('to a receiver that does not answer');
    await eventually(() => expect(receiver.received.filter((r) => r.path === '/silent')).toHaveLength(1));
    // Answers from now on; the request already in, it leaves hanging.
    receiver.silent.delete('/silent');
    const started = Date.now();
    await server.pause();
    expect(Date.now() - started).toBeLessThan(10_000);
    await server.resume();
    // One attempt counted: the one cut short by the stop was not.
    const [done] = await eventually(async () => {
      const found = await deliveries(webhook.id);
      expect(found).toEqual([expect.objectContaining({ message_id: id, status: 'delivered', attempts: 1 })]);
      return found;
    }, { timeoutMs: 10_000 });
    const both = receiver.received.filter((r) => r.path === '/silent');
    expect(both.map((r) => r.headers['x-parley-delivery'])).toEqual([done.id, done.id]);
    await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin });
  });

  it('gives up after the last attempt, shows the failure, and sends it again on an admin retry', async () => {
    const { webhook } = await register({ url: receiver.url('/failing'), events: ['message'], conversations: ['group:staff'] });
    await receiver.down();
    const id = await send('nobody home');
    const [first] = await eventually(async () => {
      const found = await deliveries(webhook.id);
      expect(found[0]).toMatchObject({ status: 'pending', attempts: 1 });
      return found;
    });
    // As though the earlier retries had run out (rather than waiting them out).
    await server.app.get(DatabaseService).db.updateTable('webhook_deliveries').set({ attempts: MAX_ATTEMPTS - 1 }).where('id', '=', first.id).execute();
    await eventually(async () => expect(await deliveries(webhook.id, '?status=failed')).toEqual([expect.objectContaining({ id: first.id, attempts: MAX_ATTEMPTS, next_attempt_at: null, last_error: expect.stringContaining('Connection refused') })]));
    const listed = (await api(server, 'GET', '/api/admin/webhooks', { token: admin })).body.webhooks as Json[];
    expect(listed.find((w) => w.id === webhook.id)).toMatchObject({ deliveries: { failed: 1 }, last_delivery: { status: 'failed', error: expect.stringContaining('Connection refused') } });
    const metrics = (await api(server, 'GET', '/metrics', { token: admin })).body.text as string;
    expect(metrics).toMatch(/parley_webhook_attempts_total\{outcome="failed"\} [1-9]/);
    expect(metrics).toMatch(/parley_webhook_attempts_total\{outcome="retry"\} [1-9]/);

    await receiver.up();
    const retried = await api(server, 'POST', `/api/admin/webhooks/${webhook.id}/deliveries/${first.id}/retry`, { token: admin });
    expect([retried.status, retried.body.delivery]).toEqual([200, expect.objectContaining({ status: 'pending', attempts: 0 })]);
    await eventually(() => expect(receiver.payloads('/failing').map((p) => [p.id, p.message.id])).toEqual([[first.id, id]]));
    const unknown = await api(server, 'POST', `/api/admin/webhooks/${webhook.id}/deliveries/00000000-0000-4000-8000-000000000000/retry`, { token: admin });
    expect([unknown.status, unknown.body.code]).toEqual([404, ErrorCodes.NotFound]);
    await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin });
  });

  it('checks the address again at delivery time, and never connects where it may not', async () => {
    const { webhook } = await register({ url: receiver.url('/moved'), events: ['message'], conversations: ['group:staff'] });
    // As though PARLEY_WEBHOOK_ALLOWED_HOSTS had been narrowed since the webhook was saved.
    await server.app.get(DatabaseService).db.updateTable('webhooks').set({ url: `http://127.0.0.2:${receiver.port}/moved` }).where('id', '=', webhook.id).execute();
    await send('not for 127.0.0.2');
    await eventually(async () => expect((await deliveries(webhook.id))[0]).toMatchObject({ status: 'pending', last_status: null, last_error: expect.stringContaining('127.0.0.2 is not in PARLEY_WEBHOOK_ALLOWED_HOSTS') }));
    expect(receiver.payloads('/moved')).toEqual([]);
    await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin });
  });

  it('rotates the secret (the new one signs from then on), changes and removes webhooks, and audits each step', async () => {
    const { webhook, secret: old } = await register({ url: receiver.url('/rotated'), events: ['message'], conversations: ['group:staff'] });
    const rotated = await api(server, 'POST', `/api/admin/webhooks/${webhook.id}/secret`, { token: admin });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.secret as string;
    expect(secret).not.toBe(old);
    const changed = await api(server, 'PATCH', `/api/admin/webhooks/${webhook.id}`, { token: admin, body: { description: 'rotated once', conversations: ['group:staff', 'dm:sam:kim'] } });
    expect([changed.status, changed.body]).toEqual([200, expect.objectContaining({ description: 'rotated once', conversations: ['group:staff', 'dm:kim:sam'] })]);
    const refused = await api(server, 'PATCH', `/api/admin/webhooks/${webhook.id}`, { token: admin, body: { url: 'http://192.168.1.1/' } });
    expect([refused.status, refused.body.code]).toEqual([400, ErrorCodes.WebhookAddressNotAllowed]);

    // A DM named explicitly is covered.
    const dm = await send('named DM', 'user:kim');
    await eventually(() => expect(receiver.payloads('/rotated').map((p) => p.message.id)).toEqual([dm]));
    const [arrived] = receiver.received.filter((r) => r.path === '/rotated');
    expect([verify(secret, arrived.headers, arrived.body), verify(old, arrived.headers, arrived.body)]).toEqual([true, false]);

    expect((await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin })).status).toBe(204);
    expect((await api(server, 'DELETE', `/api/admin/webhooks/${webhook.id}`, { token: admin })).status).toBe(404);
    expect((await api(server, 'GET', `/api/admin/webhooks/${webhook.id}/deliveries`, { token: admin })).status).toBe(404);

    const audit = (await api(server, 'GET', '/api/admin/audit?limit=200', { token: admin })).body.entries as Json[];
    const mine = audit.filter((e) => e.target === `webhook:${webhook.id}`).map((e) => e.action).reverse();
    expect(mine).toEqual(['webhook.created', 'webhook.secret_rotated', 'webhook.changed', 'webhook.deleted']);
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(audit.some((e) => e.action === 'webhook.delivery_retried')).toBe(true);
  });
});
