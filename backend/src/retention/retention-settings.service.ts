import { Injectable } from '@nestjs/common';
import type { RetentionResponse } from '@parley/contract';
import type { SetRetentionDto } from '@parley/contract/schemas';
import type { Actor } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { RetentionRepository } from '../storage/retention.repository';
import { ConversationNames } from './conversation-names.service';

/** How long messages are kept: PARLEY_RETENTION_DAYS, and the per-conversation overrides admins set. */
@Injectable()
export class RetentionSettingsService {
  constructor(
    private readonly repository: RetentionRepository,
    private readonly names: ConversationNames,
    private readonly config: AppConfig,
  ) {}

  get defaultDays(): number | null {
    return this.config.values.PARLEY_RETENTION_DAYS ?? null;
  }

  async current(): Promise<RetentionResponse> {
    const rows = await this.repository.listOverrides();
    const overrides = await Promise.all(
      rows.map(async (row) => ({
        conversation: await this.names.toName(row.conversation),
        days: row.days,
        updated_at: new Date(row.updated_at).toISOString(),
        updated_by: row.updated_by,
      })),
    );
    return { default_days: this.defaultDays, overrides };
  }

  /** Sets (days ≥ 0) or removes (null) one conversation's override; NOT_FOUND for an unknown conversation. */
  async set(change: SetRetentionDto, actor: Actor): Promise<void> {
    const conversation = await this.names.toKey(change.conversation);
    if (change.days === null) await this.repository.removeOverride(conversation);
    else await this.repository.setOverride({ conversation, days: change.days, updated_at: Date.now(), updated_by: actor.username });
  }
}
