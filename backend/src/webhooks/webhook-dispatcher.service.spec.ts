import { createHmac } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import type { MessageViews } from '../chat/message-views.service';
import type { ParleyMetrics } from '../metrics/parley-metrics.service';
import type { MessageRepository } from '../storage/message.repository';
import type { AttemptOutcome, DueDelivery, WebhookRepository } from '../storage/webhook.repository';
import type { WebhookAddressPolicy } from './webhook-address-policy';
import { backoffMs, PASS_BUDGET_MS, PER_WEBHOOK_PER_PASS, SEND_CONCURRENCY, WebhookDispatcher } from './webhook-dispatcher.service';
import type { SendResult, WebhookSender } from './webhook-sender';
import { newWebhookSecret, webhookSignature } from './webhook-signature';

describe('backoffMs', () => {
  it('waits the base after the first attempt, doubles per attempt, and never more than an hour', () => {
    expect([1, 2, 3, 4].map((attempts) => backoffMs(10_000, attempts))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(10_000, 12)).toBe(3_600_000);
    expect(backoffMs(10_000, 100)).toBe(3_600_000);
  });
});

describe('webhookSignature', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>", as docs/protocol.md tells receivers to check it', () => {
    const body = '{"event":"message"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(webhookSignature('whsec_test', 1700000000, body)).toBe(`sha256=${expected}`);
    expect(webhookSignature('whsec_test', 1700000001, body)).not.toBe(`sha256=${expected}`);
  });

  it('signs with fresh 256-bit secrets', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[\w-]{43}$/);
    expect(a).not.toBe(b);
  });
});

/**
 * The dispatcher over an in-memory queue: webhooks 1.. with the given URLs and conversations,
 * messages whose id 1000+ are DMs (dm:1:2), the rest in group:staff; a receiver at http://dead/
 * never answers, any other answers 200.
 */
