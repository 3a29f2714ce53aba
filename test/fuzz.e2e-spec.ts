import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { z } from 'zod';
import {
  conversationSchema,
  conversationsSchema,
  deleteMessageSchema,
  directorySchema,
  editMessageSchema,
  historySchema,
  markReadSchema,
  reactSchema,
  searchSchema,
  sendMessageSchema,
  syncSchema,
  verifyUserSchema,
} from '@parley/contract/schemas';
import { ClientEvents, type ErrorCode, ErrorCodes, normalizeUsername, type ParleyErrorPayload, REACTION_EMOJI, ROLES } from '@parley/contract';
import {
  adminToken,
  api,
  type ClientSocket,
  closeAllClients,
  connect,
  connectAs,
  createUser,
  type Json,
  request,
  roundTrip,
  sendRaw,
  sendRawWithoutAck,
} from './support/clients';
import { eventually } from './support/eventually';
import { POLLUTION_KEYS, encodeSegment, hostileString, hostileValue, payloadFor, searchPayload } from './support/fuzz-arbitraries';
import { startServer, type TestServer } from './support/server';

/**
 * Property-based fuzzing of every socket event and REST route with fast-check, against the
 * real server in this process. For every generated payload: the server answers, with an ack
 * or an HTTP reply carrying a documented code (never INTERNAL, never 5xx, never a stack trace
 * or a file path), it agrees with the published schemas about what is valid, Object.prototype
 * stays clean, and two bystanders keep chatting, in order, the whole time.
 *
 * PARLEY_FUZZ_RUNS sets the total number of payloads (default 10,000); PARLEY_FUZZ_SEED the
 * seed (fixed by default, so CI runs are repeatable). See docs/security.md, "Fuzzing".
 */
const TOTAL_RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 5_2026);

const DOCUMENTED_CODES = new Set<string>(Object.values(ErrorCodes));
/** Documented, but each one here means a bug (INTERNAL) or a broken disk (STORAGE_FAILED). */
const NEVER_EXPECTED = new Set<string>([ErrorCodes.Internal, ErrorCodes.StorageFailed]);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * What must never reach a client: stack frames, the server's source or data paths. (Not any
 * path-like text: error messages may quote a fuzzed name back, which is fine.)
 */
const LEAK = new RegExp(
  // A newline as itself or as JSON's escape, then a stack frame.
  [/(\n|\\n)\s*at \S/, /node_modules[\\/]/, /\.[jt]s:\d+:\d+/]
    .map((r) => r.source)
    .concat(escapeRegExp(process.cwd()), escapeRegExp(join(tmpdir(), 'parley-e2e-')))
    .join('|'),
);

const MAX_MESSAGE_BYTES = 16 * 1024;
const PROTECTED = new Set(['admin', 'fuzz-bot', 'fuzz-admin', 'fuzz-staff', 'fuzz-client', 'fuzz-verify', 'bystander-bea', 'bystander-ben']);
const VICTIM = 'fuzz-victim';
/** A live incoming webhook's path, made in beforeAll (fuzz-bot into group:staff); the placeholder names the row in test titles. */
let fuzzHookPath = '/api/hooks/(live hook)';

// ---- how much of the budget each event and route gets ----

type SocketAs = 'admin' | 'staff' | 'client' | 'unverified' | 'no-session';
interface SocketTarget {
  event: string;
  /** The schema the event's payload must match; null: the payload is ignored. */
  schema: z.ZodType | null;
  payload: fc.Arbitrary<unknown>;
  /** Codes a valid request from a verified socket may still get. */
  refusals: ErrorCode[];
}

// Plausible field values: mostly valid, with hostile ones mixed in, so many payloads get past validation.
const recipient = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ROLES, ...ROLES.map((r) => `group:${r}`), 'user:bystander-bea', 'fuzz-client', 'fuzz-victim', 'nobody') },
  { weight: 1, arbitrary: hostileString },
);
const messageId = fc.oneof({ weight: 4, arbitrary: fc.nat() }, fc.constantFrom(0, Number.MAX_SAFE_INTEGER, -1, 1.5, 2 ** 60));
const limit = (max: number) => fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max }) }, fc.constantFrom(0, max + 1, -1, 1e9));
const message = fc.oneof({ weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }, { weight: 1, arbitrary: hostileString });

