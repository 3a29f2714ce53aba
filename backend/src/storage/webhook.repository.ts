import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Compilable, type Kysely, sql } from 'kysely';
import { type WebhookDeliveryStatus, WebhookEvents } from '@parley/contract';
import { DatabaseService } from './database.service';
import type { Database, MessageRow, WebhookDeliveriesTable, WebhookDeliveryRow, WebhookRow, WebhooksTable } from './database.types';

export type NewWebhook = Pick<WebhooksTable, 'url' | 'events' | 'conversations' | 'secret' | 'created_at' | 'created_by'> & { description: string; enabled: number };
export type WebhookChanges = Partial<Pick<WebhookRow, 'url' | 'events' | 'conversations' | 'description' | 'enabled' | 'secret' | 'secret_rotated_at'>>;
/** A due delivery with what sending it needs from its webhook, as the webhook is now. */
export type DueDelivery = WebhookDeliveryRow & Pick<WebhookRow, 'url' | 'secret' | 'conversations'>;
/** What one attempt changed. */
export type AttemptOutcome = Pick<WebhookDeliveriesTable, 'status' | 'next_attempt_at'> & {
  attempts: number;
  last_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
};
export type DeliveryCounts = Record<WebhookDeliveryStatus, number>;

/**
 * Outgoing webhooks and their delivery queue (docs/architecture.md, "Outgoing webhooks"). A
 * webhook's `cursor` and the deliveries queued from the messages above it move in one
 * transaction, so a crash between them neither loses nor repeats a delivery.
 */
@Injectable()
export class WebhookRepository {
  constructor(private readonly database: DatabaseService) {}

  private get db() {
    return this.database.db;
  }

  /**
   * Starts at the newest message: a webhook gets what is sent after it was registered (one sent
   * while this runs may be included; none sent after it is missed).
   */
  async create(webhook: NewWebhook): Promise<WebhookRow> {
    const { head } = await this.db.selectFrom('messages').select((eb) => eb.fn.coalesce(eb.fn.max('id'), sql<number>`0`).as('head')).executeTakeFirstOrThrow();
    return this.db.insertInto('webhooks').values({ ...webhook, cursor: Number(head), updated_at: webhook.created_at }).returningAll().executeTakeFirstOrThrow();
  }

