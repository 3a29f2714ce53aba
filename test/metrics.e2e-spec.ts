import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsServer } from '../backend/src/metrics/metrics-server.service';
import { ParleyMetrics, type MessageKind } from '../backend/src/metrics/parley-metrics.service';
import { UserRegistryService } from '../backend/src/registry/user-registry.service';
import { adminToken, api, closeAllClients, connect, connectAs, createUser, nextEvent, request, sendRaw, sendWithoutAck } from './support/clients';
import { startServer, type TestServer } from './support/server';

/** The value of one sample line, e.g. sample(text, 'parley_messages_total', { kind: 'group' }). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2] ? match[2].split(',') : [];
    if (wanted.length === have.length && wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return undefined;
}

async function scrape(url: string, token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('GET /metrics', () => {
  let server: TestServer;
  let admin: string;
  beforeAll(async () => {
    server = await startServer();
    admin = await adminToken(server);
  });
  afterAll(() => server.stop());
  afterEach(closeAllClients);

  it('is for admins only on the main port', async () => {
    const staff = await createUser(server, admin, 'metrics-staff', 'staff');
    expect(await api(server, 'GET', '/metrics')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await api(server, 'GET', '/metrics', { token: staff })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const scraped = await scrape(`${server.url}/metrics`, admin);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('has the process metrics, event-loop lag included', async () => {
    const { text } = await scrape(`${server.url}/metrics`, admin);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(sample(text, name)).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts connections by role, and unverified ones', async () => {
    const staffToken = await createUser(server, admin, 'conn-staff', 'staff');
    const clientToken = await createUser(server, admin, 'conn-client', 'client');
    await connectAs(server, admin, 'admin', 'admin');
    await connectAs(server, staffToken, 'staff', 'conn-staff');
    await connectAs(server, staffToken, 'staff', 'conn-staff');
    await connectAs(server, clientToken, 'client', 'conn-client');
    await connect(server);
    const { text } = await scrape(`${server.url}/metrics`, admin);
    expect(sample(text, 'parley_connections', { role: 'admin' })).toBe(1);
    expect(sample(text, 'parley_connections', { role: 'staff' })).toBe(2);
    expect(sample(text, 'parley_connections', { role: 'client' })).toBe(1);
    expect(sample(text, 'parley_connections', { role: 'unverified' })).toBe(1);
  });

  it('counts delivered messages by kind and times each delivery; a duplicate client_id is not counted', async () => {
    const before = await scrape(`${server.url}/metrics`, admin);
    const staffToken = await createUser(server, admin, 'msg-staff', 'staff');
    await createUser(server, admin, 'msg-client', 'client');
    const staff = await connectAs(server, staffToken, 'staff', 'msg-staff');
    for (const [message, recipients, client_id] of [
      ['one', 'staff', 'g-1'],
      ['two', 'client', 'g-2'],
      ['three', 'msg-client', 'd-1'],
      ['three', 'msg-client', 'd-1'],
    ]) {
      expect(await request(staff, 'send_message', { message, recipients, client_id })).toMatchObject({ ok: true });
    }
    const { text } = await scrape(`${server.url}/metrics`, admin);
    const delta = (name: string, labels?: Record<string, string>) =>
      (sample(text, name, labels) ?? 0) - (sample(before.text, name, labels) ?? 0);
    expect(delta('parley_messages_total', { kind: 'group' })).toBe(2);
    expect(delta('parley_messages_total', { kind: 'direct' })).toBe(1);
    expect(delta('parley_message_delivery_seconds_count')).toBe(3);
    expect(delta('parley_message_delivery_seconds_sum')).toBeGreaterThan(0);
    expect(delta('parley_message_delivery_seconds_bucket', { le: '+Inf' })).toBe(3);
  });

  it('counts error replies by transport and code: acks, parley_error events, unknown events, REST', async () => {
    const before = await scrape(`${server.url}/metrics`, admin);
    const socket = await connect(server);
    expect(await request(socket, 'send_message', { message: 'hi', recipients: 'staff' })).toMatchObject({ error: { code: 'NOT_VERIFIED' } });
    expect(await request(socket, 'sync', { since: -1 })).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    expect(await sendRaw(socket, 'no_such_event', {})).toMatchObject({ error: { code: 'UNKNOWN_EVENT' } });
    const refused = nextEvent(socket, 'parley_error');
    sendWithoutAck(socket, 'send_message', { message: 'no ack', recipients: 'staff' });
    expect(await refused).toMatchObject({ code: 'NOT_VERIFIED' });
    expect((await api(server, 'GET', '/api/me')).status).toBe(401);
    expect((await api(server, 'GET', '/api/no-such-route')).status).toBe(404);
    const { text } = await scrape(`${server.url}/metrics`, admin);
    const delta = (labels: Record<string, string>) =>
      (sample(text, 'parley_errors_total', labels) ?? 0) - (sample(before.text, 'parley_errors_total', labels) ?? 0);
    expect(delta({ transport: 'socket', code: 'NOT_VERIFIED' })).toBe(2);
    expect(delta({ transport: 'socket', code: 'INVALID_PAYLOAD' })).toBe(1);
    expect(delta({ transport: 'socket', code: 'UNKNOWN_EVENT' })).toBe(1);
    expect(delta({ transport: 'http', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta({ transport: 'http', code: 'NOT_FOUND' })).toBe(1);
  });
});

describe('PARLEY_METRICS_PORT', () => {
  let server: TestServer;
  let metricsUrl: string;
  beforeAll(async () => {
    server = await startServer({ PARLEY_METRICS_PORT: '0', PARLEY_METRICS_HOST: '127.0.0.1' });
    const address = server.app.get(MetricsServer).address();
    if (!address) throw new Error('the metrics port is not listening');
    metricsUrl = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => server.stop());
  afterEach(closeAllClients);

  it('serves /metrics without a session on its own port, and only that', async () => {
    const scraped = await scrape(`${metricsUrl}/metrics`);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(scraped.text, 'parley_connections', { role: 'admin' })).toBe(0);
    const other = await fetch(`${metricsUrl}/api/users`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps /metrics on the main port for admins only', async () => {
    expect((await api(server, 'GET', '/metrics')).status).toBe(401);
    expect((await scrape(`${server.url}/metrics`, await adminToken(server))).status).toBe(200);
  });

  it('gives each server in a process its own counts', async () => {
    const other = await startServer();
    try {
      const admin = await adminToken(other);
      await connectAs(other, admin, 'admin', 'admin');
      expect(sample((await scrape(`${other.url}/metrics`, admin)).text, 'parley_connections', { role: 'admin' })).toBe(1);
      expect(sample((await scrape(`${metricsUrl}/metrics`)).text, 'parley_connections', { role: 'admin' })).toBe(0);
    } finally {
      closeAllClients();
      await other.stop();
    }
  });

  it('stops listening when the server stops', async () => {
    const other = await startServer({ PARLEY_METRICS_PORT: '0', PARLEY_METRICS_HOST: '127.0.0.1' });
    const port = other.app.get(MetricsServer).address()!.port;
    await other.stop();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

describe('an integrator\'s ParleyMetrics bound through Nest DI', () => {
  /** Example: also counts delivered messages under the integrator's own metric name. */
  @Injectable()
  class AcmeMetrics extends ParleyMetrics {
    private readonly acmeMessages = new Counter({ name: 'acme_messages_total', help: 'Messages by kind', labelNames: ['kind'], registers: [this.registry] });
    constructor(connections: UserRegistryService) {
      super(connections);
    }
    override messageDelivered(kind: MessageKind, startedAt: number): void {
      super.messageDelivered(kind, startedAt);
      this.acmeMessages.inc({ kind });
    }
  }

  it('is what the send path and /metrics use', async () => {
    const server = await startServer({}, [{ provide: ParleyMetrics, useClass: AcmeMetrics }]);
    try {
      const admin = await adminToken(server);
      const socket = await connectAs(server, admin, 'admin', 'admin');
      expect(await request(socket, 'send_message', { message: 'hi', recipients: 'staff' })).toMatchObject({ ok: true });
      const { text } = await scrape(`${server.url}/metrics`, admin);
      expect(sample(text, 'acme_messages_total', { kind: 'group' })).toBe(1);
      expect(sample(text, 'parley_messages_total', { kind: 'group' })).toBe(1);
    } finally {
      closeAllClients();
      await server.stop();
    }
  });
});
