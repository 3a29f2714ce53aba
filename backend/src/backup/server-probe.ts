import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Whether a Parley server answers `/health` on this port at 127.0.0.1, over HTTP or HTTPS (a
 * server with PARLEY_TLS_CERT speaks only the latter). A restore under a running server would
 * pull its database out from under it.
 */
export async function parleyServerAnswers(port: number, timeoutMs = 2_000): Promise<boolean> {
  if (port === 0) return false;
  for (const request of [httpRequest, httpsRequest]) {
    const answered = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/health', method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        // Terminus answers { status: 'ok' | 'error', ... }, with 200 or 503.
        response.on('end', () => resolve(/"status"\s*:/.test(body)));
        response.on('error', () => resolve(false));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
    if (answered) return true;
  }
  return false;
}
