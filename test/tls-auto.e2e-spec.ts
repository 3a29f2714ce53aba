import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { io } from 'socket.io-client';
import { LocalTls } from '../backend/src/security/tls/local-tls.service';
import { AppConfig } from '../backend/src/config/app-config';
import { startChildServer } from './support/child-server';
import { startServer, type TestServer } from './support/server';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Issue 18, PARLEY_TLS=auto: Parley makes its own CA and a certificate for this machine, serves
 * HTTPS and WSS with it, sends plain http on the same port to https, hands out the CA and the
 * page on trusting it (over plain http too, since nothing is trusted yet), and renews the
 * certificate while running. A client that trusts only that CA verifies the whole chain.
 */
describe('HTTPS out of the box (PARLEY_TLS=auto)', () => {
  let server: TestServer;
  let port: number;
  let ca: string;

  const ask = (send: typeof httpRequest | typeof httpsRequest, options: RequestOptions) =>
    new Promise<Answer>((resolve, reject) => {
      const req = send({ host: '127.0.0.1', port, ...options }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  const plain = (path: string, headers: Record<string, string> = {}) => ask(httpRequest, { path, headers });
  const secure = (path: string) => ask(httpsRequest, { path, ca });
  /**
   * The certificate a new TLS connection is shown, and whether it verified against the CA.
   * `checkTime: false` for a certificate made for a simulated date (not valid yet today): it is
   * then checked for its issuer only.
   */
  const servedCertificate = ({ checkTime = true } = {}) =>
    new Promise<{ certificate: X509Certificate; authorized: boolean }>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, rejectUnauthorized: checkTime }, () => {
        resolve({ certificate: new X509Certificate(socket.getPeerX509Certificate()!.raw), authorized: socket.authorized });
        socket.end();
      });
      socket.on('error', reject);
    });

  beforeAll(async () => {
    server = await startServer({ PARLEY_TLS: 'auto' });
    port = Number(new URL(server.url).port);
    ca = (await plain('/ca.crt')).body;
  });
  afterAll(() => server.stop());

  it('serves HTTPS that a client trusting only the local CA verifies, for the address and the host name', async () => {
    expect(server.url).toMatch(/^https:/);
    const authority = new X509Certificate(ca);
    expect(authority.ca).toBe(true);
    const answer = await secure('/api/session');
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const served = await servedCertificate();
    expect(served.authorized).toBe(true);
    const leaf = new X509Certificate(readFileSync(join(server.app.get(AppConfig).tlsDir, 'server.crt')));
    expect(leaf.checkIssued(authority)).toBe(true);
    expect(leaf.checkHost(hostname().toLowerCase())).toBeTruthy();
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    for (const key of ['ca.key', 'server.key']) expect(statSync(join(server.app.get(AppConfig).tlsDir, key)).mode & 0o777).toBe(0o600);
  });

  it('sends plain http on the same port to https, keeping the path', async () => {
    const answer = await plain('/api/session?x=1');
    expect(answer.status).toBe(308);
    expect(answer.headers.location).toBe(`https://127.0.0.1:${port}/api/session?x=1`);
    // Not for a name Parley is not (DNS rebinding), as over https.
    expect((await plain('/', { host: 'evil.example' })).status).toBe(421);
  });

  it('hands out the CA and how to trust it, over plain http and https, with the fingerprint to check', async () => {
    const fingerprint = new X509Certificate(ca).fingerprint256;
    const page = await plain('/trust');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body.replace(/<wbr>/g, '')).toContain(fingerprint);
    for (const system of ['Windows', 'macOS', 'Linux', 'Android', 'iPhone and iPad']) expect(page.body).toContain(`<h2>${system}</h2>`);
    const cert = await plain('/ca.crt');
    expect(cert.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(cert.headers['content-disposition']).toContain('parley-ca.crt');
    expect((await secure('/ca.crt')).body).toBe(ca);
    expect((await secure('/trust')).body.replace(/<wbr>/g, '')).toContain(fingerprint);
    // The CA's key never leaves the server.
    expect((await plain('/ca.key')).status).toBe(308);
    expect((await secure('/ca.key')).body).not.toContain('PRIVATE KEY');
  });

  it('speaks WSS: a socket.io client trusting the CA connects', async () => {
    const socket = io(server.url, { transports: ['websocket'], ca, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('renews the certificate while running: new connections get the new one, signed by the same CA', async () => {
    const before = await servedCertificate();
    const tls = server.app.get(LocalTls);
    expect(await tls.check()).toBe('kept');
    // 380 days on: within the last 30 of the certificate's 397.
    const later = new Date(Date.now() + 380 * 24 * 3600 * 1000);
    expect(await tls.check(later)).toBe('renewed');
    const after = await servedCertificate({ checkTime: false });
    expect(after.certificate.serialNumber).not.toBe(before.certificate.serialNumber);
    expect(after.certificate.checkIssued(new X509Certificate(ca))).toBe(true);
    expect(after.certificate.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(new Date(after.certificate.validFrom).getTime()).toBeGreaterThan(Date.now());
    expect((await plain('/ca.crt')).body).toBe(ca);
  });
});

describe('the start banner with PARLEY_TLS=auto', () => {
  it('prints where to trust the CA and its fingerprint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-tls-banner-'));
    const child = await startChildServer({ PARLEY_TLS: 'auto', PARLEY_SQLITE_PATH: join(dir, 'parley.sqlite'), PARLEY_ADMIN_PASSWORD: 'banner-admin-passphrase-9' });
    try {
      const fingerprint = new X509Certificate(readFileSync(join(dir, 'tls', 'ca.crt'))).fingerprint256;
      expect(child.output()).toContain(`CA fingerprint (SHA-256): ${fingerprint}`);
      expect(child.output()).toMatch(/http:\/\/127\.0\.0\.1:\d+\/trust/);
      expect(child.output()).toMatch(/https:\/\/127\.0\.0\.1:\d+/);
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
