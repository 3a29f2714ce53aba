import { createHmac } from 'node:crypto';
import { backoffMs } from './webhook-dispatcher.service';
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
