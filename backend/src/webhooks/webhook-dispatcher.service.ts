import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type WebhookPayload, WebhookEvents, WebhookHeaders } from '@parley/contract';
import { MessageViews } from '../chat/message-views.service';
import { ParleyError } from '../common/parley-error';
import { AppConfig } from '../config/app-config';
import { ParleyMetrics } from '../metrics/parley-metrics.service';
import { MessageRepository } from '../storage/message.repository';
import { type AttemptOutcome, type DueDelivery, WebhookRepository, webhookCovers } from '../storage/webhook.repository';
import { WebhookAddressPolicy } from './webhook-address-policy';
import { WebhookSender, type SendResult } from './webhook-sender';
import { webhookSignature } from './webhook-signature';

/**
 * How often the dispatcher looks for new messages and due retries. A message reaches its
 * receivers within about this long, on whichever node it was sent; the look is a few indexed
 * queries, nothing when nothing happened.
 */
export const DISPATCH_INTERVAL_MS = 1_000;
/** Messages queued per webhook per transaction, so a long backlog never holds the database. */
const QUEUE_BATCH = 500;
/** Deliveries fetched at a time, and attempted at once: a slow receiver holds a slot, not the pass. */
export const SEND_BATCH = 32;
export const SEND_CONCURRENCY = 8;
/**
 * No attempt starts this long after a pass began (those in flight finish, within
 * PARLEY_WEBHOOK_TIMEOUT_MS), so new messages are queued again soon whatever the receivers do.
 */
export const PASS_BUDGET_MS = 15_000;
/** Attempts per webhook per pass: one webhook's backlog never holds the others back. */
export const PER_WEBHOOK_PER_PASS = 64;
/** Retries never wait longer than this, however large the backoff has grown. */
const MAX_BACKOFF_MS = 3_600_000;
/** Finished deliveries are kept this long for the admin page, then removed. */
export const KEEP_FINISHED_MS = 7 * 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 3_600_000;

