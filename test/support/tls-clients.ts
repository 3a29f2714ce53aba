import { request as httpsRequest } from 'node:https';
import { io } from 'socket.io-client';
import type { ClientSocket, Json } from './clients';
import type { TestServer } from './server';

/**
 * Clients of a `PARLEY_TLS=auto` server that trust only its CA, as a script on another machine
 * that installed it would: REST over https and socket.io over WSS (clients.ts speaks plain http).
 */
export class TrustingClients {
  private readonly sockets: ClientSocket[] = [];

  constructor(
    private readonly server: Pick<TestServer, 'url'>,
    private readonly ca: string,
  ) {}

  api(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: Json }> {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
      const request = httpsRequest(new URL(path, this.server.url), { method, ca: this.ca, headers }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as Json) : {} }));
      });
      request.on('error', reject);
      request.end(options.body === undefined ? undefined : JSON.stringify(options.body));
    });
  }

  async login(username: string, password: string): Promise<string> {
    const answer = await this.api('POST', '/api/auth/login', { body: { username, password } });
    if (answer.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(answer.body)}`);
    return answer.body.token as string;
  }

  /** As clients.ts's createPeople: each with the password `<name>-passphrase-9`. */
  async createPeople(admin: string, people: ReadonlyArray<readonly [username: string, display_name: string, role: 'admin' | 'staff' | 'client']>): Promise<void> {
    for (const [username, display_name, role] of people) {
      const answer = await this.api('POST', '/api/users', { token: admin, body: { username, display_name, role, password: `${username}-passphrase-9` } });
      if (answer.status !== 201) throw new Error(`create ${username}: ${JSON.stringify(answer.body)}`);
    }
  }

  /** Signs in as `<name>-passphrase-9`, connects over WSS and verifies. */
  async connectAs(username: string, role: 'admin' | 'staff' | 'client'): Promise<ClientSocket> {
    const token = await this.login(username, `${username}-passphrase-9`);
    const socket: ClientSocket = io(this.server.url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false, ca: this.ca });
    this.sockets.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
    const verified = await socket.emitWithAck('verify_user', { user_type: role, user_name: username });
    if (!verified.ok) throw new Error(`verify ${username}: ${JSON.stringify(verified)}`);
    return socket;
  }

  closeAll(): void {
    for (const socket of this.sockets.splice(0)) socket.disconnect();
  }
}
