import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { Env } from '../config/env.schema';
import { type AuditAction, AuditActions, type AuditEntry } from '@parley/contract';
import { AuditRepository, type AuditQuery } from '../storage/audit.repository';
import type { AuditRow } from '../storage/database.types';

export interface Actor {
  id: number;
  username: string;
}

/** Settings whose values are secret, or carry one (a database URL may hold a password). */
const SECRET_SETTINGS = new Set<keyof Env>(['PARLEY_ADMIN_PASSWORD', 'PARLEY_DATABASE_URL', 'PARLEY_REDIS_URL', 'PARLEY_LDAP_BIND_PASSWORD', 'PARLEY_OIDC_CLIENT_SECRET']);
/** Settings that differ between the nodes of one cluster by design: recorded, not compared. */
const PER_NODE_SETTINGS = new Set<string>(['PARLEY_HOST', 'PARLEY_PORT', 'PARLEY_NODE_NAME', 'PARLEY_METRICS_HOST', 'PARLEY_METRICS_PORT']);

/** The settings as recorded: secrets reduced to whether they are set. */
export function recordableSettings(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = new Set<string>([...Object.keys(env), ...SECRET_SETTINGS]);
  for (const key of [...keys].sort()) {
    const value = env[key as keyof Env];
    out[key] = SECRET_SETTINGS.has(key as keyof Env) ? (value === undefined ? 'unset' : 'set') : (value ?? null);
  }
  return out;
}

/**
 * The audit log of admin actions. Controllers call record() after an action succeeded; a
 * failure to record is logged, never turned into a failed action (the change already happened).
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly repository: AuditRepository,
    private readonly config: AppConfig,
  ) {}

  async record(actor: Actor | null, action: AuditAction, target: string | null, details: Record<string, unknown> = {}, ip: string | null = null): Promise<void> {
    try {
      await this.repository.insert({
        at: Date.now(),
        actor_id: actor?.id ?? null,
        actor_username: actor?.username ?? 'parley',
        action,
        target,
        details: JSON.stringify(details),
        ip,
      });
    } catch (error) {
      this.logger.error(`Could not record ${action} on ${target ?? '-'}: ${String(error)}`);
    }
  }

  async page(query: AuditQuery): Promise<AuditEntry[]> {
    return (await this.repository.page(query)).map(toEntry);
  }

  /** Settings are changed by restarting with new variables: each start compares with the last. */
  async onApplicationBootstrap(): Promise<void> {
    const now = recordableSettings(this.config.values);
    const last = await this.repository.latest(AuditActions.SettingsChanged);
    const before = last ? ((JSON.parse(last.details) as { settings?: Record<string, unknown> }).settings ?? {}) : {};
    const changed = Object.keys(now).filter((key) => !PER_NODE_SETTINGS.has(key) && JSON.stringify(now[key]) !== JSON.stringify(before[key]));
    if (last && changed.length === 0) return;
    await this.record(null, AuditActions.SettingsChanged, null, { changed: last ? changed : ['(first start)'], settings: now });
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor_username,
    action: row.action as AuditEntry['action'],
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    ip: row.ip,
  };
}
