import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { AllowedHosts } from '../allowed-hosts';
import { hostCheck } from '../allowed-hosts';
import { CA_CERT_PATH, TRUST_PAGE_PATH, trustPage } from './trust-page';

/** A TLS connection starts with a handshake record; plain HTTP starts with a method name. */
const TLS_HANDSHAKE = 0x16;

/**
 * Serves plain http on the HTTPS server's own port: each new connection's first byte says which
 * it is; TLS goes on to the HTTPS server as it would have, plain http to `handler`. One port,
 * so people who type the address without https:// are sent on rather than shown a broken page.
 */
export function acceptPlainHttp(server: TlsServer, handler: (request: IncomingMessage, response: ServerResponse) => void): void {
  const plain = createServer(handler);
  const tlsListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    // A connection that never sends a byte is closed by the HTTPS server's own timeouts as before.
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return;
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) for (const listener of tlsListeners) listener.call(server, socket);
      else plain.emit('connection', socket);
    });
    socket.on('error', () => socket.destroy());
  });
}

/** What plain http gets: the CA and how to trust it (PARLEY_TLS=auto), else a redirect to https. */
export function plainHttpHandler(options: { hosts: AllowedHosts; ca: () => { pem: string; fingerprint: string } | null }) {
  const allowedHost = hostCheck(options.hosts);
  return (request: IncomingMessage, response: ServerResponse): void => {
    allowedHost(request, response, () => {
      const host = request.headers.host;
      const path = new URL(request.url ?? '/', 'http://parley').pathname;
      const ca = options.ca();
      const read = request.method === 'GET' || request.method === 'HEAD';
      if (ca && read && path === CA_CERT_PATH) return sendCa(response, ca.pem);
      if (ca && read && path === TRUST_PAGE_PATH) return sendTrustPage(response, ca.fingerprint, host ? `https://${host}/` : null);
      if (!host) {
        response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('This is an HTTPS server: use https://\n');
        return;
      }
      // 308 keeps the method and body, so even a prototype page's POST arrives as sent.
      response.writeHead(308, { location: `https://${host}${request.url ?? '/'}`, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`Parley uses HTTPS: https://${host}${request.url ?? '/'}\n`);
    });
  };
}

export function sendCa(response: ServerResponse, pem: string): void {
  response.writeHead(200, {
    'content-type': 'application/x-x509-ca-cert',
    'content-disposition': 'attachment; filename="parley-ca.crt"',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  response.end(pem);
}

export function sendTrustPage(response: ServerResponse, fingerprint: string, httpsUrl: string | null): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  });
  response.end(trustPage({ fingerprint, httpsUrl }));
}
