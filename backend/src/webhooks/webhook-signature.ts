import { createHmac, randomBytes } from 'node:crypto';

/**
 * The signature a receiver checks (docs/protocol.md, "Outgoing webhooks"): hex HMAC-SHA256 of
 * `<timestamp>.<body>` under the webhook's secret. The timestamp is inside the signed text so a
 * captured request cannot be replayed later as a fresh one; a receiver rejects old timestamps.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** 256 random bits, base64url: as long as the HMAC's block needs to be unguessable, and copyable. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
