import { DEFAULT_PERMISSIONS } from '@parley/contract';
import { validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(validateEnv({})).toMatchObject({
      PARLEY_HOST: '0.0.0.0',
      PARLEY_PORT: 8080,
      PARLEY_SQLITE_PATH: './data/parley.sqlite',
      PARLEY_SQLITE_DURABILITY: 'full',
      PARLEY_AUTH: 'password',
      PARLEY_MAX_MESSAGE_BYTES: 16384,
      PARLEY_PERMISSIONS: DEFAULT_PERMISSIONS,
      PARLEY_COOKIE_SECURE: false,
      PARLEY_SHUTDOWN_TIMEOUT_MS: 10_000,
      PARLEY_READ_PAGE_BYTES: 256 * 1024,
      PARLEY_READS_IN_FLIGHT: 2,
      PARLEY_SOCKET_MAX_BUFFERED_BYTES: 8 * 1024 * 1024,
      PARLEY_BACKUP_BEFORE_UPGRADE: true,
    });
    expect(validateEnv({}).PARLEY_BACKUP_DIR).toBeUndefined();
    expect(validateEnv({ PARLEY_BACKUP_BEFORE_UPGRADE: 'off' }).PARLEY_BACKUP_BEFORE_UPGRADE).toBe(false);
  });

  it('refuses an output bound that one page or one message could fill', () => {
    expect(() => validateEnv({ PARLEY_SOCKET_MAX_BUFFERED_BYTES: String(256 * 1024) })).toThrow(
      /PARLEY_SOCKET_MAX_BUFFERED_BYTES: must be at least twice PARLEY_READ_PAGE_BYTES/,
    );
    expect(validateEnv({ PARLEY_SOCKET_MAX_BUFFERED_BYTES: String(64 * 1024), PARLEY_READ_PAGE_BYTES: String(16 * 1024) }).PARLEY_SOCKET_MAX_BUFFERED_BYTES).toBe(64 * 1024);
  });

  it.each([
    ['PARLEY_PORT', 'eighty'],
    ['PARLEY_PORT', '70000'],
    ['PARLEY_AUTH', 'none'],
    ['PARLEY_SQLITE_DURABILITY', 'normal'],
    ['PARLEY_ADMIN_PASSWORD', 'short'],
    ['PARLEY_DATABASE_URL', 'mysql://x'],
    ['PARLEY_MAX_MESSAGE_BYTES', '0'],
    ['PARLEY_SHUTDOWN_TIMEOUT_MS', '50'],
    ['PARLEY_SHUTDOWN_TIMEOUT_MS', 'soon'],
    ['PARLEY_PERMISSIONS', '{not json'],
    ['PARLEY_PERMISSIONS', '{"admin":{"groups":["all"],"users":[]}}'],
    ['PARLEY_METRICS_PORT', 'ninety'],
    ['PARLEY_METRICS_PORT', '8080'],
    ['PARLEY_METRICS_HOST', '127.0.0.1'],
    ['PARLEY_EXTENSIONS', 'filter.mjs,filter.ts'],
    ['PARLEY_BACKUP_BEFORE_UPGRADE', 'yes'],
  ])('names %s when it is %p', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`Invalid configuration:\\n.*${name}`));
  });

  it('reads PARLEY_EXTENSIONS as a list of module files in order, none when unset', () => {
    expect(validateEnv({}).PARLEY_EXTENSIONS).toEqual([]);
    expect(validateEnv({ PARLEY_EXTENSIONS: ' b.mjs, /etc/parley/a.js ,,' }).PARLEY_EXTENSIONS).toEqual(['b.mjs', '/etc/parley/a.js']);
  });

  describe('company directory and single sign-on', () => {
    const ldap = { PARLEY_LDAP_URL: 'ldaps://dc1.example.lan', PARLEY_LDAP_SEARCH_BASE: 'dc=example,dc=lan', PARLEY_LDAP_STAFF_GROUP: 'cn=staff,dc=example,dc=lan' };
    const oidc = { PARLEY_OIDC_ISSUER: 'https://sso.example.lan/realms/office', PARLEY_OIDC_CLIENT_ID: 'parley', PARLEY_OIDC_STAFF_GROUP: 'staff' };

    it('takes a complete LDAP setting, with the documented defaults', () => {
      expect(validateEnv(ldap)).toMatchObject({ ...ldap, PARLEY_LDAP_USER_FILTER: '(uid={username})', PARLEY_LDAP_DISPLAY_NAME_ATTRIBUTE: 'displayName', PARLEY_LDAP_SYNC_SECONDS: 300, PARLEY_LDAP_STARTTLS: false });
      expect(validateEnv({ PARLEY_LDAP_URL: '' }).PARLEY_LDAP_URL).toBeUndefined();
    });

    it.each([
      [{ ...ldap, PARLEY_LDAP_URL: 'http://dc1' }, 'PARLEY_LDAP_URL'],
      [{ ...ldap, PARLEY_LDAP_SEARCH_BASE: undefined }, 'PARLEY_LDAP_SEARCH_BASE'],
      [{ ...ldap, PARLEY_LDAP_STAFF_GROUP: undefined }, 'PARLEY_LDAP_STAFF_GROUP'],
      [{ ...ldap, PARLEY_LDAP_USER_FILTER: '(uid=everyone)' }, 'PARLEY_LDAP_USER_FILTER'],
      [{ ...ldap, PARLEY_LDAP_USER_FILTER: 'uid={username}' }, 'PARLEY_LDAP_USER_FILTER'],
      [{ ...ldap, PARLEY_LDAP_BIND_DN: 'cn=parley,dc=example,dc=lan' }, 'PARLEY_LDAP_BIND_PASSWORD'],
      [{ ...ldap, PARLEY_LDAP_STARTTLS: 'true' }, 'PARLEY_LDAP_STARTTLS'],
      [{ ...oidc, PARLEY_OIDC_CLIENT_ID: undefined }, 'PARLEY_OIDC_CLIENT_ID'],
      [{ ...oidc, PARLEY_OIDC_STAFF_GROUP: undefined }, 'PARLEY_OIDC_STAFF_GROUP'],
      [{ ...oidc, PARLEY_OIDC_SCOPES: 'profile email' }, 'PARLEY_OIDC_SCOPES'],
      [{ ...oidc, PARLEY_OIDC_ISSUER: 'ftp://sso' }, 'PARLEY_OIDC_ISSUER'],
      [{ PARLEY_TLS: 'yes' }, 'PARLEY_TLS'],
      [{ PARLEY_TLS: 'auto', PARLEY_TLS_CERT: 'cert.pem', PARLEY_TLS_KEY: 'key.pem' }, 'PARLEY_TLS'],
    ])('names the setting that is wrong or missing (%#)', (env, name) => {
      expect(() => validateEnv(env)).toThrow(new RegExp(`Invalid configuration:\\n(.*\\n)*.*${name}`));
    });
  });

  it('serves metrics on a second port only when PARLEY_METRICS_PORT is set (an empty value is unset)', () => {
    expect(validateEnv({}).PARLEY_METRICS_PORT).toBeUndefined();
    expect(validateEnv({ PARLEY_METRICS_PORT: '' }).PARLEY_METRICS_PORT).toBeUndefined();
    expect(validateEnv({ PARLEY_METRICS_PORT: '9464', PARLEY_METRICS_HOST: '127.0.0.1' })).toMatchObject({
      PARLEY_METRICS_PORT: 9464,
      PARLEY_METRICS_HOST: '127.0.0.1',
    });
  });

  it('takes a replacement permission table as JSON', () => {
    const table = {
      admin: { groups: ['admin'], users: ['admin'] },
      staff: { groups: ['staff'], users: [] },
      client: { groups: ['client'], users: [], reads: ['staff'], createChannels: true, joinChannels: true },
    };
    expect(validateEnv({ PARLEY_PERMISSIONS: JSON.stringify(table) }).PARLEY_PERMISSIONS).toEqual({
      // A table written before supervision and channels gets the default row's values for them.
      admin: { ...table.admin, reads: ['staff', 'client'], createChannels: true, joinChannels: true },
      staff: { ...table.staff, reads: ['client'], createChannels: true, joinChannels: true },
      client: table.client,
    });
  });
});