/** The wait before attempt `attempts + 1`: the base, doubled per attempt made, capped. */
export function backoffMs(baseMs: number, attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers outgoing webhooks from the stored messages (docs/architecture.md, "Outgoing
 * webhooks"). Every DISPATCH_INTERVAL_MS, on one node at a time: queues a delivery for each new
 * message a webhook covers (moving its cursor in the same transaction), then POSTs the due ones,
 * each marked delivered, put off with exponential backoff, or failed after
 * PARLEY_WEBHOOK_MAX_ATTEMPTS. Everything it knows is in the database, so a restart (or another
 * node) goes on where it stopped.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** Aborts the attempts in flight when the server stops, rather than waiting out their timeout. */
  private readonly stopped = new AbortController();
  private prunedAt = 0;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly messages: MessageRepository,
    private readonly views: MessageViews,
    private readonly policy: WebhookAddressPolicy,
    private readonly sender: WebhookSender,
    private readonly metrics: ParleyMetrics,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // At once: what was due while the server was down goes out now, not a tick later.
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass now (or the one running): queue what is new, send what is due. */
  runPass(): Promise<void> {
    this.running ??= this.webhooks
      .exclusive(() => this.pass())
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error(`Webhook pass failed; the next one tries again: ${String(error)}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => void this.runPass().finally(() => this.schedule(DISPATCH_INTERVAL_MS)), delayMs);
    // The dispatcher never keeps the process alive on its own.
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const now = Date.now();
    for (const webhook of await this.webhooks.list()) {
      if (webhook.enabled !== 1) continue;
      while (!this.stopping && (await this.webhooks.queueNew(webhook.id, QUEUE_BATCH, now)) === QUEUE_BATCH);
    }
    await this.sendDue(now);
    if (now - this.prunedAt > PRUNE_INTERVAL_MS) {
      this.prunedAt = now;
      await this.webhooks.prune(now - KEEP_FINISHED_MS);
    }
  }

  /**
   * Attempts the due deliveries, SEND_BATCH at a time, until none is left, PASS_BUDGET_MS is up,
   * or the server stops. A webhook is left for the next pass once it had PER_WEBHOOK_PER_PASS
   * attempts or its receiver could not be reached (no answer, refused, address not allowed):
   * its other due deliveries stay as they are, rather than each waiting out the timeout.
   */
  private async sendDue(startedAt: number): Promise<void> {
    const deadline = startedAt + PASS_BUDGET_MS;
    const attempted = new Map<number, number>();
    const skip = new Set<number>();
    const over = () => this.stopping || Date.now() >= deadline;
    let due = await this.webhooks.due(startedAt, SEND_BATCH);
    while (due.length > 0 && !over()) {
      await inParallel(due, SEND_CONCURRENCY, async (delivery) => {
        const webhookId = delivery.webhook_id;
        if (over() || skip.has(webhookId)) return;
        const count = (attempted.get(webhookId) ?? 0) + 1;
        attempted.set(webhookId, count);
        if (count >= PER_WEBHOOK_PER_PASS) skip.add(webhookId);
        const result = await this.attempt(delivery);
        if (result && !result.ok && result.status === null && !('final' in result)) skip.add(webhookId);
      });
      due = due.length === SEND_BATCH && !over() ? await this.webhooks.due(Date.now(), SEND_BATCH, [...skip]) : [];
    }
  }

  /** What the attempt came to; null when a shutdown cut it short. */
  private async attempt(delivery: DueDelivery): Promise<Attempted | null> {
    const startedAt = Date.now();
    const result: Attempted = await this.send(delivery, startedAt).catch((error: unknown): Attempted => ({ ok: false, status: null, error: errorText(error) }));
    // Cut short by a shutdown: not an attempt. The row stays due and goes out after the restart,
    // with the same delivery id should the receiver have got it.
    if (this.stopping) return null;
    const attempts = delivery.attempts + 1;
    const base = { attempts, last_attempt_at: startedAt, last_status: result.status };
    let outcome: AttemptOutcome;
    if (result.ok) {
      outcome = { ...base, status: 'delivered', next_attempt_at: null, last_error: null, delivered_at: Date.now() };
    } else if (attempts >= this.config.values.PARLEY_WEBHOOK_MAX_ATTEMPTS || ('final' in result && result.final)) {
      outcome = { ...base, status: 'failed', next_attempt_at: null, last_error: result.error, delivered_at: null };
    } else {
      const wait = backoffMs(this.config.values.PARLEY_WEBHOOK_RETRY_BASE_MS, attempts);
      outcome = { ...base, status: 'pending', next_attempt_at: Date.now() + wait, last_error: result.error, delivered_at: null };
    }
    await this.webhooks.recordAttempt(delivery.id, outcome);
    this.metrics.webhookAttempt(outcome.status === 'pending' ? 'retry' : outcome.status);
    return result;
  }

  private async send(delivery: DueDelivery, now: number): Promise<Attempted> {
    const row = await this.messages.findById(delivery.message_id);
    // Retention removed it: nothing to send, ever.
    if (!row) return { ok: false, status: null, error: 'The message is no longer stored (retention removed it)', final: true };
    // The webhook's conversations as they are now, not as when the delivery was queued: a
    // conversation (or every DM, the list cleared) taken off the webhook gets nothing more.
    if (!webhookCovers(delivery.conversations, row)) {
      return { ok: false, status: null, error: "The message's conversation is no longer covered by the webhook (its conversations changed after the delivery was queued)", final: true };
    }
    const payload: WebhookPayload = {
      event: WebhookEvents.Message,
      id: delivery.id,
      webhook_id: delivery.webhook_id,
      message: await this.views.renderOne(row),
      sent_at: new Date(now).toISOString(),
    };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(now / 1000);
    const url = new URL(delivery.url);
    const pinned = await this.policy.resolve(url);
    return this.sender.post(
      url,
      pinned,
      {
        [WebhookHeaders.Event]: payload.event,
        [WebhookHeaders.Delivery]: delivery.id,
        [WebhookHeaders.Timestamp]: String(timestamp),
        [WebhookHeaders.Signature]: webhookSignature(delivery.secret, timestamp, body),
      },
      body,
      this.stopped.signal,
    );
  }
}

/** A send's result; `final`: no later attempt can succeed either. */
type Attempted = SendResult | { ok: false; status: null; error: string; final: true };

function errorText(error: unknown): string {
  return error instanceof ParleyError ? error.message : `Could not send: ${String(error)}`.slice(0, 200);
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
