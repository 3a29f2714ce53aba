import { io, type Socket } from 'socket.io-client';
import { ADMIN_PASSWORD, type TestServer } from './server';

export type Json = Record<string, unknown>;

const ACK_TIMEOUT_MS = 5_000;

export async function api(
  server: Pick<TestServer, 'url'>,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  } else if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  // Everything Parley answers is JSON except a few documents (Prometheus text, HTML pages).
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: !text ? {} : json ? (JSON.parse(text) as Json) : { text }, headers: response.headers };
}

export async function login(server: TestServer, username: string, password: string): Promise<string> {
  const response = await api(server, 'POST', '/api/auth/login', { body: { username, password } });
  if (response.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(response.body)}`);
  return response.body.token as string;
}

export const adminToken = (server: TestServer) => login(server, 'admin', ADMIN_PASSWORD);

/** Creates a user as admin and returns a session token for them. */
export async function createUser(
  server: TestServer,
  admin: string,
  username: string,
  role: 'admin' | 'staff' | 'client',
): Promise<string> {
  const password = `${username}-passphrase-9`;
  const response = await api(server, 'POST', '/api/users', { token: admin, body: { username, role, password } });
  if (response.status !== 201) throw new Error(`create ${username}: ${JSON.stringify(response.body)}`);
  return login(server, username, password);
}

const open: Socket[] = [];

/** A socket.io client over a real websocket, closed by closeAllClients(). */
export function connect(server: TestServer, options: { token?: string; polling?: boolean } = {}): Promise<Socket> {
  const socket = io(server.url, {
    auth: options.token ? { token: options.token } : {},
    transports: options.polling ? ['polling', 'websocket'] : ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  open.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export function closeAllClients(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

export async function emitAck<T = Json>(socket: Socket, event: string, ...args: unknown[]): Promise<T> {
  return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args)) as T;
}

/** Connects and verifies as the token's user. */
export async function connectAs(
  server: TestServer,
  token: string,
  role: string,
  name: string,
): Promise<Socket> {
  const socket = await connect(server, { token });
  const ack = await emitAck(socket, 'verify_user', { user_type: role, user_name: name });
  if (ack.ok !== true) throw new Error(`verify ${name}: ${JSON.stringify(ack)}`);
  return socket;
}

/** Records every payload of an event from now on. */
export function record<T = Json>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

export function nextEvent<T = Json>(
  socket: Socket,
  event: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Waits until `condition` holds, polling; for state that arrives asynchronously. */
export async function eventually(condition: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Proves a socket did NOT receive something: round-trips a message through the server after
 * the action, so anything the server was going to send has been sent.
 */
export async function settle(socket: Socket): Promise<void> {
  await emitAck(socket, 'sync', { since: Number.MAX_SAFE_INTEGER }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
}
