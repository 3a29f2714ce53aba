import type { CreateWebhookRequest, WebhookDelivery, WebhookResponse } from '@parley/contract';

/** The create form as typed: conversations as one comma-separated line. */
export interface WebhookForm {
  url: string;
  conversations: string;
  description: string;
}

/** What is wrong with the form before anything is sent; null when it can go. */
export function webhookFormProblem(form: WebhookForm): string | null {
  const url = form.url.trim();
  if (!url) return 'Enter the address Parley should POST to, for example https://hooks.example.lan/parley.';
  if (!/^https?:\/\/[^/\s]+/i.test(url)) return 'The address must start with http:// or https://.';
  return null;
}

/** The request for a valid form: blank conversations mean every conversation but direct messages. */
export function createRequest(form: WebhookForm): CreateWebhookRequest {
  const conversations = form.conversations
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const request: CreateWebhookRequest = { url: form.url.trim(), events: ['message'] };
  if (conversations.length > 0) request.conversations = conversations;
  if (form.description.trim()) request.description = form.description.trim();
  return request;
}

/** Which conversations a webhook covers, in the page's words. */
export function coverage(webhook: WebhookResponse): string {
  return webhook.conversations === null ? 'Every conversation but direct messages' : webhook.conversations.join(', ');
}

/** The list's status line: the last attempt's outcome, or that none was made yet. */
export function lastDeliveryLabel(webhook: Pick<WebhookResponse, 'enabled' | 'last_delivery'>): { text: string; tone: 'ok' | 'bad' | 'quiet' } {
  const last = webhook.last_delivery;
  if (!last) return { text: webhook.enabled ? 'Nothing sent yet' : 'Paused', tone: 'quiet' };
  switch (last.status) {
    case 'delivered':
      return { text: 'Last delivery succeeded', tone: 'ok' };
    case 'pending':
      return { text: `Last attempt failed, retrying: ${last.error ?? 'no answer'}`, tone: 'bad' };
    case 'failed':
      return { text: `Last delivery failed: ${last.error ?? 'no answer'}`, tone: 'bad' };
  }
}

/** One delivery's state in words: what happened and what happens next. */
export function deliveryState(delivery: Pick<WebhookDelivery, 'status' | 'attempts' | 'last_status'>): string {
  const tries = delivery.attempts === 1 ? '1 attempt' : `${delivery.attempts} attempts`;
  switch (delivery.status) {
    case 'delivered':
      return `Delivered (${tries}${delivery.last_status ? `, HTTP ${delivery.last_status}` : ''})`;
    case 'pending':
      return delivery.attempts === 0 ? 'Waiting' : `Retrying after ${tries}`;
    case 'failed':
      return `Failed after ${tries}`;
  }
}
