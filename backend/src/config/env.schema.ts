import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_PERMISSIONS, type PermissionTable, type Role, ROLES } from '@parley/contract';

const roleList = z.array(z.enum(ROLES));
/**
 * One role's row. `reads`, `createChannels` and `joinChannels` came later: a table written
 * before them keeps working and gets the default row's values for that role.
 */
const rolePermissionsSchema = (role: Role) =>
  z.strictObject({
    groups: roleList,
    users: roleList,
    reads: roleList.default([...DEFAULT_PERMISSIONS[role].reads]),
    createChannels: z.boolean().default(DEFAULT_PERMISSIONS[role].createChannels),
    joinChannels: z.boolean().default(DEFAULT_PERMISSIONS[role].joinChannels),
  });
const permissionTableSchema = z.strictObject({
  admin: rolePermissionsSchema('admin'),
  staff: rolePermissionsSchema('staff'),
  client: rolePermissionsSchema('client'),
});

/** PARLEY_WEBHOOK_ALLOWED_HOSTS entries: a host name, an IP address, or an address/prefix. */
function isAllowedHostEntry(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined) return false;
  if (prefix !== undefined) {
    const version = isIP(address);
    return version !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
  }
  return isIP(address) !== 0 || /^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/.test(address);
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting Parley reads, validated once at start. An invalid value stops the server with
 * a message naming the variable, rather than misbehaving later.
 */
