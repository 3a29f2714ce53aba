import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { answerUnparsableRequestsWithJson } from './client-error-handler';

/** A real HTTP server on 127.0.0.1: the parser errors come from Node itself. */
describe('answerUnparsableRequestsWithJson', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('{}'));
    answerUnparsableRequestsWithJson(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Sends raw bytes and returns everything the server wrote back before closing. */
  function raw(request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let reply = '';
      socket.on('data', (chunk) => (reply += chunk.toString()));
      socket.on('end', () => resolve(reply));
      socket.on('error', reject);
    });
  }

  it('answers a URL over the header limit with 431 and a JSON error body', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/me?q=${'x'.repeat(20_000)}`);
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ statusCode: 431, code: 'INVALID_PAYLOAD', message: expect.any(String) });
  });

  it('answers bytes that are not HTTP with 400 and a JSON error body', async () => {
    const reply = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 400,
      code: 'INVALID_PAYLOAD',
      message: 'The request is not valid HTTP',
    });
  });
});