  async list(): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  }

  async findById(id: number): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(id: number, changes: WebhookChanges, now: number): Promise<WebhookRow | undefined> {
    return this.db.updateTable('webhooks').set({ ...changes, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Whether there was one; its deliveries go with it (ON DELETE CASCADE). */
  async remove(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Queues a `message` delivery for each message above the webhook's cursor that it covers
   * (`conversations`' storage keys; without them every conversation but DMs), at most `limit`,
   * and moves the cursor past what it looked at, in one transaction. Answers how many it queued.
   * Messages are committed in id order on both databases (docs/architecture.md, "Message ids"),
   * so every id up to the head read first is there to be seen: nothing below the cursor can
   * still appear. On SQLite one synchronous transaction on the raw connection, as ChangeStream
   * and the retention purge: a Kysely transaction there spans ticks, and another write on this
   * connection in between (an edit, a read mark) would join it.
   */
  async queueNew(webhookId: number, limit: number, now: number): Promise<number> {
    // Two indexed reads first: with nothing new (most seconds) no write transaction is opened,
    // which on SQLite would take the write lock, and wait on the writer thread, every second.
    if (!(await this.hasNew(webhookId))) return 0;
    const sqlite = this.database.sqlite;
    if (sqlite) {
      return sqlite
        .transaction(() => drive(this.queueSteps(this.db, webhookId, limit, now), (query) => {
          const compiled = query.compile();
          const statement = sqlite.prepare(compiled.sql);
          const parameters = compiled.parameters as unknown[];
          return statement.reader ? (statement.all(...parameters) as Row[]) : (statement.run(...parameters), []);
        }))
        .immediate();
    }
    return this.db.transaction().execute(async (trx) => {
      const steps = this.queueSteps(trx, webhookId, limit, now);
      let step = steps.next();
      while (!step.done) step = steps.next((await trx.executeQuery(step.value.compile())).rows as Row[]);
      return step.value;
    });
  }

  /** Whether the webhook is enabled and a message above its cursor exists (queueNew checks again, in its transaction). */
  private async hasNew(webhookId: number): Promise<boolean> {
    const webhook = await this.db.selectFrom('webhooks').select(['cursor', 'enabled']).where('id', '=', webhookId).executeTakeFirst();
    if (!webhook || webhook.enabled !== 1) return false;
    const { head } = await this.db.selectFrom('messages').select((eb) => eb.fn.coalesce(eb.fn.max('id'), sql<number>`0`).as('head')).executeTakeFirstOrThrow();
    return Number(head) > webhook.cursor;
  }

  /** queueNew's queries, in order, each answered with its rows; the same for both drivers. */
  private *queueSteps(db: Kysely<Database>, webhookId: number, limit: number, now: number): Generator<Compilable, number, Row[]> {
    const [webhook] = (yield db.selectFrom('webhooks').select(['cursor', 'enabled', 'conversations', 'events']).where('id', '=', webhookId)) as Pick<WebhookRow, 'cursor' | 'enabled' | 'conversations' | 'events'>[];
    if (!webhook || webhook.enabled !== 1) return 0;
    const [{ head }] = (yield db.selectFrom('messages').select((eb) => eb.fn.coalesce(eb.fn.max('id'), sql<number>`0`).as('head'))) as { head: number }[];
    if (Number(head) <= webhook.cursor) return 0;
    // The same rule as webhookCovers, which the dispatcher checks again before each attempt.
    const keys = webhook.conversations === null ? null : (JSON.parse(webhook.conversations) as string[]);
    let query = db.selectFrom('messages').select('id').where('id', '>', webhook.cursor).where('id', '<=', Number(head)).where('deleted_at', 'is', null);
    query = keys === null ? query.where('target_kind', '!=', 'user') : query.where('conversation', 'in', keys.length > 0 ? keys : ['']);
    const wanted = webhook.events.split(' ').includes(WebhookEvents.Message);
    const ids = wanted ? ((yield query.orderBy('id').limit(limit)) as { id: number }[]).map((row) => Number(row.id)) : [];
    if (ids.length > 0) {
      yield db
        .insertInto('webhook_deliveries')
        .values(ids.map((id) => ({ id: randomUUID(), webhook_id: webhookId, event: WebhookEvents.Message, message_id: id, status: 'pending' as const, created_at: now, next_attempt_at: now })))
        .onConflict((oc) => oc.columns(['webhook_id', 'event', 'message_id']).doNothing());
    }
    const cursor = ids.length === limit ? ids[ids.length - 1] : Number(head);
    yield db.updateTable('webhooks').set({ cursor }).where('id', '=', webhookId);
    return ids.length;
  }

  /**
   * Pending deliveries of enabled webhooks whose time has come, the longest waiting first, with
   * the webhook's current URL, secret and conversations; none of the webhooks in `skip`.
   */
  async due(now: number, limit: number, skip: readonly number[] = []): Promise<DueDelivery[]> {
    let query = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .selectAll('d')
      .select(['w.url', 'w.secret', 'w.conversations'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where('w.enabled', '=', 1);
    if (skip.length > 0) query = query.where('d.webhook_id', 'not in', skip);
    return query.orderBy('d.next_attempt_at').orderBy('d.message_id').limit(limit).execute();
  }

  async recordAttempt(id: string, outcome: AttemptOutcome): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set(outcome).where('id', '=', id).execute();
  }

  /** One webhook's deliveries, newest first. */
  async deliveries(webhookId: number, query: { status?: WebhookDeliveryStatus; limit: number }): Promise<WebhookDeliveryRow[]> {
    let select = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (query.status) select = select.where('status', '=', query.status);
    return select.orderBy('created_at', 'desc').orderBy('message_id', 'desc').limit(query.limit).execute();
  }

  /** The newest delivery that was attempted, for the list's status column. */
  async lastAttempted(webhookId: number): Promise<WebhookDeliveryRow | undefined> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', webhookId)
      .where('last_attempt_at', 'is not', null)
      .orderBy('last_attempt_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async counts(webhookId: number): Promise<DeliveryCounts> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('webhook_id', '=', webhookId)
      .groupBy('status')
      .execute();
    const counts: DeliveryCounts = { pending: 0, delivered: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Puts a delivery back in the queue, due now, its attempts counted afresh. */
  async retry(webhookId: number, deliveryId: string, now: number): Promise<WebhookDeliveryRow | undefined> {
    return this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null })
      .where('id', '=', deliveryId)
      .where('webhook_id', '=', webhookId)
      .returningAll()
      .executeTakeFirst();
  }

  /** Removes finished deliveries (delivered or failed) queued before `before`; pending ones stay. */
  async prune(before: number): Promise<number> {
    const result = await this.db.deleteFrom('webhook_deliveries').where('created_at', '<', before).where('status', '!=', 'pending').executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Runs `pass` unless another node is running one (PostgreSQL: a session advisory try-lock,
   * per schema, held on a connection of its own for the whole pass), so no delivery is sent by
   * two nodes at once; answers undefined when skipped. SQLite is one node: always runs.
   */
  async exclusive<T>(pass: () => Promise<T>): Promise<T | undefined> {
    if (this.database.dialect !== 'postgres') return pass();
    return this.db.connection().execute(async (connection) => {
      const key = sql`hashtext(current_schema() || '.webhook_dispatch')`;
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}) as locked`.execute(connection);
      if (!rows[0]?.locked) return undefined;
      try {
        return await pass();
      } finally {
        await sql`select pg_advisory_unlock(${key})`.execute(connection);
      }
    });
  }
}

type Row = Record<string, unknown>;

/**
 * Whether a webhook with these `conversations` (JSON storage keys, or null) covers a message:
 * the named conversations, or without a list every conversation but DMs. queueNew applies it in
 * SQL; the dispatcher again before each attempt, so a later change to the list holds for what is
 * already queued.
 */
export function webhookCovers(conversations: string | null, message: Pick<MessageRow, 'conversation' | 'target_kind'>): boolean {
  if (conversations === null) return message.target_kind !== 'user';
  return (JSON.parse(conversations) as string[]).includes(message.conversation);
}

/** Runs a generator of queries to its end, answering each with `run`'s rows (synchronously). */
function drive<T>(steps: Generator<Compilable, T, Row[]>, run: (query: Compilable) => Row[]): T {
  let step = steps.next();
  while (!step.done) step = steps.next(run(step.value));
  return step.value;
}
