import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Change, Attribute } from 'ldapts';

/**
 * A real OpenLDAP (Debian's slapd, installed by test/support/ensure-slapd.sh) in a temporary
 * folder on a free 127.0.0.1 port, with the memberof overlay so that people carry `memberOf`
 * as in Active Directory, seeded with:
 * - groups parley-admins, parley-staff, parley-clients (groupOfNames, `member`);
 * - ann (admins), sam (staff), cleo (clients), nora (no group), each with the password
 *   `<name>-directory-password` and a displayName.
 */
export const LDAP_BASE = 'dc=parley,dc=test';
export const LDAP_ROOT_DN = `cn=admin,${LDAP_BASE}`;
export const LDAP_ROOT_PASSWORD = 'root-secret';
export const LDAP_PEOPLE = `ou=people,${LDAP_BASE}`;
export const LDAP_GROUPS = `ou=groups,${LDAP_BASE}`;
export const ldapGroup = (name: 'parley-admins' | 'parley-staff' | 'parley-clients') => `cn=${name},${LDAP_GROUPS}`;
export const ldapPerson = (uid: string) => `uid=${uid},${LDAP_PEOPLE}`;
export const directoryPassword = (uid: string) => `${uid}-directory-password`;

/** The Parley settings that point at this directory (bound as the root DN, read-only use). */
export function ldapEnv(directory: LdapTestServer, sync = '3600'): Record<string, string> {
  return {
    PARLEY_LDAP_URL: directory.url,
    PARLEY_LDAP_BIND_DN: LDAP_ROOT_DN,
    PARLEY_LDAP_BIND_PASSWORD: LDAP_ROOT_PASSWORD,
    PARLEY_LDAP_SEARCH_BASE: LDAP_PEOPLE,
    PARLEY_LDAP_ADMIN_GROUP: ldapGroup('parley-admins'),
    PARLEY_LDAP_STAFF_GROUP: ldapGroup('parley-staff'),
    PARLEY_LDAP_CLIENT_GROUP: ldapGroup('parley-clients'),
    PARLEY_LDAP_SYNC_SECONDS: sync,
  };
}

export interface LdapTestServer {
  url: string;
  /** With `tls: true`: ldaps:// on its own port, and the PEM file of the CA that signed slapd's certificate. */
  ldapsUrl?: string;
  caFile?: string;
  /** A client bound as the directory's root, for changing it during a test. */
  admin(): Promise<Client>;
  addPerson(uid: string, displayName: string, groups: Array<Parameters<typeof ldapGroup>[0]>): Promise<void>;
  removeFromGroup(uid: string, group: Parameters<typeof ldapGroup>[0]): Promise<void>;
  addToGroup(uid: string, group: Parameters<typeof ldapGroup>[0]): Promise<void>;
  deletePerson(uid: string): Promise<void>;
  /** Stops slapd (the directory is down) until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops slapd and removes its folder. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const SLAPD = '/usr/sbin/slapd';

/**
 * `memberOf: false` leaves the memberof overlay out, as a plain OpenLDAP: membership is then only
 * in the groups' `member` lists.
 */
export async function startLdap({ memberOf = true, tls = false }: { memberOf?: boolean; tls?: boolean } = {}): Promise<LdapTestServer> {
  if (!existsSync(SLAPD)) throw new Error('slapd is not installed: run test/support/ensure-slapd.sh (apt-get install slapd ldap-utils)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-ldap-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;
  const caFile = join(dir, 'ca.pem');
  if (tls) makeCertificates(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      ...(tls
        ? [`TLSCACertificateFile ${caFile}`, `TLSCertificateFile ${join(dir, 'server.pem')}`, `TLSCertificateKeyFile ${join(dir, 'server.key')}`]
        : []),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      ...(memberOf ? ['moduleload memberof'] : []),
      `pidfile ${join(dir, 'slapd.pid')}`,
      `argsfile ${join(dir, 'slapd.args')}`,
      'database mdb',
      'maxsize 10485760',
      `suffix "${LDAP_BASE}"`,
      `rootdn "${LDAP_ROOT_DN}"`,
      `rootpw ${LDAP_ROOT_PASSWORD}`,
      `directory ${join(dir, 'db')}`,
      ...(memberOf
        ? ['overlay memberof', 'memberof-group-oc groupOfNames', 'memberof-member-ad member', 'memberof-memberof-ad memberOf', 'memberof-refint TRUE']
        : []),
      // Passwords are for binding only; everything else may be read by a bound client.
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | null = null;
  const start = async () => {
    // -d 0: stay in the foreground (so the test owns the process) without debug output.
    child = spawn(SLAPD, ['-f', conf, '-h', [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' '), '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${stderr}`);
      const probe = new Client({ url, connectTimeout: 500 });
      try {
        await probe.bind(LDAP_ROOT_DN, LDAP_ROOT_PASSWORD);
        await probe.unbind();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`slapd did not answer on ${url}: ${String(error)} ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();

  const admin = async () => {
    const client = new Client({ url });
    await client.bind(LDAP_ROOT_DN, LDAP_ROOT_PASSWORD);
    return client;
  };
  const withAdmin = async (work: (client: Client) => Promise<void>) => {
    const client = await admin();
    try {
      await work(client);
    } finally {
      await client.unbind();
    }
  };

  const server: LdapTestServer = {
    url,
    ...(tls ? { ldapsUrl, caFile } : {}),
    admin,
    addPerson: (uid, displayName, groups) =>
      withAdmin(async (client) => {
        await client.add(ldapPerson(uid), {
          objectClass: ['inetOrgPerson'],
          uid,
          cn: displayName,
          sn: displayName.split(' ').pop() ?? uid,
          displayName,
          userPassword: directoryPassword(uid),
        });
        for (const group of groups) {
          await client.modify(ldapGroup(group), new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [ldapPerson(uid)] }) }));
        }
      }),
    addToGroup: (uid, group) =>
      withAdmin((client) =>
        client.modify(ldapGroup(group), new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [ldapPerson(uid)] }) })),
      ),
    removeFromGroup: (uid, group) =>
      withAdmin((client) =>
        client.modify(ldapGroup(group), new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [ldapPerson(uid)] }) })),
      ),
    deletePerson: (uid) => withAdmin((client) => client.del(ldapPerson(uid))),
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  await withAdmin(async (client) => {
    await client.add(LDAP_BASE, { objectClass: ['dcObject', 'organization'], dc: 'parley', o: 'Parley tests' });
    await client.add(LDAP_PEOPLE, { objectClass: ['organizationalUnit'], ou: 'people' });
    await client.add(LDAP_GROUPS, { objectClass: ['organizationalUnit'], ou: 'groups' });
    // groupOfNames needs a member: the root DN stands in, as directories often do.
    for (const name of ['parley-admins', 'parley-staff', 'parley-clients'] as const) {
      await client.add(ldapGroup(name), { objectClass: ['groupOfNames'], cn: name, member: [LDAP_ROOT_DN] });
    }
  });
  await server.addPerson('ann', 'Ann Admin', ['parley-admins']);
  await server.addPerson('sam', 'Sam Staff', ['parley-staff']);
  await server.addPerson('cleo', 'Cleo Client', ['parley-clients']);
  await server.addPerson('nora', 'Nora Nogroup', []);
  return server;
}

/** A CA and a certificate for 127.0.0.1 signed by it (openssl, in the server's folder). */
function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Parley test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.pem');
}
