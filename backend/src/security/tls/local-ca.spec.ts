import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCertificates, namesOf, RENEW_BEFORE_DAYS, type TlsNames } from './local-ca';
import { tlsNames } from './tls-names';

const DAY_MS = 24 * 3600 * 1000;

describe('ensureLocalCertificates (PARLEY_TLS=auto)', () => {
  let dir: string;
  const names: TlsNames = { dns: ['office-pc', 'office-pc.local', 'localhost'], ips: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20'] };
  const start = new Date('2026-12-01T09:00:00Z');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-tls-ca-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const leaf = (pem: string) => new X509Certificate(pem.split(/(?<=-----END CERTIFICATE-----)/)[0]);

  it('makes a CA and a certificate for every name and address, signed by it, with the keys kept private', async () => {
    const made = await ensureLocalCertificates(dir, names, start);
    expect(made.outcome).toBe('created');
    const ca = new X509Certificate(made.caPem);
    const server = leaf(made.certPem);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(made.caFingerprint).toBe(ca.fingerprint256);
    expect(namesOf(server.toString())).toEqual({ dns: names.dns, ips: names.ips });
    for (const host of ['office-pc', 'office-pc.local', 'localhost']) expect(server.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '192.168.1.20']) expect(server.checkIP(ip)).toBe(ip);
    // The served chain ends with the CA, so a client that trusts it can build the path.
    expect(made.certPem).toContain(made.caPem.trim());
    // At most 397 days: Apple's platforms refuse longer ones even from a CA the user installed.
    expect(new Date(server.validTo).getTime() - start.getTime()).toBeLessThanOrEqual(398 * DAY_MS);
    for (const file of ['ca.key', 'server.key']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(made.keyPem).toBe(readFileSync(join(dir, 'server.key'), 'utf8'));
  });

  it('keeps both on a second start with the same names', async () => {
    const first = await ensureLocalCertificates(dir, names, start);
    const again = await ensureLocalCertificates(dir, names, new Date(start.getTime() + 10 * DAY_MS));
    expect(again.outcome).toBe('kept');
    expect(again.certPem).toBe(first.certPem);
    expect(again.keyPem).toBe(first.keyPem);
  });

  it('renews the certificate before it ends, with the same CA', async () => {
    const first = await ensureLocalCertificates(dir, names, start);
    const late = new Date(first.notAfter.getTime() - (RENEW_BEFORE_DAYS - 1) * DAY_MS);
    const renewed = await ensureLocalCertificates(dir, names, late);
    expect(renewed.outcome).toBe('renewed');
    expect(renewed.caFingerprint).toBe(first.caFingerprint);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    expect(leaf(renewed.certPem).serialNumber).not.toBe(leaf(first.certPem).serialNumber);
    expect(leaf(renewed.certPem).checkIssued(new X509Certificate(first.caPem))).toBe(true);
  });

  it('issues a new certificate when a new address appears, with the same CA', async () => {
    const first = await ensureLocalCertificates(dir, names, start);
    const moved = { ...names, ips: [...names.ips, '10.0.0.7'] };
    const reissued = await ensureLocalCertificates(dir, moved, new Date(start.getTime() + DAY_MS));
    expect(reissued.outcome).toBe('reissued');
    expect(reissued.caFingerprint).toBe(first.caFingerprint);
    expect(leaf(reissued.certPem).checkIP('10.0.0.7')).toBe('10.0.0.7');
  });
});

describe('tlsNames', () => {
  it("names the machine, localhost, every interface's addresses but link-local IPv6, and the configured hosts", () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4' }, { address: '::1', family: 'IPv6' }],
      eth0: [{ address: '192.168.1.20', family: 'IPv4' }, { address: 'fe80::1', family: 'IPv6' }, { address: 'fd00::20', family: 'IPv6' }],
    } as unknown as NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
    expect(tlsNames({ PARLEY_PUBLIC_URL: 'https://chat.example.lan', PARLEY_ALLOWED_HOSTS: ['parley', '10.1.1.1', '*'] }, 'Office-PC', interfaces)).toEqual({
      dns: ['office-pc', 'office-pc.local', 'localhost', 'parley', 'chat.example.lan'],
      ips: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20', '10.1.1.1'],
    });
  });
});
