import type { WireMessage } from './protocol';

/**
 * Outgoing webhooks (README "Integrations", docs/protocol.md "Outgoing webhooks"): what Parley
 * POSTs to a registered address, and the names a receiver checks. Event names and header names
 * are stored and relied on by receivers: add, never rename.
 */
export const WebhookEvents = {
  /** A new message was stored in a conversation the webhook covers. */
  Message: 'message',
} as const;
export type WebhookEvent = (typeof WebhookEvents)[keyof typeof WebhookEvents];
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = Object.values(WebhookEvents);

/** Request headers of every delivery (lower case, as Node and most servers report them). */
export const WebhookHeaders = {
  Event: 'x-parley-event',
  /** The delivery id: the same on every attempt, so a receiver can drop a repeat. */
  Delivery: 'x-parley-delivery',
  /** Unix seconds of this attempt; signed with the body, so an old request cannot be replayed as new. */
  Timestamp: 'x-parley-timestamp',
  /** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the webhook's secret>`. */
  Signature: 'x-parley-signature',
} as const;

/** The JSON body of a delivery. */
export interface WebhookPayload {
  event: WebhookEvent;
  /** The delivery id (as X-Parley-Delivery): stable across retries. */
  id: string;
  webhook_id: number;
  /** The message as clients get it (message_from_user), as it is when the attempt is made. */
  message: WireMessage;
  /** ISO 8601 time of this attempt. */
  sent_at: string;
}

/** pending: waiting for its next attempt; delivered: a 2xx came back; failed: no more attempts. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';
export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = ['pending', 'delivered', 'failed'];
