import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { PinnedAddress } from './webhook-address-policy';

/** What an attempt came to: a 2xx, or why not (the status when the receiver answered). */
export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Bytes of a refusing receiver's answer kept for the admin page: enough for its error line. */
const ERROR_BODY_BYTES = 512;
/** Characters of it shown; the rest of the answer is never read. */
const ERROR_TEXT_CHARS = 200;

/**
 * POSTs one delivery with Node's own http client: to the address the policy checked (the
 * request's DNS lookup answers that address and nothing else), no redirects followed (a 3xx is
 * a failure: a receiver cannot send Parley on to an address nobody allowed), the whole attempt
 * bounded by PARLEY_WEBHOOK_TIMEOUT_MS, and at most ERROR_BODY_BYTES of the answer read.
 */
@Injectable()
export class WebhookSender {
  constructor(private readonly config: AppConfig) {}

  /** `signal` aborts the attempt (shutdown): it then answers a failure at once. */
  post(url: URL, pinned: PinnedAddress, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<SendResult> {
    const timeoutMs = this.config.values.PARLEY_WEBHOOK_TIMEOUT_MS;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      };
      const req = request(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Parley-Webhooks' },
        lookup: pinnedLookup(pinned),
        // A connection of its own per attempt: a pooled socket could be one opened to another address.
        agent: false,
        signal,
      });
      const timer = setTimeout(() => finish({ ok: false, status: null, error: `No answer within ${timeoutMs} ms` }), timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, status: null, error: connectionError(error, url) }));
      req.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return finish({ ok: true, status });
        readSome(response, ERROR_BODY_BYTES).then((text) => {
          const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
          finish({ ok: false, status, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ''}` });
        });
      });
      req.end(body);
    });
  }
}

/** The request's lookup: whatever name it asks for, the checked address (Node asks for one or for all). */
function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

function connectionError(error: NodeJS.ErrnoException, url: URL): string {
  if (error.code === 'ECONNREFUSED') return `Connection refused by ${url.host}`;
  if (error.code === 'ECONNRESET') return `Connection reset by ${url.host}`;
  return `${error.code ?? 'Error'}: ${error.message}`.slice(0, ERROR_TEXT_CHARS);
}

/** The first `limit` bytes of an answer as one line of text; the rest is never read. */
function readSome(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      response.removeAllListeners('data');
      resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, ERROR_TEXT_CHARS));
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) done();
    });
    response.on('end', done);
    response.on('error', done);
  });
}
