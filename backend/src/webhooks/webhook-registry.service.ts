import { Injectable } from '@nestjs/common';
import { ErrorCodes, type WebhookDelivery, type WebhookResponse } from '@parley/contract';
import type { CreateWebhookDto, UpdateWebhookDto, WebhookDeliveriesQueryDto } from '@parley/contract/schemas';
import type { Actor } from '../audit/audit.service';
import { ParleyError } from '../common/parley-error';
import { ConversationNames } from '../retention/conversation-names.service';
import type { WebhookDeliveryRow, WebhookRow } from '../storage/database.types';
import { type WebhookChanges, WebhookRepository } from '../storage/webhook.repository';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { newWebhookSecret } from './webhook-signature';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The admin's side of outgoing webhooks: register, change, rotate the secret, remove, and read
 * deliveries. Every URL passes the address policy when saved; conversations are stored as
 * storage keys (a renamed channel keeps its webhook) and answered by name.
 */
@Injectable()
export class WebhookRegistry {
  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly policy: WebhookAddressPolicy,
    private readonly names: ConversationNames,
  ) {}

  async list(): Promise<WebhookResponse[]> {
    return Promise.all((await this.webhooks.list()).map((row) => this.view(row)));
  }

  async create(body: CreateWebhookDto, actor: Actor): Promise<{ webhook: WebhookResponse; secret: string }> {
    await this.policy.check(body.url);
    const secret = newWebhookSecret();
    const row = await this.webhooks.create({
      url: body.url,
      events: body.events.join(' '),
      conversations: await this.conversationKeys(body.conversations),
      description: body.description ?? '',
      enabled: body.enabled === false ? 0 : 1,
      secret,
      created_at: Date.now(),
      created_by: actor.username,
    });
    return { webhook: await this.view(row), secret };
  }

  async update(id: number, body: UpdateWebhookDto): Promise<WebhookResponse> {
    await this.get(id);
    if (body.url !== undefined) await this.policy.check(body.url);
    const changes: WebhookChanges = {};
    if (body.url !== undefined) changes.url = body.url;
    if (body.events !== undefined) changes.events = body.events.join(' ');
    if (body.conversations !== undefined) changes.conversations = await this.conversationKeys(body.conversations);
    if (body.description !== undefined) changes.description = body.description;
    if (body.enabled !== undefined) changes.enabled = body.enabled ? 1 : 0;
    return this.view((await this.webhooks.update(id, changes, Date.now())) ?? notFound(id));
  }

  /** The old secret stops signing at once; the receiver must take the new one. */
  async rotateSecret(id: number): Promise<{ webhook: WebhookResponse; secret: string }> {
    await this.get(id);
    const secret = newWebhookSecret();
    const now = Date.now();
    const row = (await this.webhooks.update(id, { secret, secret_rotated_at: now }, now)) ?? notFound(id);
    return { webhook: await this.view(row), secret };
  }

  async remove(id: number): Promise<WebhookRow> {
    const row = await this.get(id);
    if (!(await this.webhooks.remove(id))) notFound(id);
    return row;
  }

  async deliveries(id: number, query: WebhookDeliveriesQueryDto): Promise<WebhookDelivery[]> {
    await this.get(id);
    return (await this.webhooks.deliveries(id, query)).map(deliveryView);
  }

  async retry(id: number, deliveryId: string): Promise<WebhookDelivery> {
    const row = await this.webhooks.retry(id, deliveryId, Date.now());
    if (!row) throw new ParleyError(ErrorCodes.NotFound, `Webhook ${id} has no delivery ${deliveryId}`);
    return deliveryView(row);
  }

  /** The webhook, or NOT_FOUND. */
  async get(id: number): Promise<WebhookRow> {
    return (await this.webhooks.findById(id)) ?? notFound(id);
  }

  /** What an audit entry says of a webhook: never its secret. */
  async describe(row: WebhookRow): Promise<Record<string, unknown>> {
    const view = await this.view(row);
    return { url: view.url, events: view.events, conversations: view.conversations, enabled: view.enabled };
  }

  private async conversationKeys(names: readonly string[] | null | undefined): Promise<string | null> {
    if (names === undefined || names === null) return null;
    const keys = await Promise.all(names.map((name) => this.names.toKey(name)));
    return JSON.stringify([...new Set(keys)]);
  }

  private async view(row: WebhookRow): Promise<WebhookResponse> {
    const [counts, last, conversations] = await Promise.all([
      this.webhooks.counts(row.id),
      this.webhooks.lastAttempted(row.id),
      row.conversations === null ? null : Promise.all((JSON.parse(row.conversations) as string[]).map((key) => this.names.toName(key))),
    ]);
    return {
      id: row.id,
      url: row.url,
      events: row.events.split(' ') as WebhookResponse['events'],
      conversations,
      description: row.description,
      enabled: row.enabled === 1,
      created_at: iso(row.created_at)!,
      created_by: row.created_by,
      secret_rotated_at: iso(row.secret_rotated_at),
      deliveries: counts,
      last_delivery: last ? { status: last.status, at: iso(last.last_attempt_at)!, error: last.last_error } : null,
    };
  }
}

function deliveryView(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    event: row.event as WebhookDelivery['event'],
    message_id: row.message_id,
    status: row.status,
    attempts: row.attempts,
    created_at: iso(row.created_at)!,
    last_attempt_at: iso(row.last_attempt_at),
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_status: row.last_status,
    last_error: row.last_error,
    delivered_at: iso(row.delivered_at),
  };
}

function notFound(id: number): never {
  throw new ParleyError(ErrorCodes.NotFound, `No webhook ${id}`);
}