const SOCKET_EVENTS: SocketTarget[] = [
  {
    event: ClientEvents.SendMessage,
    schema: sendMessageSchema,
    payload: payloadFor({
      message,
      recipients: recipient,
      client_id: fc.oneof(fc.uuid(), hostileString, fc.constantFrom('\ud800', 'id-\udfff', 'a\u0000', 'x'.repeat(65))),
      reply_to: messageId,
    }),
    refusals: [ErrorCodes.Forbidden, ErrorCodes.UnknownRecipient, ErrorCodes.MessageTooLong, ErrorCodes.UnknownMessage, ErrorCodes.MessageDeleted],
  },
  {
    event: ClientEvents.EditMessage,
    schema: editMessageSchema,
    payload: payloadFor({ id: messageId, message }),
    refusals: [ErrorCodes.UnknownMessage, ErrorCodes.Forbidden, ErrorCodes.EditWindowClosed, ErrorCodes.MessageDeleted, ErrorCodes.ChannelArchived],
  },
  {
    event: ClientEvents.DeleteMessage,
    schema: deleteMessageSchema,
    payload: payloadFor({ id: messageId }),
    refusals: [ErrorCodes.UnknownMessage, ErrorCodes.Forbidden, ErrorCodes.EditWindowClosed, ErrorCodes.ChannelArchived],
  },
  {
    event: ClientEvents.React,
    schema: reactSchema,
    payload: payloadFor({ id: messageId, emoji: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...REACTION_EMOJI, 'nope') }, hostileString), on: fc.oneof(fc.boolean(), hostileValue) }),
    refusals: [ErrorCodes.UnknownMessage, ErrorCodes.MessageDeleted, ErrorCodes.ChannelArchived],
  },
  { event: ClientEvents.Sync, schema: syncSchema, payload: payloadFor({ since: messageId, limit: limit(500) }), refusals: [] },
  {
    event: ClientEvents.History,
    schema: historySchema,
    payload: payloadFor({ conversation: recipient, before: messageId, limit: limit(200) }),
    refusals: [ErrorCodes.UnknownRecipient],
  },
  { event: ClientEvents.Roster, schema: null, payload: hostileValue, refusals: [ErrorCodes.Forbidden] },
  { event: ClientEvents.Conversations, schema: conversationsSchema, payload: payloadFor({ before: messageId }), refusals: [] },
  {
    event: ClientEvents.MarkRead,
    schema: markReadSchema,
    payload: payloadFor({ conversation: recipient, up_to: messageId }),
    refusals: [ErrorCodes.UnknownRecipient],
  },
  {
    event: ClientEvents.Directory,
    schema: directorySchema,
    payload: payloadFor({ after: fc.oneof(fc.constantFrom('a', 'fuzz-client', ''), hostileString), q: fc.oneof(fc.constantFrom('fuzz', '%', '_', ''), hostileString), limit: limit(200) }),
    refusals: [],
  },
  {
    event: ClientEvents.Search,
    schema: searchSchema,
    payload: searchPayload,
    refusals: [ErrorCodes.InvalidQuery, ErrorCodes.UnknownRecipient, ErrorCodes.Forbidden],
  },
  {
    event: ClientEvents.Typing,
    schema: conversationSchema,
    payload: payloadFor({ conversation: recipient }),
    refusals: [ErrorCodes.Forbidden, ErrorCodes.UnknownRecipient],
  },
];

interface RestRoute {
  method: string;
  /** The path, with the fuzzed segment where the route has a parameter. */
  path: (segment: string) => string;
  hasParam: boolean;
  body: fc.Arbitrary<unknown>;
  /** Logout with the fuzzing admin's token would end the session the fuzzing uses. */
  tokens: Array<'admin' | 'staff' | 'none' | 'garbage'>;
  weight: number;
}

const username = fc.oneof(fc.constantFrom(VICTIM, 'new-user', 'Bad Name', ''), hostileString);
const password = fc.oneof(fc.constantFrom('long-enough-password', 'short'), hostileString);
const role = fc.oneof(fc.constantFrom(...ROLES, 'superuser'), hostileValue);
const ALL_TOKENS: RestRoute['tokens'] = ['admin', 'staff', 'none', 'garbage'];
const channelName = fc.oneof(fc.constantFrom('fuzz-room', 'Fuzz-Room', 'staff', ''), hostileString);
const conversation = fc.oneof(fc.constantFrom('group:staff', 'group:nobody', 'channel:fuzz-room', 'team:staff:fuzz-client', 'dm:fuzz-staff:fuzz-client', 'dm:a:a', 'staff', ''), hostileString);
const webhookUrl = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('http://127.0.0.1:9/fuzz', 'https://127.0.0.1:9/') },
  { weight: 2, arbitrary: fc.constantFrom('http://10.0.0.1/', 'http://[::1]/', 'ftp://127.0.0.1/', 'http://u:p@127.0.0.1/', '') },
  { weight: 1, arbitrary: hostileString },
);
const webhookBody = {
  url: webhookUrl,
  events: fc.oneof({ weight: 3, arbitrary: fc.constant(['message']) }, { weight: 1, arbitrary: fc.constantFrom([], ['message', 'message'], ['edit']) }, { weight: 1, arbitrary: hostileValue }),
  conversations: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.array(conversation, { maxLength: 3 }) }, { weight: 1, arbitrary: hostileValue }),
  description: fc.oneof(fc.constant('fuzz'), hostileString),
  enabled: fc.oneof(fc.boolean(), hostileValue),
};
// Never a real retention on what the bystanders send: a kept-forever 0, far-off days, or invalid values.
const retentionDays = fc.oneof(fc.constantFrom(0, 3650, 36500, 36501, -1, 1.5, null), hostileValue);

