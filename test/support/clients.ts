import type {
  AckOf,
  ClientEvent,
  ClientEventMap,
  ClientToServerEvents,
  PayloadOf,
  ServerEvent,
  ServerEventMap,
  ServerToClientEvents,
} from '@parley/contract';
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
  // Everything Parley answers is JSON except a few documents (Prometheus text, HTML pages, the
  // JSON Lines export), which come back as { text }.
  const type = response.headers.get('content-type') ?? '';
  const json = type.includes('json') && !type.includes('ndjson');
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

/** People with display names (as a person would see them), each with the password `<name>-passphrase-9`. */
export async function createPeople(
  server: TestServer,
  admin: string,
  people: ReadonlyArray<readonly [username: string, display_name: string, role: 'admin' | 'staff' | 'client']>,
): Promise<void> {
  for (const [username, display_name, role] of people) {
    const response = await api(server, 'POST', '/api/users', { token: admin, body: { username, display_name, role, password: `${username}-passphrase-9` } });
    if (response.status !== 201) throw new Error(`create ${username}: ${JSON.stringify(response.body)}`);
  }
}

/** A socket.io client typed by the contract: a misspelt event or a wrong payload does not compile. */
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const open: ClientSocket[] = [];

/** A socket.io client over a real websocket, closed by closeAllClients(). */
export function connect(server: Pick<TestServer, 'url'>, options: { token?: string; polling?: boolean } = {}): Promise<ClientSocket> {
  const socket: ClientSocket = io(server.url, {
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

/** The payload argument of a client event, optional where the contract lets a client send none. */
type PayloadArgs<E extends ClientEvent> = undefined extends PayloadOf<E> ? [payload?: PayloadOf<E>] : [payload: PayloadOf<E>];

/** Sends a client event and resolves with its ack, typed by the contract. */
export async function request<E extends ClientEvent>(socket: ClientSocket, event: E, ...payload: PayloadArgs<E>): Promise<AckOf<E>> {
  return (await sendRaw(socket, event, ...payload)) as AckOf<E>;
}

/** request() for a step that must succeed: throws with the coded error otherwise. */
export async function requestOk<E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  ...payload: PayloadArgs<E>
): Promise<{ ok: true } & ClientEventMap[E]['ack']> {
  const ack = await request(socket, event, ...payload);
  if (!ack.ok) throw new Error(`${event} refused: ${JSON.stringify(ack.error)}`);
  return ack;
}

/** Sends a client event with no ack callback, as the prototype's pages do. */
export function sendWithoutAck<E extends ClientEvent>(socket: ClientSocket, event: E, payload: PayloadOf<E>): void {
  untyped(socket).emit(event, payload);
}

/**
 * Past the contract's types: any event name, any arguments; resolves with whatever the server
 * acks. For bad input on purpose, and for table-driven tests whose event is a variable.
 */
export async function sendRaw(socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return untyped(socket).timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args);
}

/** sendRaw() without an ack callback: the server answers a failure with parley_error. */
export function sendRawWithoutAck(socket: ClientSocket, event: string, ...args: unknown[]): void {
  untyped(socket).emit(event, ...args);
}

/**
 * The same socket with socket.io's untyped event map, for the helpers here that are generic
 * over the event (socket.io's conditional types cannot be resolved for a type parameter, nor
 * for a plain string); their own signatures carry the contract's types.
 */
const untyped = (socket: ClientSocket) => socket as unknown as Socket;

/** Connects and verifies as the token's user. */
export async function connectAs(server: Pick<TestServer, 'url'>, token: string, role: string, name: string): Promise<ClientSocket> {
  const socket = await connect(server, { token });
  const ack = await request(socket, 'verify_user', { user_type: role, user_name: name });
  if (!ack.ok) throw new Error(`verify ${name}: ${JSON.stringify(ack)}`);
  return socket;
}

/** Records every payload of a server event from now on. */
export function record<E extends ServerEvent>(socket: ClientSocket, event: E): Array<ServerEventMap[E]> {
  const seen: Array<ServerEventMap[E]> = [];
  const name: string = event;
  untyped(socket).on(name, (payload: ServerEventMap[E]) => seen.push(payload));
  return seen;
}

/** The next payload of a server event (that `predicate` accepts), or a rejection after `timeoutMs`. */
export function nextEvent<E extends ServerEvent>(
  socket: ClientSocket,
  event: E,
  predicate: (payload: ServerEventMap[E]) => boolean = () => true,
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<ServerEventMap[E]> {
  const listening = untyped(socket);
  const name: string = event;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listening.off(name, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: ServerEventMap[E]) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      listening.off(name, listener);
      resolve(payload);
    };
    listening.on(name, listener);
  });
}

/**
 * Resolves once the server has answered a request on this socket. The server writes to one
 * socket in order, so whatever it sent this socket before it read the request has arrived by
 * then. That proves "X never came" only once something shows the server would already have
 * sent X (the sender's ack, another recipient's copy of the same emit): wait for that first.
 */
export async function roundTrip(socket: ClientSocket): Promise<void> {
  // Any request answers, even refused (not verified, rate-limited); sync past the end reads nothing.
  await request(socket, 'sync', { since: Number.MAX_SAFE_INTEGER });
}
