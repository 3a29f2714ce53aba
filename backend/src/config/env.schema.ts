import { z } from 'zod';
import { DEFAULT_PERMISSIONS, type PermissionTable } from '../contract/permissions';
import { ROLES } from '../contract/roles';

const roleList = z.array(z.enum(ROLES));
const permissionTableSchema = z.strictObject({
  admin: z.strictObject({ groups: roleList, users: roleList }),
  staff: z.strictObject({ groups: roleList, users: roleList }),
  client: z.strictObject({ groups: roleList, users: roleList }),
});

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
   * Web origins (besides Parley's own) whose pages may open a socket, comma-separated, e.g.
   * prototype pages hosted elsewhere; 'null' admits pages opened from a file.
   */
  PARLEY_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0)),
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