export const envSchema = z.object({
  PARLEY_HOST: z.string().min(1).default('0.0.0.0'),
  PARLEY_PORT: int(0, 65535).default(8080),
  /** SQLite file; its folder is created on start. */
  PARLEY_SQLITE_PATH: z.string().min(1).default('./data/parley.sqlite'),
  /**
   * full: every acknowledged message is fsynced. survive-process-crash-only: faster commits
   * (synchronous=NORMAL) that survive Parley being killed but not a power cut or OS crash.
   */
  PARLEY_SQLITE_DURABILITY: z.enum(['full', 'survive-process-crash-only']).default('full'),
  /** postgres://... to store everything in PostgreSQL instead of the SQLite file. */
  PARLEY_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** PostgreSQL schema to use (created if missing). */
  PARLEY_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('public'),
  /**
   * Minutes after sending during which people may edit or delete their own messages (default
   * 15). 0: never. Empty or `always`: no limit. Admins delete any message at any time.
   */
  PARLEY_EDIT_WINDOW_MINUTES: z.preprocess(
    (raw) => (raw === '' || raw === 'always' ? null : raw),
    z.union([z.null(), int(0, 100 * 365 * 24 * 60)]).default(15),
  ),
  /** Read receipts ("Seen", "Seen by N"); `false` turns them off for everyone. */
  PARLEY_READ_RECEIPTS: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /**
   * Days messages are kept; older ones are removed (text, reactions and all) by a background
   * job. Unset: kept forever. Admins can override it per conversation.
   */
  PARLEY_RETENTION_DAYS: z.preprocess((raw) => (raw === '' ? undefined : raw), int(1, 100 * 365).optional()),
  /** How often the retention job runs, in seconds (default hourly). */
  PARLEY_RETENTION_INTERVAL_SECONDS: int(1, 7 * 24 * 3600).default(3600),
  /**
   * Uploaded files, content-addressed (mode 0600). Default: `files` beside the SQLite file
   * (./data/files). Several nodes must share it (a network mount): docs/architecture.md, "Files".
   */
  PARLEY_FILES_DIR: z.string().min(1).optional(),
  /**
   * `on` (default): before migrating an existing database to a newer schema, Parley writes a
   * backup of it into PARLEY_BACKUP_DIR (docs/upgrading.md). `off`: upgrade without one.
   */
  PARLEY_BACKUP_BEFORE_UPGRADE: z.enum(['on', 'off']).default('on').transform((value) => value === 'on'),
  /** Where backups go. Default: `backups` beside the SQLite file (./data/backups), also on PostgreSQL. */
  PARLEY_BACKUP_DIR: z.string().min(1).optional(),
  /** Largest upload in bytes (default 100 MB = 100,000,000 bytes). */
  PARLEY_FILES_MAX_BYTES: int(1, 1024 ** 4).default(100_000_000),
  /** Bytes of files one person may have stored, attached or not (default 1 GB); 0: no limit. */
  PARLEY_FILES_QUOTA_BYTES: int(0, 1024 ** 5).default(1_000_000_000),
  /**
   * Types people may upload, comma-separated: `image/png`, `image/*`, `application/pdf`, or
   * `*` (default: any; every file is served as a download, images shown inline, none can run).
   */
  PARLEY_FILES_ALLOWED_TYPES: z
    .string()
    .regex(/^\s*(\*|[\w.+-]+\/(\*|[\w.+-]+))(\s*,\s*(\*|[\w.+-]+\/(\*|[\w.+-]+)))*\s*$/, 'a comma-separated list of types such as image/*, application/pdf, or *')
    .default('*')
    .transform((raw) => raw.split(',').map((type) => type.trim().toLowerCase())),
  /** Keep images' EXIF/XMP metadata (camera, location) as uploaded: `true`. Default: removed. */
  PARLEY_FILES_KEEP_IMAGE_METADATA: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Hours an upload never attached to a message is kept (default 24). */
  PARLEY_FILES_UNATTACHED_HOURS: int(1, 24 * 365).default(24),
  /** 'password' (default): every socket must sign in. 'open': trusted LAN, prototype-style. */
  PARLEY_AUTH: z.enum(['password', 'open']).default('password'),
  PARLEY_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  PARLEY_SESSION_TTL_HOURS: int(1, 24 * 365).default(24 * 30),
  PARLEY_MAX_MESSAGE_BYTES: int(1, 1024 * 1024).default(16 * 1024),
  /** Coalescing window for roster updates to admins. */
  PARLEY_ROSTER_INTERVAL_MS: int(0, 10_000).default(100),
  /** JSON permission table replacing the default one (see docs/architecture.md). */
  PARLEY_PERMISSIONS: z
    .string()
    .optional()
    .transform((raw, ctx): PermissionTable => {
      if (raw === undefined || raw.trim() === '') return DEFAULT_PERMISSIONS;
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
      const result = permissionTableSchema.safeParse(parsed);
      if (!result.success) {
        ctx.addIssue({ code: 'custom', message: z.prettifyError(result.error) });
        return z.NEVER;
      }
      return result.data;
    }),
  /**
   * How long a before-store message hook may take (default 5 s). It runs in the sender's lane, so
   * a hook that never answers would otherwise hold that sender's messages, unacknowledged, for ever.
   */
  PARLEY_HOOK_TIMEOUT_MS: int(1, 600_000).default(5_000),
  /**
   * Extension modules loaded at start, comma-separated paths to ES module files (relative to
   * the working folder, or absolute); their hooks run in this order. See docs/extensions.md.
   */
  PARLEY_EXTENSIONS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((file) => file.trim()).filter((file) => file.length > 0))
    .pipe(z.array(z.string().regex(/\.m?js$/, 'module files (.mjs, or .js in an ES module package)'))),
  /**
   * Web origins (besides Parley's own) whose pages may open a socket, comma-separated, e.g.
   * prototype pages hosted elsewhere; 'null' admits pages opened from a file.
   */
  PARLEY_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0)),
  /**
   * The address people use to reach Parley when it is not this machine's own name, e.g.
   * https://chat.example.lan behind a proxy. Its host joins the names Parley answers to (a
   * request naming another host is refused, against DNS rebinding) and its origin may write.
   */
  PARLEY_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  /**
   * More host names Parley answers to, comma-separated (besides localhost, IP addresses, this
   * machine's name and PARLEY_PUBLIC_URL's host); `*` turns the Host check off. Needed when
   * a proxy or a DNS name other than the machine's own is used to reach Parley.
   */
  PARLEY_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((host) => host.trim().toLowerCase().replace(/\.$/, '')).filter((host) => host.length > 0))
    .pipe(z.array(z.string().regex(/^(\*|[a-z0-9_]([a-z0-9_.-]{0,252}))$/, 'host names (no scheme or port), or *'))),
  /** Set to 'true' when Parley sits behind HTTPS (or a TLS proxy) so cookies are Secure. */
  PARLEY_COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * On SIGTERM/SIGINT, the longest Parley takes to answer what it accepted, close connections
   * and exit; past it the process exits with code 1 anyway.
   */
  PARLEY_SHUTDOWN_TIMEOUT_MS: int(100, 10 * 60_000).default(10_000),
  PARLEY_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /**
   * Socket events each socket may send per second, sustained (token bucket refill rate); a
   * user's sockets together get three times this. Far above what a person types or clicks.
   */
  PARLEY_RATE_LIMIT_PER_SECOND: int(1, 1_000_000).default(20),
  /** Events a socket may send at once before the per-second rate applies. */
  PARLEY_RATE_LIMIT_BURST: int(1, 1_000_000).default(60),
  /** Refused events within about 10 s after which the socket is disconnected. */
  PARLEY_RATE_LIMIT_DISCONNECT_AFTER: int(1, 1_000_000).default(100),
  /**
   * Most serialized bytes of messages in one sync or history answer (default 256 KiB); a page
   * stops early with more: true. One answer is held in memory whole while it is encoded and
   * sent, so this bounds what one read costs. A single larger message is still sent alone.
   */
  PARLEY_READ_PAGE_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
  /**
   * Reads (sync, history, conversations, directory, search) one socket, and one user's sockets
   * together, may have in progress at once; the next gets RATE_LIMITED with retry_after_ms.
   */
  PARLEY_READS_IN_FLIGHT: int(1, 1000).default(2),
  /**
   * Bytes queued for one socket that it has not read yet (engine.io's write buffer plus the
   * WebSocket's unsent bytes) past which it is disconnected, so a client that stops reading
   * cannot make the server hold its answers without limit.
   */
  PARLEY_SOCKET_MAX_BUFFERED_BYTES: int(16 * 1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  /**
   * PARLEY_AUTH=open: new accounts verify_user may create per IP address per minute (names
   * already known still verify). Enough for an office filling up at nine; not for a script
   * minting thousands of accounts.
   */
  PARLEY_OPEN_SIGNUPS_PER_IP_PER_MINUTE: int(1, 1_000_000).default(10),
  /**
   * Sockets one IP address may hold before verify_user succeeds; more are refused at the
   * handshake. Generous because a whole office may share one address behind NAT. The same
   * bound applies, separately, to engine.io connections that have not joined the namespace
   * yet (bare handshakes never reach socket.io middleware): see BareConnectionLimiter.
   */
  PARLEY_UNVERIFIED_SOCKETS_PER_IP: int(1, 1_000_000).default(100),
  /** A socket that has not verified this long after connecting is disconnected (it holds memory and a slot). */
  PARLEY_VERIFY_TIMEOUT_MS: int(100, 24 * 3_600_000).default(30_000),
  /** REST requests per IP address per minute. */
  PARLEY_HTTP_RATE_LIMIT_PER_MINUTE: int(1, 10_000_000).default(600),
  /**
   * Sign-in attempts per user name from one IP address per minute (a success resets it). Per
   * address, so one stranger failing on purpose cannot lock the real user out; also the limit
   * per device cookie, the only one a browser that signed in before is held to.
   */
  PARLEY_LOGIN_LIMIT_PER_USER: int(1, 1_000_000).default(10),
  /**
   * Sign-in attempts per user name per 15 minutes from every address it never signed in from,
   * together: slows guessing spread over many addresses. Addresses the user signed in from
   * before and browsers with their device cookie are exempt, so the real user is not locked out
   * by it; one address counts at most a tenth of it, so no single address can use it up.
   */
  PARLEY_LOGIN_LIMIT_PER_ACCOUNT: int(1, 1_000_000).default(100),
  /** Sign-in attempts per IP address per minute (not counting those with a valid device cookie). */
  PARLEY_LOGIN_LIMIT_PER_IP: int(1, 1_000_000).default(30),
  /**
   * Reverse proxies whose X-Forwarded-For to believe (Express's `trust proxy`): e.g.
   * `loopback`, `10.0.0.5`, `10.0.0.0/8, fd00::/8`. Unset: the connection's own address, so a
   * client cannot pick its address for the rate limits and the audit log.
   */
  PARLEY_TRUST_PROXY: z.string().regex(/^[\w.:/, -]{1,512}$/, 'addresses, subnets or names such as loopback, comma-separated').optional(),
  /**
   * redis://… to run as one of several nodes: socket.io's Redis adapter carries every room
   * broadcast (groups, DMs, typing, kicks) to the sockets on the other nodes.
   */
  PARLEY_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** This node's name on the admins' roster (default: host name and process id). */
  PARLEY_NODE_NAME: z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits, . _ : - (at most 64)').optional(),
  /** How often nodes tell each other they are alive; one silent for 3 of these is dropped from the roster. */
  PARLEY_CLUSTER_HEARTBEAT_MS: int(100, 60_000).default(5_000),
  /** Prefix of Parley's Redis channels, so several Parley clusters can share one Redis. */
  PARLEY_REDIS_PREFIX: z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits, . _ : - (at most 64)').default('parley'),
  /**
   * `auto`: Parley makes its own certificate authority and a certificate for this machine's names
   * and LAN addresses (in `tls` beside the SQLite file), serves HTTPS and WSS, and answers plain
   * http on the same port with a redirect (and the CA and how to trust it at /ca.crt and /trust).
   */
  PARLEY_TLS: z.preprocess((raw) => (raw === '' ? undefined : raw), z.enum(['auto'], { error: 'must be auto (or unset)' }).optional()),
  /** PEM certificate (chain) file: with PARLEY_TLS_KEY, Parley serves HTTPS and WSS on its port. */
  PARLEY_TLS_CERT: z.string().min(1).optional(),
  /** PEM private key file for PARLEY_TLS_CERT. */
  PARLEY_TLS_KEY: z.string().min(1).optional(),
  /**
   * A second port serving only GET /metrics, without authentication, for a Prometheus that
   * cannot sign in. Unset: metrics only on the main port, for admins.
   */
  PARLEY_METRICS_PORT: z.preprocess((raw) => (raw === '' ? undefined : raw), int(0, 65535).optional()),
  /** Interface for PARLEY_METRICS_PORT (e.g. 127.0.0.1); defaults to PARLEY_HOST. */
  PARLEY_METRICS_HOST: z.string().min(1).optional(),
  // ---- Outgoing webhooks; README "Integrations" ----
  /**
   * Where outgoing webhooks may deliver, comma-separated: host names (exact), IP addresses and
   * CIDR ranges (10.0.0.0/8, fd00::/8). Empty (the default): no webhook can be registered.
   * Checked when a webhook is saved and again at every delivery, on the address the name
   * resolved to (docs/security.md, "Outgoing webhooks").
   */
  PARLEY_WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((entry) => entry.trim().toLowerCase().replace(/\.$/, '')).filter((entry) => entry.length > 0))
    .pipe(z.array(z.string().refine(isAllowedHostEntry, 'host names, IP addresses or CIDR ranges such as 10.0.0.0/8'))),
  /** The first retry of a failed delivery waits this long; each next one twice as long, at most an hour. */
  PARLEY_WEBHOOK_RETRY_BASE_MS: int(10, 3_600_000).default(10_000),
  /** Attempts per delivery before it is marked failed (default 12: about three hours of retries). */
  PARLEY_WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(12),
  /** How long one delivery attempt may take, connection to answer, before it counts as failed. */
  PARLEY_WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  // ---- Company directory (LDAP / Active Directory); README "Company directory" ----
  /** ldap://host[:port] or ldaps://host[:port]. Unset: no directory sign-in. */
  PARLEY_LDAP_URL: z.preprocess(
    (raw) => (raw === '' ? undefined : raw),
    z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]').optional(),
  ),
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  PARLEY_LDAP_STARTTLS: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** PEM file of the CA that signed the directory's certificate (ldaps:// or StartTLS); default: the system's. */
  PARLEY_LDAP_CA_FILE: z.string().min(1).optional(),
  /** The service account Parley searches with; unset: an anonymous search. */
  PARLEY_LDAP_BIND_DN: z.string().min(1).optional(),
  PARLEY_LDAP_BIND_PASSWORD: z.string().min(1).optional(),
  /** Where people are found, e.g. ou=people,dc=example,dc=com. */
  PARLEY_LDAP_SEARCH_BASE: z.string().min(1).optional(),
  /** Finds one person by the name typed at sign-in; {username} is replaced (escaped). AD: (sAMAccountName={username}). */
  PARLEY_LDAP_USER_FILTER: z
    .string()
    .refine((filter) => filter.includes('{username}'), 'must contain {username}')
    .refine((filter) => filter.startsWith('(') && filter.endsWith(')'), 'must be an LDAP filter in parentheses')
    .default('(uid={username})'),
  /** Group DNs whose members are admins, staff or clients (memberOf or the group's member); the first that matches in that order wins. */
  PARLEY_LDAP_ADMIN_GROUP: z.string().min(1).optional(),
  PARLEY_LDAP_STAFF_GROUP: z.string().min(1).optional(),
  PARLEY_LDAP_CLIENT_GROUP: z.string().min(1).optional(),
  /** The attribute shown as a person's name (cn when the entry has none). */
  PARLEY_LDAP_DISPLAY_NAME_ATTRIBUTE: z.string().regex(/^[A-Za-z][\w-]*$/, 'must be an attribute name').default('displayName'),
  /** How often directory accounts are checked against the directory (removed, other groups), in seconds. */
  PARLEY_LDAP_SYNC_SECONDS: int(1, 7 * 24 * 3600).default(300),
  // ---- Single sign-on (OpenID Connect); README "Company directory" ----
  /** The provider's issuer URL (its /.well-known/openid-configuration is read at start). Unset: no single sign-on. */
  PARLEY_OIDC_ISSUER: z.preprocess(
    (raw) => (raw === '' ? undefined : raw),
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ),
  PARLEY_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Unset: a public client (PKCE only). */
  PARLEY_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Shown as "Sign in with <name>" on the sign-in page. */
  PARLEY_OIDC_NAME: z.string().trim().min(1).max(64).default('single sign-on'),
  /** Scopes asked for, space-separated; add the one your provider needs for the role claim (often `groups`). */
  PARLEY_OIDC_SCOPES: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be scopes separated by single spaces')
    .refine((scopes) => scopes.split(' ').includes('openid'), 'must include openid')
    .default('openid profile'),
  /** The claim that becomes the Parley user name. */
  PARLEY_OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  /** The claim (a string or a list) holding the groups or roles that PARLEY_OIDC_*_GROUP match. */
  PARLEY_OIDC_ROLE_CLAIM: z.string().min(1).default('groups'),
  PARLEY_OIDC_ADMIN_GROUP: z.string().min(1).optional(),
  PARLEY_OIDC_STAFF_GROUP: z.string().min(1).optional(),
  PARLEY_OIDC_CLIENT_GROUP: z.string().min(1).optional(),
}).superRefine((env, ctx) => {
  if (env.PARLEY_LDAP_URL !== undefined) {
    if (env.PARLEY_LDAP_SEARCH_BASE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['PARLEY_LDAP_SEARCH_BASE'], message: 'is needed with PARLEY_LDAP_URL' });
    }
    if (!env.PARLEY_LDAP_ADMIN_GROUP && !env.PARLEY_LDAP_STAFF_GROUP && !env.PARLEY_LDAP_CLIENT_GROUP) {
      ctx.addIssue({ code: 'custom', path: ['PARLEY_LDAP_STAFF_GROUP'], message: 'set at least one of PARLEY_LDAP_ADMIN_GROUP, PARLEY_LDAP_STAFF_GROUP, PARLEY_LDAP_CLIENT_GROUP: nobody in no group may sign in' });
    }
    if ((env.PARLEY_LDAP_BIND_DN === undefined) !== (env.PARLEY_LDAP_BIND_PASSWORD === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['PARLEY_LDAP_BIND_PASSWORD'], message: 'set both PARLEY_LDAP_BIND_DN and PARLEY_LDAP_BIND_PASSWORD, or neither' });
    }
    if (env.PARLEY_LDAP_STARTTLS && env.PARLEY_LDAP_URL.startsWith('ldaps:')) {
      ctx.addIssue({ code: 'custom', path: ['PARLEY_LDAP_STARTTLS'], message: 'is for ldap:// URLs; ldaps:// is encrypted already' });
    }
  }
  if (env.PARLEY_OIDC_ISSUER !== undefined) {
    if (env.PARLEY_OIDC_CLIENT_ID === undefined) {
      ctx.addIssue({ code: 'custom', path: ['PARLEY_OIDC_CLIENT_ID'], message: 'is needed with PARLEY_OIDC_ISSUER' });
    }
    if (!env.PARLEY_OIDC_ADMIN_GROUP && !env.PARLEY_OIDC_STAFF_GROUP && !env.PARLEY_OIDC_CLIENT_GROUP) {
      ctx.addIssue({ code: 'custom', path: ['PARLEY_OIDC_STAFF_GROUP'], message: 'set at least one of PARLEY_OIDC_ADMIN_GROUP, PARLEY_OIDC_STAFF_GROUP, PARLEY_OIDC_CLIENT_GROUP: nobody without a mapped group may sign in' });
    }
  }
  if (env.PARLEY_TLS === 'auto' && env.PARLEY_TLS_CERT !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['PARLEY_TLS'], message: 'auto makes its own certificate: unset it, or unset PARLEY_TLS_CERT and PARLEY_TLS_KEY' });
  }
  if ((env.PARLEY_TLS_CERT === undefined) !== (env.PARLEY_TLS_KEY === undefined)) {
    const missing = env.PARLEY_TLS_CERT === undefined ? 'PARLEY_TLS_CERT' : 'PARLEY_TLS_KEY';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'set both PARLEY_TLS_CERT and PARLEY_TLS_KEY, or neither' });
  }
  // One read answer or one message must fit, twice, or every client would be cut off.
  const largestAnswer = Math.max(env.PARLEY_READ_PAGE_BYTES, env.PARLEY_MAX_MESSAGE_BYTES);
  if (env.PARLEY_SOCKET_MAX_BUFFERED_BYTES < 2 * largestAnswer) {
    ctx.addIssue({
      code: 'custom',
      path: ['PARLEY_SOCKET_MAX_BUFFERED_BYTES'],
      message: `must be at least twice PARLEY_READ_PAGE_BYTES and PARLEY_MAX_MESSAGE_BYTES (${2 * largestAnswer})`,
    });
  }
  if (env.PARLEY_METRICS_HOST !== undefined && env.PARLEY_METRICS_PORT === undefined) {
    ctx.addIssue({ code: 'custom', path: ['PARLEY_METRICS_HOST'], message: 'has no effect without PARLEY_METRICS_PORT' });
  }
  if (env.PARLEY_METRICS_PORT !== undefined && env.PARLEY_METRICS_PORT !== 0 && env.PARLEY_METRICS_PORT === env.PARLEY_PORT) {
    ctx.addIssue({ code: 'custom', path: ['PARLEY_METRICS_PORT'], message: 'must differ from PARLEY_PORT' });
  }
});

export type Env = z.infer<typeof envSchema>;

/** ConfigModule's validate hook: returns typed values or throws one readable error. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const result = envSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`,
  );
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}