function dispatcherOver(webhooks: { url: string; conversations?: string | null }[], onPost: () => void = () => {}) {
  const rows: DueDelivery[] = [];
  const posted: string[] = [];
  let queueRuns = 0;
  const queue = {
    list: async () => webhooks.map((webhook, index) => ({ id: index + 1, enabled: 1 })),
    queueNew: async () => (queueRuns++, 0),
    due: async (now: number, limit: number, skip: readonly number[] = []) =>
      rows
        .filter((row) => row.status === 'pending' && (row.next_attempt_at ?? Infinity) <= now && !skip.includes(row.webhook_id))
        .sort((a, b) => a.next_attempt_at! - b.next_attempt_at! || a.message_id - b.message_id)
        .slice(0, limit)
        .map((row) => ({ ...row, ...webhooks[row.webhook_id - 1], secret: 'whsec_test', conversations: webhooks[row.webhook_id - 1].conversations ?? null })),
    recordAttempt: async (id: string, outcome: AttemptOutcome) => void Object.assign(rows.find((row) => row.id === id)!, outcome),
    prune: async () => 0,
    exclusive: <T>(pass: () => Promise<T>) => pass(),
  };
  const messages = {
    findById: async (id: number) => (id >= 1000 ? { id, conversation: 'dm:1:2', target_kind: 'user' } : { id, conversation: 'group:staff', target_kind: 'group' }),
  };
  const sender = {
    post: async (url: URL): Promise<SendResult> => {
      posted.push(url.href);
      onPost();
      return url.hostname === 'dead' ? { ok: false, status: null, error: 'No answer within 10000 ms' } : { ok: true, status: 200 };
    },
  };
  const dispatcher = new WebhookDispatcher(
    queue as unknown as WebhookRepository,
    messages as unknown as MessageRepository,
    { renderOne: async () => ({}) } as unknown as MessageViews,
    { resolve: async () => ({ address: '10.0.0.1', family: 4 }) } as unknown as WebhookAddressPolicy,
    sender as unknown as WebhookSender,
    { webhookAttempt: () => {} } as unknown as ParleyMetrics,
    AppConfig.fromEnv({}),
  );
  let nextId = 0;
  const enqueue = (webhookId: number, messageIds: number[], dueAt: number) => {
    for (const messageId of messageIds) {
      rows.push({ id: `d${++nextId}`, webhook_id: webhookId, event: 'message', message_id: messageId, status: 'pending', attempts: 0, created_at: 0, next_attempt_at: dueAt, last_attempt_at: null, last_status: null, last_error: null, delivered_at: null } as DueDelivery);
    }
  };
  const of = (webhookId: number) => rows.filter((row) => row.webhook_id === webhookId);
  return { dispatcher, rows, posted, enqueue, of, queueRuns: () => queueRuns };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

describe('WebhookDispatcher passes', () => {
  afterEach(() => jest.restoreAllMocks());

  it('leaves a webhook whose receiver cannot be reached for the next pass, so the others are sent', async () => {
    const { dispatcher, posted, enqueue, of } = dispatcherOver([{ url: 'http://dead/' }, { url: 'http://alive/' }]);
    enqueue(1, range(1, 2_000), 1);
    enqueue(2, [500], 2);
    await dispatcher.runPass();
    // The first lanes' attempts were in flight before one failed; nothing after them.
    expect(posted.filter((url) => url === 'http://dead/').length).toBeLessThanOrEqual(SEND_CONCURRENCY);
    expect(of(2).map((row) => row.status)).toEqual(['delivered']);
    // The skipped ones are untouched: still pending, due, no attempt counted.
    expect(of(1).filter((row) => row.attempts === 0 && row.status === 'pending').length).toBeGreaterThanOrEqual(2_000 - SEND_CONCURRENCY);
  });

  it('attempts at most PER_WEBHOOK_PER_PASS deliveries of one webhook per pass', async () => {
    const { dispatcher, enqueue, of } = dispatcherOver([{ url: 'http://busy/' }, { url: 'http://quiet/' }]);
    enqueue(1, range(1, 300), 1);
    enqueue(2, [900], 2);
    await dispatcher.runPass();
    expect(of(1).filter((row) => row.status === 'delivered').length).toBe(PER_WEBHOOK_PER_PASS);
    expect(of(2).map((row) => row.status)).toEqual(['delivered']);
    await dispatcher.runPass();
    expect(of(1).filter((row) => row.status === 'delivered').length).toBe(2 * PER_WEBHOOK_PER_PASS);
  });

  it('starts no attempt once the pass has run PASS_BUDGET_MS, and queues new messages again on the next pass', async () => {
    let clock = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    // Each attempt takes a second.
    const { dispatcher, enqueue, of, queueRuns } = dispatcherOver([{ url: 'http://slow/' }], () => (clock += 1_000));
    enqueue(1, range(1, 50), 1);
    await dispatcher.runPass();
    const delivered = of(1).filter((row) => row.status === 'delivered').length;
    expect(delivered).toBeGreaterThanOrEqual(PASS_BUDGET_MS / 1_000);
    expect(delivered).toBeLessThan(PASS_BUDGET_MS / 1_000 + SEND_CONCURRENCY);
    await dispatcher.runPass();
    expect(queueRuns()).toBe(2);
    expect(of(1).filter((row) => row.status === 'delivered').length).toBeGreaterThan(delivered);
  });

  it("sends only what the webhook's conversations cover now: a delivery queued before they changed fails, unsent", async () => {
    const { dispatcher, posted, enqueue, of } = dispatcherOver([
      { url: 'http://narrowed/', conversations: JSON.stringify(['group:staff']) },
      { url: 'http://cleared/', conversations: null },
      { url: 'http://dms/', conversations: JSON.stringify(['dm:1:2']) },
    ]);
    enqueue(1, [1_001, 1], 1);
    enqueue(2, [1_002], 1);
    enqueue(3, [1_003], 1);
    await dispatcher.runPass();
    expect(posted.sort()).toEqual(['http://dms/', 'http://narrowed/']);
    for (const row of [of(1).find((row) => row.message_id === 1_001)!, ...of(2)]) {
      expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/no longer covered by the webhook/) });
    }
    expect(of(1).find((row) => row.message_id === 1)!.status).toBe('delivered');
    expect(of(3)[0].status).toBe('delivered');
  });
});