const REST_ROUTES: RestRoute[] = [
  // Every valid-looking sign-in costs a scrypt comparison; fewer runs keep CI near a minute.
  { method: 'POST', path: () => '/api/auth/login', hasParam: false, body: payloadFor({ username, password }), tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: () => '/api/auth/logout', hasParam: false, body: hostileValue, tokens: ['none', 'garbage'], weight: 2 },
  { method: 'GET', path: () => '/api/session', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 3 },
  { method: 'GET', path: () => '/api/auth/methods', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: () => '/ca.crt', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: () => '/trust', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: () => '/api/me', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 3 },
  { method: 'GET', path: () => '/api/users', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 3 },
  // The page cursor and the search, and the page size, as any text.
  { method: 'GET', path: (s) => `/api/users?after=${s}&q=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/users?limit=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  {
    method: 'POST',
    path: () => '/api/users',
    hasParam: false,
    body: payloadFor({ username, display_name: hostileString, role, password }),
    tokens: ALL_TOKENS,
    weight: 3,
  },
  {
    method: 'PATCH',
    path: (u) => `/api/users/${u}`,
    hasParam: true,
    body: payloadFor({ display_name: hostileString, role, disabled: fc.oneof(fc.boolean(), hostileValue) }),
    tokens: ALL_TOKENS,
    weight: 3,
  },
  { method: 'POST', path: (u) => `/api/users/${u}/sign-out`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 3 },
  { method: 'POST', path: (u) => `/api/users/${u}/password`, hasParam: true, body: payloadFor({ password }), tokens: ALL_TOKENS, weight: 2 },
  // The victim is deleted on the first hit (then 404); protected names are never fuzzed segments.
  { method: 'DELETE', path: (u) => `/api/users/${u}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 2 },
  { method: 'POST', path: (s) => `/api/admin/connections/${s}/disconnect`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 3 },
  // Channels: names in the path as any text, bodies near the schema (staff may create, clients' rules are the matrix's).
  {
    method: 'POST',
    path: () => '/api/channels',
    hasParam: false,
    body: payloadFor({ name: channelName, topic: hostileString, visibility: fc.oneof(fc.constantFrom('public', 'private'), hostileValue), members: fc.oneof(fc.array(username, { maxLength: 3 }), hostileValue) }),
    tokens: ALL_TOKENS,
    weight: 2,
  },
  { method: 'GET', path: () => '/api/channels', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/channels/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/channels/${s}/members`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: (s) => `/api/channels/${s}/members`, hasParam: true, body: payloadFor({ username }), tokens: ALL_TOKENS, weight: 1 },
  { method: 'DELETE', path: (u) => `/api/channels/fuzz-room/members/${u}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  {
    method: 'PATCH',
    path: (s) => `/api/channels/${s}`,
    hasParam: true,
    body: payloadFor({ name: channelName, topic: hostileString, archived: fc.oneof(fc.boolean(), hostileValue) }),
    tokens: ALL_TOKENS,
    weight: 1,
  },
  // Retention overrides and the export: conversation names and dates as any text.
  { method: 'GET', path: () => '/api/admin/retention', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'PUT', path: () => '/api/admin/retention', hasParam: false, body: payloadFor({ conversation, days: retentionDays }), tokens: ALL_TOKENS, weight: 2 },
  { method: 'GET', path: (s) => `/api/admin/export?conversation=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/admin/export?after=${s}&before=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Outgoing webhooks: bodies near the schema, ids and delivery ids as any text.
  { method: 'GET', path: () => '/api/admin/webhooks', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: () => '/api/admin/webhooks', hasParam: false, body: payloadFor(webhookBody), tokens: ALL_TOKENS, weight: 2 },
  { method: 'PATCH', path: (s) => `/api/admin/webhooks/${s}`, hasParam: true, body: payloadFor(webhookBody), tokens: ALL_TOKENS, weight: 1 },
  { method: 'PATCH', path: () => '/api/admin/webhooks/1', hasParam: false, body: payloadFor(webhookBody), tokens: ALL_TOKENS, weight: 1 },
  { method: 'DELETE', path: (s) => `/api/admin/webhooks/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: (s) => `/api/admin/webhooks/${s}/secret`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/admin/webhooks/${s}/deliveries?status=${s}&limit=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: (s) => `/api/admin/webhooks/1/deliveries/${s}/retry`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Search: any text in each query key, and keys the route does not know.
  { method: 'GET', path: (s) => `/api/search?q=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/search?q=deploy&in=${s}&from=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/search?q=x&before=${s}&after=${s}&on=${s}&tz=${s}&limit=${s}&cursor=${s}&order=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Files: ids as any text; an upload with any body but a file (multipart is test/files.e2e-spec.ts's).
  { method: 'GET', path: (s) => `/api/files/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/files/${s}/thumbnail`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: () => '/api/files', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Resumable uploads: ids as any text, and requests without tus's headers.
  { method: 'POST', path: () => '/api/uploads', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'PATCH', path: (s) => `/api/uploads/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'DELETE', path: (s) => `/api/uploads/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Messages over REST: send_message's fields, conversation ids and page fields as any text.
  { method: 'POST', path: () => '/api/messages', hasParam: false, body: payloadFor({ message, recipients: recipient, client_id: hostileString, reply_to: messageId }), tokens: ALL_TOKENS, weight: 2 },
  { method: 'GET', path: (s) => `/api/conversations/${s}/messages`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'GET', path: (s) => `/api/conversations/group:staff/messages?before=${s}&limit=${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Bots: names and roles near the schema; rotating and revoking any name.
  { method: 'GET', path: () => '/api/admin/bots', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'POST', path: () => '/api/admin/bots', hasParam: false, body: payloadFor({ username, display_name: hostileString, role }), tokens: ALL_TOKENS, weight: 2 },
  { method: 'POST', path: (u) => `/api/admin/bots/${u}/token`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'DELETE', path: (u) => `/api/admin/bots/${u}/token`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  // Incoming webhooks: bodies near the schema, ids and tokens as any text. The live hook's row
  // comes before the revoking one, so its bodies are fuzzed while it still works (then 429s past its limit).
  { method: 'GET', path: () => '/api/admin/incoming-webhooks', hasParam: false, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  {
    method: 'POST',
    path: () => '/api/admin/incoming-webhooks',
    hasParam: false,
    body: payloadFor({ bot: fc.oneof(fc.constantFrom('fuzz-bot', 'fuzz-staff', ''), hostileString), conversation: fc.oneof(recipient, conversation), name: hostileString }),
    tokens: ALL_TOKENS,
    weight: 2,
  },
  { method: 'POST', path: () => fuzzHookPath, hasParam: false, body: payloadFor({ text: message, client_id: hostileString, recipients: recipient }), tokens: ALL_TOKENS, weight: 2 },
  { method: 'POST', path: (s) => `/api/hooks/${s}`, hasParam: true, body: payloadFor({ text: message }), tokens: ALL_TOKENS, weight: 1 },
  { method: 'DELETE', path: (s) => `/api/admin/incoming-webhooks/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 1 },
  { method: 'ANY', path: (s) => `/api/${s}`, hasParam: true, body: hostileValue, tokens: ALL_TOKENS, weight: 3 },
];

const SOCKET_WEIGHT = 6;
const UNKNOWN_EVENT_WEIGHT = 3;
const VERIFY_WEIGHT = 4;
const totalWeight =
  SOCKET_EVENTS.length * SOCKET_WEIGHT + UNKNOWN_EVENT_WEIGHT + VERIFY_WEIGHT + REST_ROUTES.reduce((sum, r) => sum + r.weight, 0);
const runsFor = (weight: number) => Math.ceil((TOTAL_RUNS * weight) / totalWeight);
/** Generous: a hang must fail, but this is not a speed check (a few ms per payload is typical). */
const timeoutFor = (runs: number) => 60_000 + runs * 100;

// ---- the wire, as the server will see it ----

function hasBinary(value: unknown, depth = 0): boolean {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  if (depth > 50 || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((v) => hasBinary(v, depth + 1));
}

/** What the server's handler receives as its payload (socket.io's JSON, then Nest's argument mapping). */
function dataSeenByServer(args: unknown[], withAck: boolean): unknown {
  const wire = JSON.parse(JSON.stringify(args)) as unknown[];
  if (withAck) return wire.length === 0 ? undefined : wire.length === 1 ? wire[0] : wire;
  return wire.length === 1 ? wire[0] : wire;
}

const segment = fc.oneof(
  { weight: 4, arbitrary: hostileString.filter((s) => s.length < 2000 && !PROTECTED.has(normalizeUsername(s))).map(encodeSegment) },
  { weight: 2, arbitrary: fc.constant(VICTIM) },
  { weight: 1, arbitrary: fc.constantFrom('nobody', '%', '%zz', '%ff%fe', '%00', '..', '.', 'a'.repeat(5000), '%E0%A4%A', '__proto__') },
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('?__proto__[polluted]=1', '?constructor[prototype][polluted]=1', '?a[b][c][d]=1&a=2', '?%', '?x=%ff') },
  { weight: 1, arbitrary: fc.array(fc.tuple(hostileString, hostileString), { maxLength: 3 }).map((kv) => `?${kv.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}`) },
);

type BodyKind = 'json' | 'none' | 'raw-json' | 'huge' | 'binary' | 'form' | 'text';

describe('fuzzing every socket event and REST route', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};
  const sockets = {} as Record<SocketAs | 'verify-live' | 'verify-none', ClientSocket>;
  const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
  const baseline = prototypes.map((p) => Object.getOwnPropertyNames(p).sort());
  const counts: Record<string, number> = {};
  /** Per event or route: how often each answer came (ok, a code, a status); shows how deep the fuzzing got. */
  const outcomes: Record<string, Record<string, number>> = {};
  const tally = (label: string, outcome: string) => {
    const row = (outcomes[label] ??= {});
    row[outcome] = (row[outcome] ?? 0) + 1;
  };
  /** Malformed replies noticed outside a property (parley_error events); must stay empty. */
  const violations: string[] = [];
  /** parley_error events not yet matched to the request that caused them, per socket. */
  const pendingErrors = new Map<ClientSocket, ParleyErrorPayload[]>();

  function checkClean(text: string, where: string): void {
    if (LEAK.test(text)) throw new Error(`${where}: leaked internals: ${text.slice(0, 300)}`);
  }

  function checkErrorBody(error: unknown, where: string): ErrorCode {
    const body = error as { code?: unknown; message?: unknown };
    if (typeof body?.code !== 'string' || !DOCUMENTED_CODES.has(body.code)) throw new Error(`${where}: undocumented code ${JSON.stringify(error)}`);
    if (NEVER_EXPECTED.has(body.code)) throw new Error(`${where}: ${body.code}: ${String(body.message)}`);
    if (typeof body.message !== 'string') throw new Error(`${where}: no message`);
    checkClean(body.message, where);
    return body.code as ErrorCode;
  }

  function checkPrototypes(): void {
    prototypes.forEach((p, i) => expect(Object.getOwnPropertyNames(p).sort()).toEqual(baseline[i]));
    const probe = {} as Record<string, unknown>;
    for (const key of ['polluted', 'isAdmin', 'role', 'admin']) expect(probe[key]).toBeUndefined();
  }

  function watchErrors(socket: ClientSocket, label: string): ClientSocket {
    pendingErrors.set(socket, []);
    // Typed as the contract says; these checks are there because a fuzzed server might not.
    socket.on('parley_error', (payload) => {
      try {
        checkErrorBody(payload, `parley_error to ${label}`);
        if (typeof payload.event !== 'string') throw new Error(`parley_error to ${label} names no event`);
      } catch (error) {
        violations.push(String(error));
      }
      pendingErrors.get(socket)!.push(payload);
    });
    return socket;
  }

  /** Waits for (and consumes) the parley_error a request without an ack must produce. */
  async function takeError(socket: ClientSocket, event: string, code: string): Promise<void> {
    const queue = pendingErrors.get(socket)!;
    const matching = () => queue.findIndex((e) => e.event === event && e.code === code);
    await eventually(
      () => {
        if (matching() < 0) throw new Error(`no parley_error ${code} for ${event}: got ${JSON.stringify(queue.slice(-3))}`);
      },
      { intervalMs: 2 },
    );
    queue.splice(matching(), 1);
  }

  // ---- bystanders: two people chatting through all of it ----

  const bystander = { sent: 0, delivered: 0, stopped: false, failures: [] as string[], loop: Promise.resolve() };
  const received: Record<string, number[]> = { 'bystander-bea': [], 'bystander-ben': [] };

  async function chat(bea: ClientSocket, ben: ClientSocket): Promise<void> {
    while (!bystander.stopped) {
      const i = bystander.sent++;
      const [from, to] = i % 2 === 0 ? [bea, 'bystander-ben'] : [ben, 'bystander-bea'];
      const target = to === 'bystander-ben' ? received['bystander-ben'] : received['bystander-bea'];
      const before = target.length;
      try {
        const ack = await request(from, 'send_message', { message: `bystander ${i}`, recipients: `user:${to}` });
        if (ack.ok !== true) bystander.failures.push(`bystander ${i}: ${JSON.stringify(ack)}`);
        await eventually(() => target.length > before, { intervalMs: 1, what: `bystander ${i} delivered` });
        bystander.delivered++;
      } catch (error) {
        bystander.failures.push(`bystander ${i}: ${String(error)}`);
      }
      // People type slower than this; it leaves the event loop to the fuzzing.
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Fails if the bystanders stopped getting messages through. */
  async function bystandersStillChat(): Promise<void> {
    const before = bystander.delivered;
    await eventually(
      () => {
        expect(bystander.failures).toEqual([]);
        expect(bystander.delivered).toBeGreaterThanOrEqual(before + 2);
      },
      { timeoutMs: 10_000, intervalMs: 5 },
    );
  }

  beforeAll(async () => {
    server = await startServer({
      PARLEY_RATE_LIMIT_PER_SECOND: '1000000',
      PARLEY_RATE_LIMIT_BURST: '1000000',
      // Durability is not under test here; an fsync per commit would make this several times slower.
      PARLEY_SQLITE_DURABILITY: 'survive-process-crash-only',
      // So a fuzzed webhook URL can get past the address check (nothing listens on port 9).
      PARLEY_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    });
    const admin = await adminToken(server);
    tokens.admin = await createUser(server, admin, 'fuzz-admin', 'admin');
    tokens.staff = await createUser(server, admin, 'fuzz-staff', 'staff');
    tokens.client = await createUser(server, admin, 'fuzz-client', 'client');
    tokens.verify = await createUser(server, admin, 'fuzz-verify', 'staff');
    await createUser(server, admin, VICTIM, 'client');
    expect((await api(server, 'POST', '/api/admin/bots', { token: admin, body: { username: 'fuzz-bot', role: 'staff' } })).status).toBe(201);
    const hook = await api(server, 'POST', '/api/admin/incoming-webhooks', { token: admin, body: { bot: 'fuzz-bot', conversation: 'group:staff' } });
    fuzzHookPath = new URL(hook.body.url as string).pathname;
    sockets.admin = watchErrors(await connectAs(server, tokens.admin, 'admin', 'fuzz-admin'), 'admin');
    sockets.staff = watchErrors(await connectAs(server, tokens.staff, 'staff', 'fuzz-staff'), 'staff');
    sockets.client = watchErrors(await connectAs(server, tokens.client, 'client', 'fuzz-client'), 'client');
    sockets.unverified = watchErrors(await connect(server, { token: tokens.staff }), 'unverified');
    sockets['no-session'] = watchErrors(await connect(server), 'no-session');
    sockets['verify-live'] = watchErrors(await connect(server, { token: tokens.verify }), 'verify-live');
    sockets['verify-none'] = watchErrors(await connect(server), 'verify-none');

    const bea = await connectAs(server, await createUser(server, admin, 'bystander-bea', 'staff'), 'staff', 'bystander-bea');
    const ben = await connectAs(server, await createUser(server, admin, 'bystander-ben', 'staff'), 'staff', 'bystander-ben');
    for (const [socket, name] of [[bea, 'bystander-bea'], [ben, 'bystander-ben']] as const) {
      socket.on('message_from_user', (m) => {
        const match = /^bystander (\d+)$/.exec(m.message);
        if (match && m.sender_name.startsWith('bystander-')) received[name].push(Number(match[1]));
      });
    }
    bystander.loop = chat(bea, ben);
  });

  afterAll(async () => {
    bystander.stopped = true;
    await bystander.loop;
    closeAllClients();
    await server.stop();
  });

  // ---- socket events ----

  const socketCall = (payload: fc.Arbitrary<unknown>, as: fc.Arbitrary<string>) =>
    fc.record({
      as,
      withAck: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      arity: fc.oneof({ weight: 12, arbitrary: fc.constant(1) }, fc.constant(0), fc.constant(2), fc.constant(3)),
      payload,
      extra: fc.tuple(hostileValue, hostileValue),
    });

  type Expected = { code: string } | { anyOf: Set<string>; ok: boolean };

  async function fuzzSocket(event: string, socket: ClientSocket, call: { withAck: boolean; arity: number; payload: unknown; extra: [unknown, unknown] }, expected: Expected, onOk?: (ack: Json) => void, label = event) {
    if (!socket.connected) throw new Error('the server closed a fuzzed socket');
    const args = [call.payload, ...call.extra].slice(0, call.arity);
    const where = `${event} ${JSON.stringify(args)?.slice(0, 200)}`;
    if (call.withAck) {
      const ack = (await sendRaw(socket, event, ...args)) as Json;
      checkClean(JSON.stringify(ack), where);
      tally(label, ack.ok === true ? 'ok' : String((ack.error as Json | undefined)?.code));
      if (ack.ok === true) {
        if ('code' in expected || !expected.ok) throw new Error(`${where}: ok, expected ${JSON.stringify([...('code' in expected ? [expected.code] : expected.anyOf)])}`);
        onOk?.(ack);
      } else {
        if (ack.ok !== false || Object.keys(ack).length !== 2) throw new Error(`${where}: not an ack: ${JSON.stringify(ack).slice(0, 300)}`);
        const code = checkErrorBody(ack.error, where);
        const allowed = 'code' in expected ? code === expected.code || code === ErrorCodes.RateLimited : expected.anyOf.has(code);
        if (!allowed) throw new Error(`${where}: ${code} (${(ack.error as Json).message}), expected ${'code' in expected ? expected.code : [...expected.anyOf].join('|')}`);
      }
    } else {
      sendRawWithoutAck(socket, event, ...args);
      tally(label, 'no ack');
      if ('code' in expected) await takeError(socket, event.slice(0, 64), expected.code);
      else await roundTrip(socket);
    }
    checkPrototypes();
    counts[label] = (counts[label] ?? 0) + 1;
  }

  it.each(SOCKET_EVENTS.map((target) => [target.event, target] as const))(
    'socket event %s: a coded answer for every payload, from verified and unverified sockets',
    async (_event, target) => {
      const runs = runsFor(SOCKET_WEIGHT);
      const as = fc.constantFrom<SocketAs>('admin', 'staff', 'client', 'unverified', 'no-session');
      await fc.assert(
        fc.asyncProperty(socketCall(target.payload, as), async (call) => {
          const args = [call.payload, ...call.extra].slice(0, call.arity);
          const verified = ['admin', 'staff', 'client'].includes(call.as);
          const data = dataSeenByServer(args, call.withAck);
          const parsed = target.schema?.safeParse(data);
          let expected: Expected;
          if (hasBinary(args)) {
            expected = { anyOf: new Set([ErrorCodes.InvalidPayload, ErrorCodes.NotVerified, ErrorCodes.RateLimited, ...target.refusals]), ok: verified };
          } else if (parsed && !parsed.success) {
            expected = { code: ErrorCodes.InvalidPayload };
          } else if (
            (target.event === ClientEvents.SendMessage || target.event === ClientEvents.EditMessage) &&
            Buffer.byteLength((parsed!.data as { message: string }).message) > MAX_MESSAGE_BYTES
          ) {
            expected = { code: ErrorCodes.MessageTooLong };
          } else if (!verified) {
            expected = { code: ErrorCodes.NotVerified };
          } else {
            expected = { anyOf: new Set([ErrorCodes.RateLimited, ...target.refusals]), ok: true };
          }
          await fuzzSocket(target.event, sockets[call.as as SocketAs], call, expected, (ack) => {
            if (target.event === ClientEvents.SendMessage) {
              // The ack names the message as the client sent it: its client_id comes back unchanged.
              const sent = (parsed?.data as { client_id?: string } | undefined)?.client_id ?? null;
              if (parsed && ack.client_id !== sent) throw new Error(`client_id ${JSON.stringify(sent)} came back as ${JSON.stringify(ack.client_id)}`);
            }
          });
        }),
        { seed: SEED, numRuns: runs },
      );
      expect(violations).toEqual([]);
      await bystandersStillChat();
    },
    timeoutFor(runsFor(SOCKET_WEIGHT)),
  );

  it(
    'socket event verify_user: only a claim matching the socket\'s own session verifies',
    async () => {
      const claim = payloadFor({
        user_type: fc.constantFrom(...ROLES, 'superuser', 'STAFF'),
        user_name: fc.oneof(fc.constantFrom('fuzz-verify', ' FUZZ-Verify ', 'fuzz-verify\u0000', 'fuzz-admin', 'admin'), hostileString),
      });
      await fc.assert(
        fc.asyncProperty(socketCall(claim, fc.constantFrom('verify-live', 'verify-none')), async (call) => {
          const args = [call.payload, ...call.extra].slice(0, call.arity);
          const parsed = verifyUserSchema.safeParse(dataSeenByServer(args, call.withAck));
          let expected: Expected;
          if (hasBinary(args)) expected = { anyOf: new Set([ErrorCodes.InvalidPayload, ErrorCodes.NotAuthorised]), ok: call.as === 'verify-live' };
          else if (!parsed.success) expected = { code: ErrorCodes.InvalidPayload };
          else {
            const own = call.as === 'verify-live' && parsed.data.user_type === 'staff' && normalizeUsername(parsed.data.user_name) === 'fuzz-verify';
            expected = own ? { anyOf: new Set(), ok: true } : { code: ErrorCodes.NotAuthorised };
          }
          await fuzzSocket(ClientEvents.VerifyUser, sockets[call.as as 'verify-live'], call, expected, (ack) => {
            expect(ack.user).toMatchObject({ username: 'fuzz-verify', role: 'staff' });
          });
        }),
        { seed: SEED, numRuns: runsFor(VERIFY_WEIGHT) },
      );
      expect(violations).toEqual([]);
      await bystandersStillChat();
    },
    timeoutFor(runsFor(VERIFY_WEIGHT)),
  );

  it(
    'unknown socket events (any name, any arguments) get UNKNOWN_EVENT',
    async () => {
      const known = new Set<string>([...Object.values(ClientEvents)]);
      // socket.io-client refuses to emit these itself.
      const reserved = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
      const name = fc.oneof(fc.constantFrom(...POLLUTION_KEYS, 'make_me_admin', 'update_web_app', 'message_from_user'), hostileString).filter((n) => !known.has(n) && !reserved.has(n));
      await fc.assert(
        fc.asyncProperty(name, socketCall(hostileValue, fc.constantFrom<SocketAs>('admin', 'client', 'no-session')), async (event, call) => {
          await fuzzSocket(event, sockets[call.as as SocketAs], call, { code: ErrorCodes.UnknownEvent }, undefined, '(unknown events)');
        }),
        { seed: SEED, numRuns: runsFor(UNKNOWN_EVENT_WEIGHT) },
      );
      expect(violations).toEqual([]);
      await bystandersStillChat();
    },
    timeoutFor(runsFor(UNKNOWN_EVENT_WEIGHT)),
  );

  // ---- REST ----

  const restRequest = (route: RestRoute) =>
    fc.record({
      // Mostly the admin's token, so requests get past the guard to validation and the service.
      token: route.tokens.includes('admin') ? fc.oneof({ weight: 3, arbitrary: fc.constant('admin' as const) }, fc.constantFrom(...route.tokens)) : fc.constantFrom(...route.tokens),
      segment,
      query,
      method: route.method === 'ANY' ? fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE') : fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH')),
      bodyKind: fc.oneof({ weight: 6, arbitrary: fc.constant<BodyKind>('json') }, fc.constantFrom<BodyKind>('none', 'raw-json', 'huge', 'binary', 'form', 'text')),
      body: route.body,
      raw: hostileString,
    });

  it.each(REST_ROUTES.map((route) => [`${route.method} ${route.path(':param')}`, route] as const))(
    'REST %s: a 2xx or a 4xx with a JSON body and a documented code, for every request',
    async (label, route) => {
      await fc.assert(
        fc.asyncProperty(restRequest(route), async (r) => {
          const headers: Record<string, string> = {};
          if (r.token === 'admin' || r.token === 'staff') headers.authorization = `Bearer ${tokens[r.token]}`;
          if (r.token === 'garbage') headers.authorization = `Bearer ${r.raw.replace(/[^\x20-\x7e]/g, '').slice(0, 400)}`;
          let body: string | Blob | undefined;
          switch (r.bodyKind) {
            case 'json':
              body = r.body === undefined ? undefined : JSON.stringify(r.body);
              headers['content-type'] = 'application/json';
              break;
            case 'raw-json':
              body = r.raw;
              headers['content-type'] = 'application/json';
              break;
            case 'huge':
              body = JSON.stringify({ password: 'x'.repeat(70_000) });
              headers['content-type'] = 'application/json';
              break;
            case 'binary':
              body = new Blob([new Uint8Array(Buffer.from(r.raw, 'utf16le'))]);
              headers['content-type'] = 'application/octet-stream';
              break;
            case 'form':
              body = `__proto__[polluted]=1&constructor[prototype][polluted]=1&username=${encodeSegment(r.raw)}`;
              headers['content-type'] = 'application/x-www-form-urlencoded';
              break;
            case 'text':
              body = r.raw;
              headers['content-type'] = 'text/plain';
              break;
            case 'none':
              break;
          }
          if (r.method === 'GET' && body !== undefined) body = undefined;
          const path = (route.hasParam ? route.path(r.segment) : route.path('')) + r.query;
          const where = `${r.method} ${path.slice(0, 120)} (${r.bodyKind})`;
          const response = await fetch(`${server.url}${path}`, { method: r.method, headers, body });
          const text = await response.text();
          checkClean(text, where);
          tally(label, String(response.status));
          if (response.status >= 500) throw new Error(`${where}: ${response.status} ${text.slice(0, 300)}`);
          // A segment such as '..' resolves the URL out of /api (fetch normalises it, as a browser
          // would): a GET there is the web app's page, served as HTML.
          const outsideApi = !new URL(`${server.url}${path}`).pathname.startsWith('/api/');
          if (outsideApi && r.method === 'GET' && response.status === 200 && response.headers.get('content-type')?.startsWith('text/html')) {
            expect(text).toContain('<title>Parley</title>');
          } else if (response.status === 200 && response.headers.get('content-type')?.startsWith('application/x-ndjson')) {
            // The export: JSON Lines, each line one message.
            for (const line of text.split('\n').filter((l) => l.length > 0)) JSON.parse(line);
          } else if (response.status === 204) {
            if (text !== '') throw new Error(`${where}: 204 with a body`);
          } else {
            if (!response.headers.get('content-type')?.startsWith('application/json')) throw new Error(`${where}: ${response.status} not JSON: ${text.slice(0, 200)}`);
            const json = JSON.parse(text) as Json;
            if (response.status >= 400) {
              checkErrorBody(json, where);
              if (json.statusCode !== response.status) throw new Error(`${where}: statusCode ${String(json.statusCode)} on a ${response.status}`);
            }
          }
          checkPrototypes();
          counts[label] = (counts[label] ?? 0) + 1;
        }),
        { seed: SEED, numRuns: runsFor(route.weight) },
      );
      // The fuzzing admin is still signed in and still an admin: nothing above took that away.
      expect((await fetch(`${server.url}/api/users`, { headers: { authorization: `Bearer ${tokens.admin}` } })).status).toBe(200);
      await bystandersStillChat();
    },
    timeoutFor(runsFor(3)),
  );

  it('fuzzed the whole budget, and the bystanders got every message, in order', async () => {
    bystander.stopped = true;
    await bystander.loop;
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    // The figures docs/security.md quotes.
    const lines = Object.entries(counts).map(([k, n]) => `  ${k}: ${n}  ${JSON.stringify(outcomes[k] ?? {})}`);
    console.log(`fuzzed ${total} payloads (seed ${SEED}):\n${lines.join('\n')}\nbystander messages: ${bystander.delivered}`);
    expect(total).toBeGreaterThanOrEqual(TOTAL_RUNS);
    expect(bystander.failures).toEqual([]);
    const sent = Array.from({ length: bystander.sent }, (_, i) => i);
    expect(received['bystander-ben']).toEqual(sent.filter((i) => i % 2 === 0).slice(0, received['bystander-ben'].length));
    expect(received['bystander-bea']).toEqual(sent.filter((i) => i % 2 === 1).slice(0, received['bystander-bea'].length));
    expect(received['bystander-ben'].length + received['bystander-bea'].length).toBe(bystander.delivered);
    expect(violations).toEqual([]);
  });
});
