// @peculiar/x509 wires itself with tsyringe, which needs the Reflect metadata API (Nest loads it
// too; this file also runs without Nest, in specs and before the app is built).
import 'reflect-metadata';
import { randomBytes, webcrypto, X509Certificate as NodeCertificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 signs through WebCrypto; Node's is the real one. Its parameter is the DOM's
// Crypto type, which the server's build (no DOM library) cannot name: hence the cast.
x509.cryptoProvider.set(webcrypto as never);
const subtle = webcrypto.subtle;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256 with SHA-256: small, fast, and accepted by every browser and OS trust store. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

const DAY_MS = 24 * 3600 * 1000;
/** The CA lasts long: every device that trusted it would have to trust a new one. */
const CA_DAYS = 20 * 365;
/**
 * Apple's platforms refuse TLS certificates valid for more than 825 days even from a CA the
 * user installed, and browsers cap public ones at 398: 397 stays under every limit.
 */
const SERVER_DAYS = 397;
/** Renewed when fewer days than this remain. */
export const RENEW_BEFORE_DAYS = 30;

/** What the certificate names: host names and IP addresses (subjectAltName). */
export interface TlsNames {
  dns: string[];
  ips: string[];
}

export interface LocalCertificates {
  /** The CA certificate people install (PEM), and its SHA-256 fingerprint (AA:BB:…). */
  caPem: string;
  caFingerprint: string;
  /** The server's certificate followed by the CA's, and its key (PEM). */
  certPem: string;
  keyPem: string;
  notAfter: Date;
  /** What this call did: made the CA and the certificate, kept them, or made a new certificate. */
  outcome: 'created' | 'kept' | 'renewed' | 'reissued';
}

const FILES = { caKey: 'ca.key', caCert: 'ca.crt', key: 'server.key', cert: 'server.crt' } as const;

/**
 * PARLEY_TLS=auto's certificates in `dir` (mode 0700, keys 0600): the local certificate
 * authority, made once, and a certificate for `names` signed by it, made again when it nears
 * its end (RENEW_BEFORE_DAYS) or when a name or address it lacks appears. Idempotent: calling
 * it again with the same names reads the files and changes nothing.
 */
export async function ensureLocalCertificates(dir: string, names: TlsNames, now = new Date()): Promise<LocalCertificates> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = (file: string) => join(dir, file);

  let ca = existsSync(path(FILES.caKey)) && existsSync(path(FILES.caCert)) ? await loadPair(path(FILES.caCert), path(FILES.caKey)) : null;
  let created = false;
  if (!ca || ca.certificate.notAfter.getTime() <= now.getTime()) {
    ca = await createAuthority(now);
    await savePair(ca, path(FILES.caCert), path(FILES.caKey));
    created = true;
  }

  const wanted = normalizeNames(names);
  const current = !created && existsSync(path(FILES.cert)) && existsSync(path(FILES.key)) ? await loadPair(path(FILES.cert), path(FILES.key)) : null;
  let outcome: LocalCertificates['outcome'] = 'kept';
  let server = current;
  if (created || !current || !issuedBy(current.certificate, ca.certificate)) {
    outcome = created ? 'created' : 'reissued';
  } else if (!covers(current.certificate, wanted)) {
    outcome = 'reissued';
  } else if (current.certificate.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) {
    outcome = 'renewed';
  }
  if (outcome !== 'kept' || !server) {
    server = await issueServerCertificate(ca, wanted, now);
    await savePair(server, path(FILES.cert), path(FILES.key));
  }

  const caPem = ca.certificate.toString('pem');
  return {
    caPem,
    caFingerprint: new NodeCertificate(caPem).fingerprint256,
    certPem: `${server.certificate.toString('pem')}\n${caPem}\n`,
    keyPem: readFileSync(path(FILES.key), 'utf8'),
    notAfter: server.certificate.notAfter,
    outcome,
  };
}

interface Pair {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function createAuthority(now: Date): Promise<Pair> {
  const keys = (await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Parley local CA (${hostname()}), O=Parley`,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

async function issueServerCertificate(ca: Pair, names: TlsNames, now: Date): Promise<Pair> {
  const keys = (await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${names.dns[0] ?? names.ips[0] ?? 'parley'}, O=Parley`,
    issuer: ca.certificate.subject,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate, keys };
}

/** A positive 16-byte serial (the top bit clear: DER would otherwise read it as negative). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

async function loadPair(certFile: string, keyFile: string): Promise<Pair> {
  const certificate = new x509.X509Certificate(readFileSync(certFile, 'utf8').split(/(?<=-----END CERTIFICATE-----)/)[0]);
  const der = x509.PemConverter.decodeFirst(readFileSync(keyFile, 'utf8'));
  const privateKey = await subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
  const publicKey = await certificate.publicKey.export(KEY_ALGORITHM, ['verify']);
  return { certificate, keys: { privateKey, publicKey } };
}

/** Key first, then certificate, each written whole (a temp file renamed), the key 0600. */
async function savePair(pair: Pair, certFile: string, keyFile: string): Promise<void> {
  const keyPem = x509.PemConverter.encode(await subtle.exportKey('pkcs8', pair.keys.privateKey), 'PRIVATE KEY');
  writeWhole(keyFile, keyPem, 0o600);
  writeWhole(certFile, pair.certificate.toString('pem'), 0o644);
}

function writeWhole(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${text.trim()}\n`, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}

function issuedBy(certificate: x509.X509Certificate, ca: x509.X509Certificate): boolean {
  return new NodeCertificate(certificate.toString('pem')).checkIssued(new NodeCertificate(ca.toString('pem')));
}

/** Whether the certificate names every wanted name and address. */
function covers(certificate: x509.X509Certificate, wanted: TlsNames): boolean {
  const has = namesOf(certificate);
  return wanted.dns.every((name) => has.dns.includes(name)) && wanted.ips.every((ip) => has.ips.includes(ip));
}

export function namesOf(certificate: x509.X509Certificate | string): TlsNames {
  const parsed = typeof certificate === 'string' ? new x509.X509Certificate(certificate) : certificate;
  const items = parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  return normalizeNames({
    dns: items.filter((item) => item.type === 'dns').map((item) => item.value),
    ips: items.filter((item) => item.type === 'ip').map((item) => item.value),
  });
}

/** Lower-case names, IPv6 in its short form, no duplicates: comparable sets. */
export function normalizeNames(names: TlsNames): TlsNames {
  const ip = (value: string) => (value.includes(':') ? new URL(`http://[${value}]`).hostname.slice(1, -1) : value);
  return {
    dns: [...new Set(names.dns.map((name) => name.toLowerCase()))],
    ips: [...new Set(names.ips.map(ip))],
  };
}
