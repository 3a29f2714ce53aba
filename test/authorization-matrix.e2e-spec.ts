import sharp from 'sharp';
import { hashSessionToken } from '../backend/src/auth/session-token';
import {
  canReadGroup,
  type Announcement,
  canSendToGroup,
  canSendToUser,
  type ChannelInfo,
  ClientEvents,
  type ErrorCode,
  ErrorCodes,
  hasCapability,
  type ReadPayload,
  type Role,
  ROLES,
  type RosterDiffPayload,
  type TypingPayload,
  type UpdateWebAppPayload,
  type WireMessage,
} from '@parley/contract';
import { Broadcaster, Rooms } from '../backend/src/realtime/broadcaster.service';
import { UserRegistryService } from '../backend/src/registry/user-registry.service';
import { ChannelRepository } from '../backend/src/storage/channel.repository';
import { DatabaseService } from '../backend/src/storage/database.service';
import {
  CHANNEL_TARGETS,
  CLAIMS,
  DISABLED_USER,
  PRINCIPALS,
  SOCKET_TARGETS,
  TABLE,
  TARGETED_EVENTS,
  deletableUser,
  describeChannelTarget,
  describeTarget,
  expectedChannelOutcome,
  expectedRestMessageOutcome,
  expectedRestOutcome,
  expectedSocketOutcome,
  expectedVerifyOutcome,
  resolveTarget,
  targetUser,
  victimUser,
  visibleTo,
  conversationOf,
  reaches as reachesOf,
  type ChannelAction,
  type ChannelTarget,
  type Claim,
  type Outcome,
  type Principal,
  type Resolved,
  type RestGuard,
  type SocketAction,
  expectedMessageOutcome,
  MESSAGE_EVENTS,
  MESSAGE_TARGETS,
  type MessageTarget,
  type SocketTarget,
} from './support/authorization-model';
import {
  adminToken,
  api,
  type ClientSocket,
  closeAllClients,
  connect,
  connectAs,
  createUser,
  type Json,
  login,
  request,
  requestOk,
  roundTrip,
  sendRaw,
} from './support/clients';
import { eventually } from './support/eventually';
import { startServer, type TestServer } from './support/server';

/**
 * Every principal (role, or a socket/session in some unusable state) x every action (socket
 * event, REST route, roster and admin action) x every kind of target, with the expected answer
 * computed from the permission table (test/support/authorization-model.ts). A refused action
 * must also leave no trace: nothing delivered, stored, changed or closed. One server and one
 * set of sockets serve every case; each case uses fresh message texts and names.
 */

const password = (username: string) => `${username}-passphrase-9`;

/** A socket whose every received event is recorded, with who it belongs to. */
interface Observer {
  label: string;
  socket: ClientSocket;
  username: string | null;
  role: Role | null;
  verified: boolean;
  messages: WireMessage[];
  typing: TypingPayload[];
  roster: Array<UpdateWebAppPayload | RosterDiffPayload>;
  read: ReadPayload[];
  announcements: Announcement[];
}

function observe(label: string, socket: ClientSocket, who: { username: string | null; role: Role | null; verified: boolean }): Observer {
  const observer: Observer = { label, socket, ...who, messages: [], typing: [], roster: [], read: [], announcements: [] };
  socket.on('message_from_user', (m) => observer.messages.push(m));
  socket.on('typing', (m) => observer.typing.push(m));
  socket.on('update_web_app', (m) => observer.roster.push(m));
  socket.on('roster_diff', (m) => observer.roster.push(m));
  socket.on('read', (m) => observer.read.push(m));
  socket.on('announcement', (m) => observer.announcements.push(m));
  return observer;
}

// ---- REST rows: one line per route; `check` adds the effect (or its absence) where there is one ----

interface RestTarget {
  label: string;
  role?: Role;
  exists: boolean;
  /** Channel routes: the channel made for the case (test/support/authorization-model.ts). */
  channel?: ChannelTarget;
  /** File routes: the file made in beforeAll. */
  file?: FileTarget;
  /** Message routes: what the recipients or conversation id names (null: nothing). */
  resolved?: Resolved;
}

/**
 * A file for the file routes: who uploaded it, and the message that carries it (as the model's
 * visibleTo reads one), or null when it was never sent.
 */
interface FileTarget {
  uploader: { username: string; role: Role };
  recipients: string | null;
  message: Record<string, unknown> | null;
}

/** An image posted to each role group (by the first role that may post there), one in a DM, one never sent. */
const FILE_TARGETS: RestTarget[] = (() => {
  const sentToGroup = ROLES.map((group): RestTarget => {
    const role = ROLES.find((r) => canSendToGroup(TABLE, r, group))!;
    const uploader = { username: targetUser(role), role };
    const team = !canReadGroup(TABLE, role, group);
    const message = { sender_name: uploader.username, target_kind: team ? 'team' : 'group', target: group, guest: team ? uploader.username : undefined };
    return { label: `image sent to group:${group} by ${uploader.username}`, exists: true, file: { uploader, recipients: `group:${group}`, message } };
  });
  const [from, to] = ROLES.flatMap((a) => ROLES.filter((b) => b !== a && canSendToUser(TABLE, a, b)).map((b) => [a, b] as const))[0];
  const dm: RestTarget = {
    label: `image ${targetUser(from)} sent to ${targetUser(to)}`,
    exists: true,
    file: { uploader: { username: targetUser(from), role: from }, recipients: `user:${targetUser(to)}`, message: { sender_name: targetUser(from), target_kind: 'user', target: targetUser(to) } },
  };
  const unsent: RestTarget = { label: 'image p-staff uploaded and never sent', exists: true, file: { uploader: { username: 'p-staff', role: 'staff' }, recipients: null, message: null } };
  return [...sentToGroup, dm, unsent, { label: 'unknown file id', exists: false }];
})();

/** Who may fetch a file: its uploader until it is sent, then whoever may see the message (docs/protocol.md, "Files"). */
function fileOutcome(principal: Principal, target: RestTarget): { status: 'success' } | { status: number; code: ErrorCode } {
  const signedIn = expectedRestOutcome(principal, 'signed-in', true);
  if (signedIn.status !== 'success') return signedIn;
  const file = target.file;
  const viewer = { username: principal.username!, role: principal.role! };
  const may = file !== undefined && (file.message ? visibleTo(viewer, file.message) : file.uploader.username === viewer.username);
  return may ? { status: 'success' } : { status: 404, code: ErrorCodes.UnknownFile };
}

/** A multipart body as a browser's FormData sends it. */
const MULTIPART_BOUNDARY = 'matrix-boundary';
const multipartText = (name: string, text: string) =>
  `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--${MULTIPART_BOUNDARY}--\r\n`;
interface RestContext {
  principal: Principal;
  target: RestTarget;
  /** Unique per case: for names and texts this case creates. */
  n: number;
  allowed: boolean;
}
interface RestRow {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The route as the server declares it (Express syntax). */
  route: string;
  guard: RestGuard;
  targets?: RestTarget[];
  /** Status of a success; default 200. */
  success?: number;
  /** HEAD: a refusal has its status and no body to compare. */
  noBody?: true;
  /** Sets up what the case acts on (a fresh channel), before the request. */
  prepare?: (ctx: RestContext) => Promise<void>;
  /** Fills in the route's parameters and body; default: the route as is, no body. */
  request?: (ctx: RestContext) => { path?: string; body?: unknown; token?: string | null; rawBody?: string; headers?: Record<string, string> };
  /** The answer when it does not follow from the guard alone (sign-in, an announcement's roles). */
  outcome?: (principal: Principal, target: RestTarget) => { status: 'success' } | { status: number; code: ErrorCode };
  /** Asserts the effect of an allowed case and the absence of one for a refused case. */
  check?: (ctx: RestContext, body: Json) => Promise<void>;
}

const NO_TARGET: RestTarget[] = [{ label: '-', exists: true }];
/** Each role group and each role's target user, by id, and a name nobody has. */
const CONVERSATION_TARGETS: RestTarget[] = [
  ...ROLES.flatMap((role): RestTarget[] => [
    { label: `group:${role}`, exists: true, resolved: { kind: 'group', role } },
    { label: `user:${targetUser(role)}`, exists: true, resolved: { kind: 'user', role, username: targetUser(role) } },
  ]),
  { label: 'user:nobody', exists: false, resolved: null },
];
/** The bot the bot routes act on, and a person's name, which is no bot (404 as for a name nobody has). */
const MATRIX_BOT = 'matrix-bot';
const BOT_TARGETS: RestTarget[] = [
  { label: MATRIX_BOT, exists: true },
  { label: targetUser('staff'), exists: false },
];
const userTargets = (name: (role: Role) => string): RestTarget[] => [
  ...ROLES.map((role) => ({ label: name(role), role, exists: true })),
  { label: 'unknown user', exists: false },
];

describe('authorization matrix', () => {
  let server: TestServer;
  let setupAdmin: string;
  const tokens = new Map<string, string | null>();
  const principalSockets = new Map<string, ClientSocket>();
  const targetSockets = new Map<Role, ClientSocket>();
  const goneSocketIds = new Map<Role, string>();
  const victims = new Map<Role, { token: string; observer: Observer }>();
  const targetTokens = new Map<Role, string>();
  /** FILE_TARGETS' labels → the ids of the files made for them. */
  const fileIds = new Map<string, string>();
  /** A 5-byte resumable upload of p-staff's for each of HEAD, PATCH and DELETE. */
  const uploadPaths = new Map<string, string>();
  const observers: Observer[] = [];
  let caseNumber = 0;
  const deletedBefore = new Set<Role>();

  const db = () => server.app.get(DatabaseService).db;
  const roomSize = (room: string) => server.app.get(Broadcaster).localRoomSize(room);

  /** A round trip on every recorded socket: whatever the server sent them before has arrived. */
  const flush = () => Promise.all(observers.filter((o) => o.socket.connected).map((o) => roundTrip(o.socket)));

  /** Every account, through every page of GET /api/users. */
  const userList = async () => {
    const all: Json[] = [];
    for (let after: string | null = ''; after !== null; ) {
      const { body }: { body: Json } = await api(server, 'GET', `/api/users?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`, { token: setupAdmin });
      all.push(...(body.users as Json[]));
      after = body.next_after as string | null;
    }
    return all;
  };
  const isLive = async (token: string) => (await api(server, 'GET', '/api/me', { token })).status === 200;

  async function connectVictim(role: Role): Promise<void> {
    const name = victimUser(role);
    const old = victims.get(role);
    const token = old && (await isLive(old.token)) ? old.token : await login(server, name, password(name));
    const observer = observe(name, await connectAs(server, token, role, name), { username: name, role, verified: true });
    if (old) observers.splice(observers.indexOf(old.observer), 1, observer);
    else observers.push(observer);
    victims.set(role, { token, observer });
  }

  beforeAll(async () => {
    // Webhooks may be registered for 127.0.0.1 (the matrix's are disabled: nothing is sent).
    server = await startServer({ PARLEY_RATE_LIMIT_PER_SECOND: '100000', PARLEY_RATE_LIMIT_BURST: '100000', PARLEY_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    setupAdmin = await adminToken(server);
    const create = (name: string, role: Role) => createUser(server, setupAdmin, name, role);

    for (const role of ROLES) {
      const name = targetUser(role);
      const token = await create(name, role);
      targetTokens.set(role, token);
      const socket = await connectAs(server, token, role, name);
      targetSockets.set(role, socket);
      observers.push(observe(name, socket, { username: name, role, verified: true }));
      // A socket that posted once and left: the prototype's reply-to-sender form still names its user.
      const gone = await connectAs(server, token, role, name);
      const group = ROLES.find((g) => canSendToGroup(TABLE, role, g));
      expect(await request(gone, 'send_message', { message: `from a gone socket of ${name}`, recipients: group! })).toMatchObject({ ok: true });
      goneSocketIds.set(role, gone.id!);
      gone.disconnect();
      await eventually(() => server.app.get(UserRegistryService).get(goneSocketIds.get(role)!) === undefined);

      await create(victimUser(role), role);
      await connectVictim(role);
    }
    for (const role of ROLES) await create(deletableUser(role), role);
    await create(DISABLED_USER, 'client');
    expect((await api(server, 'PATCH', `/api/users/${DISABLED_USER}`, { token: setupAdmin, body: { disabled: true } })).status).toBe(200);

    for (const principal of PRINCIPALS) {
      const { key, username, role } = principal;
      if (username === null || role === null) {
        tokens.set(key, null);
        principalSockets.set(key, await connect(server));
        continue;
      }
      const token = await create(username, role);
      tokens.set(key, token);
      if (principal.session === 'disabled' || principal.session === 'revoked') {
        // Signed in and verified, then cut off: the open socket must close.
        const before = await connectAs(server, token, role, username);
        const closed = new Promise((resolve) => before.on('disconnect', resolve));
        if (principal.session === 'disabled') {
          await api(server, 'PATCH', `/api/users/${username}`, { token: setupAdmin, body: { disabled: true } });
        } else {
          expect((await api(server, 'POST', '/api/auth/logout', { token })).status).toBe(204);
        }
        await closed;
      }
      // The principal's socket: opened with its token (live or not) and verified only if the role is live.
      const socket = principal.verified ? await connectAs(server, token, role, username) : await connect(server, { token });
      principalSockets.set(key, socket);
      if (principal.session === 'expired') {
        // Time travel for one session: it was live when the socket connected and has expired since.
        await db().updateTable('sessions').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', hashSessionToken(token)).execute();
      }
    }
    for (const principal of PRINCIPALS) {
      observers.push(observe(principal.key, principalSockets.get(principal.key)!, principal));
    }
    const image = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'teal' } }).png().toBuffer();
    for (const target of FILE_TARGETS) {
      if (!target.file) continue;
      const { uploader, recipients } = target.file;
      const token = uploader.username === targetUser(uploader.role) ? targetTokens.get(uploader.role)! : tokens.get('staff')!;
      const form = new FormData();
      form.append('file', new Blob([image], { type: 'image/png' }), 'matrix.png');
      const uploaded = await fetch(`${server.url}/api/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      const id = ((await uploaded.json()) as Json).id as string;
      fileIds.set(target.label, id);
      if (recipients) expect(await request(targetSockets.get(uploader.role)!, 'send_message', { message: '', recipients, attachments: [id] })).toMatchObject({ ok: true });
    }
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const created = await api(server, 'POST', '/api/uploads', { token: tokens.get('staff')!, headers: { 'tus-resumable': '1.0.0', 'upload-length': '5' } });
      expect(created.status).toBe(201);
      uploadPaths.set(method, created.headers.get('location')!);
    }
    await flush();
    for (const observer of observers) observer.messages.length = 0;
  });

  afterAll(async () => {
    closeAllClients();
    await server.stop();
  });

  function expectOutcome(ack: unknown, expected: Outcome): void {
    if (expected.ok) expect(ack).toMatchObject({ ok: true });
    else expect(ack).toEqual({ ok: false, error: { code: expected.code, message: expect.any(String) } });
  }

  // ---- socket events ----

  function targetValue(target: SocketTarget): string {
    switch (target.kind) {
      case 'group':
        return target.form === 'prefixed' ? `group:${target.role}` : target.role;
      case 'user':
        return target.form === 'prefixed' ? `user:${targetUser(target.role)}` : targetUser(target.role);
      case 'socket':
        return target.live ? targetSockets.get(target.role)!.id! : goneSocketIds.get(target.role)!;
      case 'disabled-user':
        return `user:${DISABLED_USER}`;
      case 'unknown':
        return target.value;
    }
  }

  interface SocketCase {
    principal: Principal;
    event: SocketAction;
    target?: SocketTarget;
    claim?: Claim;
    message?: MessageTarget;
    expected: Outcome;
  }

  const targetedEvents = Object.keys(TARGETED_EVENTS) as SocketAction[];
  const plainEvents = Object.values(ClientEvents).filter((e) => e !== ClientEvents.VerifyUser && !targetedEvents.includes(e) && !MESSAGE_EVENTS.includes(e));
  const SOCKET_CASES: SocketCase[] = PRINCIPALS.flatMap((principal) => [
    ...CLAIMS.map((claim) => ({ principal, event: ClientEvents.VerifyUser, claim, expected: expectedVerifyOutcome(principal, claim) })),
    ...plainEvents.map((event) => ({ principal, event, expected: expectedSocketOutcome(principal, event) })),
    ...targetedEvents.flatMap((event) =>
      SOCKET_TARGETS.map((target) => ({ principal, event, target, expected: expectedSocketOutcome(principal, event, target) })),
    ),
    ...MESSAGE_EVENTS.flatMap((event) =>
      MESSAGE_TARGETS.map((message) => ({ principal, event, message, expected: expectedMessageOutcome(principal, event, message) })),
    ),
  ]);
  const describeClaim = (claim: Claim) =>
    claim.kind === 'own' ? 'own identity' : claim.kind === 'other' ? `identity of ${targetUser(claim.role)}` : 'role "superuser"';
  const describeOutcome = (o: Outcome | { status: number | 'success'; code?: string }) =>
    'ok' in o ? (o.ok ? 'ok' : o.code) : o.status === 'success' ? 'ok' : `${o.status} ${o.code}`;

  it.each(
    SOCKET_CASES.map((c) => [
      `${c.principal.key} · ${c.event} · ${c.claim ? describeClaim(c.claim) : c.target ? describeTarget(c.target) : (c.message ?? '-')} → ${describeOutcome(c.expected)}`,
      c,
    ] as const),
  )('socket: %s', async (_title, c) => {
    const n = ++caseNumber;
    const { principal, event, target, expected } = c;
    if (event === ClientEvents.VerifyUser) return verifyCase(principal, c.claim!, expected);
    if (c.message) return messageCase(principal, event, c.message, expected);
    const actor = principalSockets.get(principal.key)!;
    const viewer = { username: principal.username!, role: principal.role! };
    const text = `case ${n}`;
    const value = target ? targetValue(target) : undefined;
    const payloads: Partial<Record<SocketAction, unknown>> = {
      [ClientEvents.SendMessage]: { message: text, recipients: value, client_id: text },
      [ClientEvents.Typing]: { conversation: value },
      [ClientEvents.History]: { conversation: value },
      [ClientEvents.MarkRead]: { conversation: value, up_to: 1 },
      [ClientEvents.Sync]: { since: 0, limit: 500 },
      // 'e' is in nearly every message the matrix stores ("case 12", "stored 3", "from a gone socket").
      [ClientEvents.Search]: { q: 'e', in: value, limit: 50 },
      [ClientEvents.SetNotify]: { conversation: `group:${principal.role ?? 'staff'}`, notify: 'mentions' },
    };
    for (const observer of observers) observer.typing.length = 0;
    const rosterWatchers = roomSize(Rooms.rosterDiff);

    // The event is the table's variable, so its payload is built untyped.
    const ack = (await sendRaw(actor, event, payloads[event] ?? {})) as Json;
    expectOutcome(ack, expected);
    await flush();

    const resolved = target && TARGETED_EVENTS[event] ? resolveTarget(target, TARGETED_EVENTS[event]) : null;
    const reaches = (o: Observer) =>
      expected.ok &&
      o.socket !== actor &&
      o.verified &&
      resolved !== null &&
      o.username !== null &&
      o.role !== null &&
      reachesOf(viewer, resolved, { username: o.username, role: o.role });

    switch (event) {
      case ClientEvents.SendMessage: {
        const stored = await db().selectFrom('messages').select('id').where('body', '=', text).execute();
        expect(stored).toHaveLength(expected.ok ? 1 : 0);
        for (const o of observers.filter((o) => o.socket !== actor)) {
          expect([o.label, o.messages.filter((m) => m.message === text).length]).toEqual([o.label, reaches(o) ? 1 : 0]);
        }
        break;
      }
      case ClientEvents.Typing:
        for (const o of observers.filter((o) => o.socket !== actor)) {
          expect([o.label, o.typing]).toEqual([o.label, reaches(o) ? [expect.objectContaining({ user_name: viewer.username })] : []]);
        }
        break;
      case ClientEvents.History:
      case ClientEvents.Sync:
        if (expected.ok) {
          const messages = ack.messages as Json[];
          for (const m of messages) expect([m.id, visibleTo(viewer, m)]).toEqual([m.id, true]);
          if (event === ClientEvents.History && resolved?.kind === 'group') {
            // A group the viewer does not read is their team conversation with the role.
            const kind = conversationOf(viewer, resolved).startsWith('group:') ? 'group' : 'team';
            expect(messages.every((m) => m.target_kind === kind && m.target === resolved.role)).toBe(true);
          }
          if (event === ClientEvents.History && resolved?.kind === 'user') {
            const between = [viewer.username, resolved.username].sort().join();
            expect(messages.every((m) => m.target_kind === 'user' && [m.sender_name, m.target].sort().join() === between)).toBe(true);
          }
        }
        break;
      case ClientEvents.Search:
        if (expected.ok) {
          const results = ack.results as Json[];
          await expectReadable(viewer, results);
          if (resolved) expect(results.every((r) => r.conversation === conversationOf(viewer, resolved))).toBe(true);
        }
        break;
      case ClientEvents.MarkRead:
        if (expected.ok) {
          expect(ack.conversation).toBe(conversationOf(viewer, resolved!));
        }
        break;
      case ClientEvents.Conversations:
        if (expected.ok) {
          // Every page of it (`before` pages on), from the first answer on.
          const listed = [...(ack.conversations as Json[])];
          for (let page = ack; page.more === true; ) {
            page = (await sendRaw(actor, event, { before: ((listed.at(-1) as Json).last as Json).id })) as Json;
            listed.push(...(page.conversations as Json[]));
          }
          for (const c of listed) expect(visibleTo(viewer, c.last as Json)).toBe(true);
        }
        break;
      case ClientEvents.Directory:
        if (expected.ok) {
          const may = (await userList())
            .filter((u) => u.username !== viewer.username && !u.disabled && canSendToUser(TABLE, viewer.role, u.role as Role))
            .map((u) => u.username);
          // Every page of it, from the first answer on.
          const listed = (ack.users as Json[]).map((u) => u.username);
          for (let after = ack.next_after as string | null; after !== null; ) {
            const page = await requestOk(actor, ClientEvents.Directory, { after });
            listed.push(...page.users.map((u) => u.username));
            after = page.next_after;
          }
          expect(listed.sort()).toEqual(may.sort());
        }
        break;
      case ClientEvents.Roster:
        if (expected.ok) expect((ack.connections as Json[]).map((e) => e.socket_id)).toContain(actor.id);
        else expect(roomSize(Rooms.rosterDiff)).toBe(rosterWatchers);
        break;
    }
  });

  /** Search results name no target: each is looked up in storage and held to the model's visibleTo. */
  async function expectReadable(viewer: { username: string; role: Role }, results: Json[]): Promise<void> {
    const ids = results.map((r) => r.id as number);
    const rows = ids.length === 0 ? [] : await db().selectFrom('messages').select(['id', 'sender_username', 'target_kind', 'target', 'guest']).where('id', 'in', ids).execute();
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) {
      const message = { sender_name: row.sender_username, target_kind: row.target_kind, target: row.target, guest: row.guest };
      expect([row.id, visibleTo(viewer, message)]).toEqual([row.id, true]);
    }
  }

  /** A user's id, or undefined for a visitor with no account. */
  const idOf = async (username: string | null) =>
    username === null ? undefined : (await db().selectFrom('users').select('id').where('username', '=', username).executeTakeFirst())?.id;

  let storedCount = 0;
  /** A DM stored straight into the table (nobody is told of it), `minutes` old. */
  async function storedDm(from: number, to: number, minutes = 0): Promise<number> {
    const [sender, recipient] = await Promise.all(
      [from, to].map((id) => db().selectFrom('users').select(['username', 'role']).where('id', '=', id).executeTakeFirstOrThrow()),
    );
    const row = await db()
      .insertInto('messages')
      .values({
        client_id: null,
        sender_id: from,
        sender_username: sender.username,
        sender_role: sender.role,
        sender_socket: 'matrix',
        target_kind: 'user',
        target: recipient.username,
        recipient_id: to,
        conversation: `dm:${Math.min(from, to)}:${Math.max(from, to)}`,
        audience: null,
        guest: null,
        mentions: null,
        body: `stored ${++storedCount}`,
        sent_at: Date.now() - minutes * 60_000,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** edit_message, delete_message or react on a message made for the case; the stored row shows whether it happened. */
  async function messageCase(principal: Principal, event: SocketAction, target: MessageTarget, expected: Outcome): Promise<void> {
    const admin = (await idOf(targetUser('admin')))!;
    const staff = (await idOf(targetUser('staff')))!;
    const me = await idOf(principal.username);
    let id = 999_999_999;
    if (target === 'unseen') id = await storedDm(staff, admin);
    else if (target !== 'missing' && me !== undefined) {
      id = target === 'addressed' ? await storedDm(admin, me) : await storedDm(me, admin, target === 'own-old' ? 16 : 0);
    }
    const payloads: Partial<Record<SocketAction, unknown>> = {
      [ClientEvents.EditMessage]: { id, message: `edited ${id}` },
      [ClientEvents.DeleteMessage]: { id },
      [ClientEvents.React]: { id, emoji: '👍', on: true },
    };
    expectOutcome(await sendRaw(principalSockets.get(principal.key)!, event, payloads[event]), expected);
    const row = await db().selectFrom('messages').select(['body', 'deleted_at']).where('id', '=', id).executeTakeFirst();
    const reactions = await db().selectFrom('message_reactions').select('user_id').where('message_id', '=', id).execute();
    const happened = {
      [ClientEvents.EditMessage]: row?.body === `edited ${id}`,
      [ClientEvents.DeleteMessage]: row?.deleted_at != null,
      [ClientEvents.React]: reactions.length === 1,
    }[event as string];
    expect(happened).toBe(expected.ok);
  }

  /** verify_user on a fresh socket of the principal, so a success or refusal changes no shared socket. */
  async function verifyCase(principal: Principal, claim: Claim, expected: Outcome): Promise<void> {
    const token = tokens.get(principal.key) ?? undefined;
    const socket = await connect(server, { token });
    const claimed =
      claim.kind === 'own'
        ? { user_type: principal.role ?? 'staff', user_name: principal.username ?? 'visitor' }
        : claim.kind === 'other'
          ? { user_type: claim.role, user_name: targetUser(claim.role) }
          : { user_type: 'superuser', user_name: principal.username ?? 'visitor' };
    const ack = await request(socket, ClientEvents.VerifyUser, claimed);
    expectOutcome(ack, expected);
    // A refused socket has no identity: it may do nothing that needs one.
    const after = await request(socket, ClientEvents.Sync, { since: 0 });
    expect(after.ok).toBe(expected.ok);
    if (expected.ok) expect(ack).toMatchObject({ user: { username: principal.username, role: principal.role } });
    socket.disconnect();
  }

  // ---- REST routes ----

  /**
   * Checks a victim's session and socket: gone after an allowed action (the roster's Disconnect
   * too: it ends the session the socket signed in with), untouched after a refused one.
   */
  const victimCheck =
    () =>
    async ({ target, allowed }: RestContext): Promise<void> => {
      if (!target.role) return;
      const victim = victims.get(target.role)!;
      if (allowed) {
        await eventually(() => !victim.observer.socket.connected);
        expect(await isLive(victim.token)).toBe(false);
        await connectVictim(target.role);
      } else {
        await flush();
        expect(victim.observer.socket.connected).toBe(true);
        expect(await isLive(victim.token)).toBe(true);
      }
    };

  // ---- channel rows: each case acts on a channel made for it (public or private, the principal in it or not) ----

  const channels = () => server.app.get(ChannelRepository);
  const userId = async (name: string) =>
    Number((await db().selectFrom('users').select('id').where('username', '=', name).executeTakeFirstOrThrow()).id);
  const channelName = ({ n, target }: RestContext) => (target.channel!.kind === 'unknown' ? `no-channel-${n}` : `channel-${n}`);
  const isIn = async (ctx: RestContext, username: string) => {
    const channel = await channels().findByName(channelName(ctx));
    return channel !== undefined && (await channels().isMember(channel.id, await userId(username)));
  };
  const CHANNEL_CASES: RestTarget[] = CHANNEL_TARGETS.map((channel) => ({ label: describeChannelTarget(channel), exists: channel.kind !== 'unknown', channel }));

  /** One row per channel route; `path` gets the case's channel name. */
  function channelRows(): RestRow[] {
    const row = (method: RestRow['method'], route: string, action: ChannelAction, extra: Partial<RestRow> = {}): RestRow => ({
      method,
      route,
      guard: 'signed-in',
      targets: CHANNEL_CASES.map((target) => ({ ...target, label: `${action}, ${target.label}` })),
      outcome: (principal, target) => expectedChannelOutcome(principal, action, target.channel),
      // Created straight in storage by t-admin, with t-staff in it, and the principal if the case says so.
      prepare: async (ctx) => {
        const { channel } = ctx.target;
        if (!channel || channel.kind === 'unknown') return;
        const members = [await userId(targetUser('staff'))];
        if (channel.member && ctx.principal.username) members.push(await userId(ctx.principal.username));
        await channels().create({ name: channelName(ctx), topic: '', visibility: channel.kind, createdBy: await userId(targetUser('admin')), memberIds: members, now: Date.now() });
      },
      ...extra,
    });
    const self = (ctx: RestContext) => ctx.principal.username ?? 'nobody';
    return [
      {
        method: 'POST',
        route: '/api/channels',
        guard: 'signed-in',
        success: 201,
        outcome: (principal) => expectedChannelOutcome(principal, 'create'),
        request: ({ n }) => ({ body: { name: `new-channel-${n}`, visibility: 'private', members: [targetUser('staff')] } }),
        check: async ({ n, allowed }) => {
          expect(await channels().findByName(`new-channel-${n}`)).toEqual(allowed ? expect.objectContaining({ visibility: 'private' }) : undefined);
        },
      },
      {
        method: 'GET',
        route: '/api/channels',
        guard: 'signed-in',
        outcome: (principal) => expectedChannelOutcome(principal, 'list'),
        check: async ({ principal, allowed }, body) => {
          if (!allowed) return;
          const role = principal.role!;
          const listed = body.channels as ChannelInfo[];
          expect(listed.filter((c) => c.builtin).map((c) => c.name)).toEqual(ROLES.filter((r) => canReadGroup(TABLE, role, r) || canSendToGroup(TABLE, role, r)));
          // Never a private channel the caller is not in; public ones only for roles that may join.
          for (const c of listed.filter((c) => !c.builtin)) expect([c.name, c.member || (c.visibility === 'public' && TABLE[role].joinChannels)]).toEqual([c.name, true]);
        },
      },
      row('GET', '/api/channels/:name', 'read', {
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}` }),
        check: async (ctx, body) => {
          if (ctx.allowed) expect(body.channel).toMatchObject({ name: channelName(ctx), member: ctx.target.channel!.member });
        },
      }),
      row('GET', '/api/channels/:name/members', 'read', {
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}/members` }),
        check: async ({ principal, allowed }, body) => {
          if (!allowed) return;
          // Only whom the principal may message, and themself: a client sees no other client.
          for (const m of body.members as Json[]) {
            expect([m.username, m.username === principal.username || canSendToUser(TABLE, principal.role!, m.role as Role)]).toEqual([m.username, true]);
          }
        },
      }),
      row('POST', '/api/channels/:name/members', 'join', {
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}/members`, body: { username: self(ctx) } }),
        check: async (ctx) => {
          if (ctx.principal.username) expect(await isIn(ctx, ctx.principal.username)).toBe(ctx.allowed || ctx.target.channel!.member);
        },
      }),
      // The same route as join, with someone else's name.
      row('POST', '/api/channels/:name/members', 'invite', {
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}/members`, body: { username: targetUser('client') } }),
        check: async (ctx) => expect(await isIn(ctx, targetUser('client'))).toBe(ctx.allowed),
      }),
      row('DELETE', '/api/channels/:name/members/:username', 'leave', {
        success: 204,
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}/members/${self(ctx)}` }),
        check: async (ctx) => {
          if (ctx.principal.username) expect(await isIn(ctx, ctx.principal.username)).toBe(!ctx.allowed && ctx.target.channel!.member);
        },
      }),
      row('DELETE', '/api/channels/:name/members/:username', 'remove', {
        success: 204,
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}/members/${targetUser('staff')}` }),
        check: async (ctx) => expect(await isIn(ctx, targetUser('staff'))).toBe(!ctx.allowed && ctx.target.exists),
      }),
      row('PATCH', '/api/channels/:name', 'manage', {
        request: (ctx) => ({ path: `/api/channels/${channelName(ctx)}`, body: { topic: `case ${ctx.n}` } }),
        check: async (ctx) => {
          const channel = await channels().findByName(channelName(ctx));
          if (channel) expect(channel.topic === `case ${ctx.n}`).toBe(ctx.allowed);
        },
      }),
    ];
  }
  /** One announcement addressed to each role alone: only that role may acknowledge it (others get 404). */
  const announcementTo = new Map<Role, number>();
  beforeAll(async () => {
    for (const role of ROLES) {
      const { body } = await api(server, 'POST', '/api/announcements', { token: setupAdmin, body: { message: `to ${role}`, roles: [role] } });
      announcementTo.set(role, (body.announcement as Json).id as number);
    }
  });
  const announcementTargets: RestTarget[] = [
    ...ROLES.map((role) => ({ label: `announcement to ${role}`, role, exists: true })),
    { label: 'unknown announcement', exists: false },
  ];
  const announcementPath = (target: RestTarget, tail: string) => `${target.role ? announcementTo.get(target.role) : 999999}${tail}`;
  const listedAnnouncements = async () =>
    ((await api(server, 'GET', '/api/admin/announcements?limit=200', { token: setupAdmin })).body.announcements as Json[]).map((a) => a.message);

  // ---- outgoing webhooks: made by the setup admin, disabled so nothing is sent ----
  const webhookTargets: RestTarget[] = [
    { label: 'a webhook', exists: true },
    { label: 'unknown webhook', exists: false },
  ];
  /** Per case: the webhook (and its one delivery) made for it by `prepare`. */
  const caseWebhooks = new Map<number, { id: number; delivery: string }>();
  const prepareWebhook = async ({ n, target }: RestContext) => {
    if (!target.exists) return;
    const body = { url: `http://127.0.0.1:9/case-${n}`, events: ['message'], enabled: false };
    const id = ((await api(server, 'POST', '/api/admin/webhooks', { token: setupAdmin, body })).body.webhook as Json).id as number;
    const delivery = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    await db().insertInto('webhook_deliveries').values({ id: delivery, webhook_id: id, event: 'message', message_id: 1, status: 'failed', created_at: Date.now(), next_attempt_at: null }).execute();
    caseWebhooks.set(n, { id, delivery });
  };
  const webhookPath = ({ n, target }: RestContext, tail = '') => `/api/admin/webhooks/${target.exists ? caseWebhooks.get(n)!.id : 999999}${tail}`;
  const webhookRow = (id: number) => db().selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();

  // ---- incoming webhooks: made by the setup admin, posting as MATRIX_BOT (staff) into group:staff ----
  const hookTargets: RestTarget[] = [
    { label: 'an incoming webhook', exists: true },
    { label: 'unknown incoming webhook', exists: false },
  ];
  /** Per case: the hook made for it by `prepare`, and its secret URL's path. */
  const caseHooks = new Map<number, { id: number; path: string }>();
  const prepareHook = async ({ n, target }: RestContext) => {
    if (!target.exists) return;
    const created = await api(server, 'POST', '/api/admin/incoming-webhooks', { token: setupAdmin, body: { bot: MATRIX_BOT, conversation: 'group:staff', name: `case ${n}` } });
    caseHooks.set(n, { id: (created.body.hook as Json).id as number, path: new URL(created.body.url as string).pathname });
  };
  const hookRow = (id: number) => db().selectFrom('incoming_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  beforeAll(async () => {
    expect((await api(server, 'POST', '/api/admin/bots', { token: setupAdmin, body: { username: MATRIX_BOT, role: 'staff' } })).status).toBe(201);
  });
  const liveBotToken = async () => ((await api(server, 'GET', '/api/admin/bots', { token: setupAdmin })).body.bots as Json[]).find((b) => b.username === MATRIX_BOT)!.token;

  const REST_ROWS: RestRow[] = [
    {
      method: 'POST',
      route: '/api/auth/login',
      guard: 'public',
      request: ({ principal: p }) => ({
        body: p.username ? { username: p.username, password: password(p.username) } : { username: 'nobody', password: 'wrong-passphrase-9' },
      }),
      // The password still works after a sign-out or an expiry; a disabled account may not sign
      // in, and is answered like a wrong password (the answer must not confirm a guess).
      outcome: (p) =>
        p.session === 'disabled' || p.session === 'none' ? { status: 401, code: ErrorCodes.InvalidCredentials } : { status: 'success' },
      check: async ({ principal, allowed }, body) => {
        if (allowed) expect((await api(server, 'GET', '/api/me', { token: body.token as string })).body).toMatchObject({ user: { username: principal.username } });
      },
    },
    {
      method: 'POST',
      route: '/api/auth/logout',
      guard: 'signed-in',
      success: 204,
      // A live principal signs out a second session of theirs, so the shared one stays usable.
      request: ({ principal: p }) => ({ token: p.session === 'live' ? 'fresh' : tokens.get(p.key) }),
    },
    {
      method: 'GET',
      route: '/api/auth/methods',
      guard: 'public',
      // The same for everyone: the sign-in page reads it before anyone is signed in.
      check: async (_case, body) => {
        expect(body).toEqual({ password: true, directory: false, sso: null });
      },
    },
    {
      method: 'GET',
      route: '/api/session',
      guard: 'public',
      check: async ({ principal }, body) => {
        expect(body.user).toEqual(principal.session === 'live' ? expect.objectContaining({ username: principal.username }) : null);
      },
    },
    // Single sign-on is not configured here (test/oidc.e2e-spec.ts signs in through a real
    // provider): its two routes are not found, for anyone.
    // PARLEY_TLS=auto is not set here (test/tls-auto.e2e-spec.ts): no CA to hand out, for anyone.
    ...['/ca.crt', '/trust'].map((route): RestRow => ({ method: 'GET', route, guard: 'public', outcome: () => ({ status: 404, code: ErrorCodes.NotFound }) })),
    ...['/api/auth/oidc/start', '/api/auth/oidc/callback'].map(
      (route): RestRow => ({ method: 'GET', route, guard: 'public', outcome: () => ({ status: 404, code: ErrorCodes.NotFound }) }),
    ),
    {
      method: 'GET',
      route: '/api/me',
      guard: 'signed-in',
      check: async ({ principal, allowed }, body) => {
        if (allowed) expect(body.user).toEqual({ username: principal.username, display_name: expect.any(String), role: principal.role });
      },
    },
    {
      method: 'GET',
      route: '/api/users',
      guard: 'manageUsers',
      check: async ({ allowed }, body) => {
        if (allowed) expect((body.users as Json[]).map((u) => u.username)).toContain(targetUser('client'));
      },
    },
    {
      method: 'POST',
      route: '/api/users',
      guard: 'manageUsers',
      success: 201,
      targets: ROLES.map((role) => ({ label: `new ${role}`, role, exists: true })),
      request: ({ n, target }) => ({ body: { username: `new-${n}`, role: target.role, password: 'new-user-password' } }),
      check: async ({ n, target, allowed }) => {
        const created = (await userList()).find((u) => u.username === `new-${n}`);
        expect(created).toEqual(allowed ? expect.objectContaining({ role: target.role }) : undefined);
      },
    },
    {
      method: 'PATCH',
      route: '/api/users/:username',
      guard: 'manageUsers',
      targets: userTargets(targetUser),
      request: ({ n, target }) => ({
        path: `/api/users/${target.role ? targetUser(target.role) : 'nobody'}`,
        body: { display_name: `Renamed in case ${n}` },
      }),
      check: async ({ n, target, allowed }) => {
        if (!target.role) return;
        const user = (await userList()).find((u) => u.username === targetUser(target.role!))!;
        expect(user.display_name === `Renamed in case ${n}`).toBe(allowed);
      },
    },
    {
      method: 'DELETE',
      route: '/api/users/:username',
      guard: 'manageUsers',
      success: 204,
      targets: userTargets(deletableUser),
      request: ({ target }) => ({ path: `/api/users/${target.role ? deletableUser(target.role) : 'nobody'}` }),
      check: async ({ target, allowed }) => {
        if (!target.role) return;
        const listed = (await userList()).some((u) => u.username === deletableUser(target.role!));
        // Only the admin principal deletes; every other principal finds the account still there.
        expect(listed).toBe(!allowed && !deletedBefore.has(target.role));
        if (allowed) deletedBefore.add(target.role);
      },
    },
    {
      method: 'POST',
      route: '/api/users/:username/sign-out',
      guard: 'manageUsers',
      success: 204,
      targets: userTargets(victimUser),
      request: ({ target }) => ({ path: `/api/users/${target.role ? victimUser(target.role) : 'nobody'}/sign-out` }),
      check: victimCheck(),
    },
    {
      method: 'POST',
      route: '/api/users/:username/password',
      guard: 'manageUsers',
      targets: userTargets(victimUser),
      // The same password again: the effect to check is that every session ends.
      request: ({ target }) => {
        const name = target.role ? victimUser(target.role) : 'nobody';
        return { path: `/api/users/${name}/password`, body: { password: password(name) } };
      },
      check: victimCheck(),
    },
    {
      method: 'POST',
      route: '/api/admin/connections/:socketId/disconnect',
      guard: 'watchRoster',
      success: 204,
      targets: [...ROLES.map((role) => ({ label: `socket of ${victimUser(role)}`, role, exists: true })), { label: 'unknown socket', exists: false }],
      request: ({ target }) => ({
        path: `/api/admin/connections/${target.role ? victims.get(target.role)!.observer.socket.id : 'AAAAAAAAAAAAAAAAAAAA'}/disconnect`,
      }),
      check: victimCheck(),
    },
    {
      method: 'GET',
      route: '/api/admin/audit',
      guard: 'readAuditLog',
      check: async ({ allowed }, body) => {
        if (allowed) expect(body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.created' })]));
      },
    },
    {
      method: 'GET',
      route: '/metrics',
      guard: 'readMetrics',
      check: async ({ allowed }, body) => {
        if (allowed) expect(String(body.text)).toContain('parley_connections');
      },
    },
    ...channelRows(),
    {
      method: 'POST',
      route: '/api/announcements',
      guard: 'announce',
      success: 201,
      request: ({ n }) => ({ body: { message: `announcement of case ${n}`, roles: ['client'] } }),
      check: async ({ n, allowed }) => {
        expect((await listedAnnouncements()).includes(`announcement of case ${n}`)).toBe(allowed);
      },
    },
    {
      method: 'GET',
      route: '/api/announcements',
      guard: 'signed-in',
      check: async ({ principal, allowed }, body) => {
        if (!allowed) return;
        const roles = (body.announcements as Json[]).map((a) => a.roles as Role[]);
        expect(roles.length).toBeGreaterThan(0);
        expect(roles.every((r) => r.includes(principal.role!))).toBe(true);
      },
    },
    {
      method: 'POST',
      route: '/api/announcements/:id/ack',
      guard: 'signed-in',
      targets: announcementTargets,
      request: ({ target }) => ({ path: `/api/announcements/${announcementPath(target, '/ack')}` }),
      // Another role's announcement is answered as one that does not exist.
      outcome: (p, target) => expectedRestOutcome(p, 'signed-in', target.exists && target.role === p.role),
      check: async ({ allowed }, body) => {
        if (allowed) expect((body.announcement as Json).acknowledged_at).toEqual(expect.any(String));
      },
    },
    {
      method: 'GET',
      route: '/api/admin/announcements',
      guard: 'announce',
      check: async ({ allowed }, body) => {
        if (allowed) expect((body.announcements as Json[]).map((a) => a.message)).toContain('to client');
      },
    },
    {
      method: 'GET',
      route: '/api/admin/announcements/:id/acks',
      guard: 'announce',
      targets: announcementTargets,
      request: ({ target }) => ({ path: `/api/admin/announcements/${announcementPath(target, '/acks')}` }),
      check: async ({ target, allowed }, body) => {
        if (!allowed || !target.role) return;
        const everyone = [...(body.acknowledged as Json[]), ...(body.pending as Json[])];
        expect(everyone.every((u) => u.role === target.role)).toBe(true);
      },
    },
    {
      method: 'GET',
      route: '/api/admin/retention',
      guard: 'manageRetention',
      check: async ({ allowed }, body) => {
        if (allowed) expect(body).toEqual({ default_days: null, overrides: expect.any(Array) });
      },
    },
    {
      method: 'PUT',
      route: '/api/admin/retention',
      guard: 'manageRetention',
      targets: [
        { label: 'group:client', exists: true },
        { label: 'unknown conversation', exists: false },
      ],
      request: ({ n, target }) => ({ body: { conversation: target.exists ? 'group:client' : 'group:nobody', days: n } }),
      check: async ({ n, target, allowed }) => {
        if (!target.exists) return;
        const { body } = await api(server, 'GET', '/api/admin/retention', { token: setupAdmin });
        const days = (body.overrides as Json[]).find((o) => o.conversation === 'group:client')?.days;
        expect(days === n).toBe(allowed);
      },
    },
    {
      method: 'GET',
      route: '/api/admin/export',
      guard: 'exportMessages',
      targets: [
        { label: 'every conversation', exists: true },
        { label: 'unknown conversation', exists: false },
      ],
      request: ({ target }) => ({ path: target.exists ? '/api/admin/export' : '/api/admin/export?conversation=group:nobody' }),
      check: async ({ allowed }, body) => {
        if (!allowed) return;
        const lines = String(body.text).split('\n').filter((line) => line.length > 0);
        expect(lines.length).toBeGreaterThan(0);
        for (const line of lines) expect(JSON.parse(line)).toEqual(expect.objectContaining({ id: expect.any(Number), conversation: expect.any(String) }));
      },
    },
    {
      method: 'GET',
      route: '/api/admin/webhooks',
      guard: 'manageWebhooks',
      check: async ({ allowed }, body) => {
        if (allowed) expect(JSON.stringify(body.webhooks)).not.toContain('whsec_');
      },
    },
    {
      method: 'POST',
      route: '/api/admin/webhooks',
      guard: 'manageWebhooks',
      success: 201,
      request: ({ n }) => ({ body: { url: `http://127.0.0.1:9/posted-${n}`, events: ['message'], enabled: false } }),
      check: async ({ n, allowed }) => {
        const row = await db().selectFrom('webhooks').select('id').where('url', '=', `http://127.0.0.1:9/posted-${n}`).executeTakeFirst();
        expect(row !== undefined).toBe(allowed);
      },
    },
    {
      method: 'PATCH',
      route: '/api/admin/webhooks/:id',
      guard: 'manageWebhooks',
      targets: webhookTargets,
      prepare: prepareWebhook,
      request: (ctx) => ({ path: webhookPath(ctx), body: { description: `case ${ctx.n}` } }),
      check: async ({ n, target, allowed }) => {
        if (target.exists) expect((await webhookRow(caseWebhooks.get(n)!.id))!.description === `case ${n}`).toBe(allowed);
      },
    },
    {
      method: 'DELETE',
      route: '/api/admin/webhooks/:id',
      guard: 'manageWebhooks',
      success: 204,
      targets: webhookTargets,
      prepare: prepareWebhook,
      request: (ctx) => ({ path: webhookPath(ctx) }),
      check: async ({ n, target, allowed }) => {
        if (target.exists) expect((await webhookRow(caseWebhooks.get(n)!.id)) === undefined).toBe(allowed);
      },
    },
    {
      method: 'POST',
      route: '/api/admin/webhooks/:id/secret',
      guard: 'manageWebhooks',
      targets: webhookTargets,
      prepare: prepareWebhook,
      request: (ctx) => ({ path: webhookPath(ctx, '/secret') }),
      check: async ({ n, target, allowed }, body) => {
        if (target.exists) expect((await webhookRow(caseWebhooks.get(n)!.id))!.secret === body.secret).toBe(allowed);
      },
    },
    {
      method: 'GET',
      route: '/api/admin/webhooks/:id/deliveries',
      guard: 'manageWebhooks',
      targets: webhookTargets,
      prepare: prepareWebhook,
      request: (ctx) => ({ path: webhookPath(ctx, '/deliveries') }),
      check: async ({ n, allowed }, body) => {
        if (allowed) expect((body.deliveries as Json[]).map((d) => d.id)).toEqual([caseWebhooks.get(n)!.delivery]);
      },
    },
    {
      method: 'POST',
      route: '/api/admin/webhooks/:id/deliveries/:delivery/retry',
      guard: 'manageWebhooks',
      targets: webhookTargets,
      prepare: prepareWebhook,
      request: (ctx) => ({ path: webhookPath(ctx, `/deliveries/${ctx.target.exists ? caseWebhooks.get(ctx.n)!.delivery : '00000000-0000-4000-8000-000000000000'}/retry`) }),
      check: async ({ n, target, allowed }) => {
        if (!target.exists) return;
        const row = await db().selectFrom('webhook_deliveries').select('status').where('id', '=', caseWebhooks.get(n)!.delivery).executeTakeFirstOrThrow();
        expect(row.status).toBe(allowed ? 'pending' : 'failed');
      },
    },
    {
      method: 'GET',
      route: '/api/admin/incoming-webhooks',
      guard: 'manageWebhooks',
      check: async ({ allowed }, body) => {
        if (allowed) expect(JSON.stringify(body.hooks)).not.toContain('parley_hook_');
      },
    },
    {
      method: 'POST',
      route: '/api/admin/incoming-webhooks',
      guard: 'manageWebhooks',
      success: 201,
      request: ({ n }) => ({ body: { bot: MATRIX_BOT, conversation: 'group:staff', name: `posted ${n}` } }),
      check: async ({ n, allowed }) => {
        const row = await db().selectFrom('incoming_webhooks').select('id').where('name', '=', `posted ${n}`).executeTakeFirst();
        expect(row !== undefined).toBe(allowed);
      },
    },
    {
      method: 'DELETE',
      route: '/api/admin/incoming-webhooks/:id',
      guard: 'manageWebhooks',
      targets: hookTargets,
      prepare: prepareHook,
      request: ({ n, target }) => ({ path: `/api/admin/incoming-webhooks/${target.exists ? caseHooks.get(n)!.id : 999999}` }),
      check: async ({ n, target, allowed }) => {
        if (target.exists) expect((await hookRow(caseHooks.get(n)!.id))!.revoked_at !== null).toBe(allowed);
      },
    },
    {
      // Public: the token in the path is the credential, whoever else the caller is.
      method: 'POST',
      route: '/api/hooks/:token',
      guard: 'public',
      success: 201,
      targets: hookTargets,
      prepare: prepareHook,
      outcome: (_principal, target) => (target.exists ? { status: 'success' } : { status: 404, code: ErrorCodes.NotFound }),
      request: ({ n, target }) => ({ path: target.exists ? caseHooks.get(n)!.path : '/api/hooks/parley_hook_unknown', body: { text: `hook case ${n}` } }),
      check: async ({ n, allowed }) => {
        await flush();
        const stored = await db().selectFrom('messages').select(['sender_username', 'conversation']).where('body', '=', `hook case ${n}`).execute();
        expect(stored).toEqual(allowed ? [{ sender_username: MATRIX_BOT, conversation: 'group:staff' }] : []);
        // Only readers of the staff group get it: the bot's one conversation.
        const gets = (o: Observer) => allowed && o.verified && o.role !== null && canReadGroup(TABLE, o.role, 'staff');
        for (const o of observers) expect([o.label, o.messages.filter((m) => m.message === `hook case ${n}`).length]).toEqual([o.label, gets(o) ? 1 : 0]);
      },
    },
    {
      method: 'GET',
      route: '/api/search',
      guard: 'signed-in',
      request: () => ({ path: '/api/search?q=e&limit=50' }),
      check: async ({ principal, allowed }, body) => {
        if (!allowed) return;
        const results = body.results as Json[];
        // Every principal reads some group, so an empty answer would prove nothing.
        expect(results.length).toBeGreaterThan(0);
        await expectReadable({ username: principal.username!, role: principal.role! }, results);
      },
    },
    {
      method: 'POST',
      route: '/api/files',
      guard: 'signed-in',
      success: 201,
      request: ({ n }) => ({ rawBody: multipartText(`case-${n}.txt`, `case ${n}`), headers: { 'content-type': `multipart/form-data; boundary=${MULTIPART_BOUNDARY}` } }),
      check: async ({ n, allowed, principal }, body) => {
        const row = await db().selectFrom('files').select(['id', 'uploader_id']).where('name', '=', `case-${n}.txt`).executeTakeFirst();
        expect(row !== undefined).toBe(allowed);
        if (allowed) expect([row!.id, row!.uploader_id]).toEqual([body.id, await idOf(principal.username)]);
      },
    },
    ...(['/api/files/:id', '/api/files/:id/thumbnail'] as const).map(
      (route): RestRow => ({
        method: 'GET',
        route,
        guard: 'signed-in',
        targets: FILE_TARGETS,
        outcome: fileOutcome,
        request: ({ target }) => ({ path: route.replace(':id', target.file ? fileIds.get(target.label)! : 'AAAAAAAAAAAAAAAAAAAAAA') }),
        check: async ({ allowed }, body) => {
          // An image, or its WebP thumbnail, never JSON: the bytes themselves.
          if (allowed) expect(typeof body.text).toBe('string');
        },
      }),
    ),
    // Messages over REST: send_message's and history's table, for every principal and target.
    {
      method: 'POST',
      route: '/api/messages',
      guard: 'signed-in',
      success: 201,
      targets: CONVERSATION_TARGETS,
      outcome: (principal, target) => expectedRestMessageOutcome(principal, 'send', target.resolved!),
      request: ({ n, target }) => ({ body: { recipients: target.label, message: `rest case ${n}` } }),
      check: async ({ n, allowed, principal, target }) => {
        await flush();
        const stored = await db().selectFrom('messages').select('id').where('body', '=', `rest case ${n}`).execute();
        expect(stored).toHaveLength(allowed ? 1 : 0);
        const sender = { username: principal.username!, role: principal.role! };
        // The sender's own verified sockets get it too: a REST send has no socket to leave out.
        const gets = (o: Observer) => allowed && o.verified && o.username !== null && o.role !== null && (o.username === sender.username || reachesOf(sender, target.resolved!, { username: o.username, role: o.role }));
        for (const o of observers) expect([o.label, o.messages.filter((m) => m.message === `rest case ${n}`).length]).toEqual([o.label, gets(o) ? 1 : 0]);
      },
    },
    {
      method: 'GET',
      route: '/api/conversations/:id/messages',
      guard: 'signed-in',
      targets: CONVERSATION_TARGETS,
      outcome: (principal, target) => expectedRestMessageOutcome(principal, 'read', target.resolved!),
      request: ({ target }) => ({ path: `/api/conversations/${target.label}/messages?limit=200` }),
      check: async ({ allowed, principal }, body) => {
        if (!allowed) return;
        for (const m of body.messages as Json[]) expect([m.id, visibleTo({ username: principal.username!, role: principal.role! }, m)]).toEqual([m.id, true]);
      },
    },
    // Bots: admins only (manageUsers); a person's name is no bot.
    {
      method: 'GET',
      route: '/api/admin/bots',
      guard: 'manageUsers',
      check: async ({ allowed }, body) => {
        if (allowed) expect((body.bots as Json[]).map((b) => b.username)).toContain(MATRIX_BOT);
      },
    },
    {
      method: 'POST',
      route: '/api/admin/bots',
      guard: 'manageUsers',
      success: 201,
      request: ({ n }) => ({ body: { username: `bot-${n}`, role: 'client' } }),
      check: async ({ n, allowed }) => {
        const created = await db().selectFrom('users').select(['username', 'bot']).where('username', '=', `bot-${n}`).execute();
        expect(created).toEqual(allowed ? [{ username: `bot-${n}`, bot: 1 }] : []);
      },
    },
    {
      method: 'POST',
      route: '/api/admin/bots/:username/token',
      guard: 'manageUsers',
      targets: BOT_TARGETS,
      request: ({ target }) => ({ path: `/api/admin/bots/${target.label}/token` }),
      check: async ({ allowed }, body) => {
        if (allowed) expect((await api(server, 'GET', '/api/me', { token: body.token as string })).body).toMatchObject({ user: { username: MATRIX_BOT } });
      },
    },
    {
      method: 'DELETE',
      route: '/api/admin/bots/:username/token',
      guard: 'manageUsers',
      targets: BOT_TARGETS,
      prepare: async ({ target }) => {
        if (target.exists) await api(server, 'POST', `/api/admin/bots/${MATRIX_BOT}/token`, { token: setupAdmin });
      },
      request: ({ target }) => ({ path: `/api/admin/bots/${target.label}/token` }),
      check: async ({ allowed, target }) => {
        if (target.exists) expect(await liveBotToken()).toEqual(allowed ? null : expect.objectContaining({ created_by: 'admin' }));
      },
    },
    // One's own account: anyone signed in, on their own account only.
    {
      method: 'PATCH',
      route: '/api/me',
      guard: 'signed-in',
      request: ({ n }) => ({ body: { display_name: `Case ${n}` } }),
      check: async ({ n, allowed, principal }) => {
        const changed = await db().selectFrom('users').select('username').where('display_name', '=', `Case ${n}`).execute();
        expect(changed.map((row) => row.username)).toEqual(allowed ? [principal.username] : []);
      },
    },
    {
      // A wrong current password: the guard is what this row checks, and nobody's password changes.
      method: 'POST',
      route: '/api/me/password',
      guard: 'signed-in',
      request: () => ({ body: { current_password: 'not-the-password', new_password: 'violet-harbour-lantern-42' } }),
      outcome: (principal) => {
        const signedIn = expectedRestOutcome(principal, 'signed-in', true);
        return signedIn.status === 'success' ? { status: 400, code: ErrorCodes.WrongPassword } : signedIn;
      },
    },
    // Resumable uploads (tus): anyone signed in starts one; only its owner sees, continues or cancels it.
    {
      method: 'POST',
      route: '/api/uploads',
      guard: 'signed-in',
      success: 201,
      request: () => ({ headers: { 'tus-resumable': '1.0.0', 'upload-length': '5' } }),
    },
    ...(
      [
        ['HEAD', 200, () => ({ headers: { 'tus-resumable': '1.0.0' } })],
        ['PATCH', 200, () => ({ headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, rawBody: 'hello' })],
        ['DELETE', 204, () => ({ headers: { 'tus-resumable': '1.0.0' } })],
      ] as const
    ).map(
      ([method, success, request]): RestRow => ({
        method,
        route: '/api/uploads/:id',
        guard: 'signed-in',
        success,
        noBody: method === 'HEAD' ? true : undefined,
        targets: [
          { label: `p-staff's upload`, exists: true },
          { label: 'unknown upload', exists: false },
        ],
        outcome: (principal, target) => {
          const signedIn = expectedRestOutcome(principal, 'signed-in', true);
          if (signedIn.status !== 'success') return signedIn;
          return target.exists && principal.username === 'p-staff' ? { status: 'success' } : { status: 404, code: ErrorCodes.UnknownFile };
        },
        request: ({ target }) => ({ ...request(), path: target.exists ? uploadPaths.get(method)! : '/api/uploads/0123456789abcdef0123456789abcdef' }),
      }),
    ),
    { method: 'GET', route: '/api/docs', guard: 'public' },
    { method: 'GET', route: '/api/docs-json', guard: 'public' },
    { method: 'GET', route: '/health', guard: 'public' },
    { method: 'GET', route: '/health/live', guard: 'public' },
    { method: 'GET', route: '/health/ready', guard: 'public' },
  ];

  const REST_CASES = REST_ROWS.flatMap((row) =>
    PRINCIPALS.flatMap((principal) =>
      (row.targets ?? NO_TARGET).map((target) => {
        const expected = row.outcome?.(principal, target) ?? expectedRestOutcome(principal, row.guard, target.exists);
        return [`${principal.key} · ${row.method} ${row.route} · ${target.label} → ${describeOutcome(expected)}`, { row, principal, target, expected }] as const;
      }),
    ),
  );

  it.each(REST_CASES)('rest: %s', async (_title, { row, principal, target, expected }) => {
    const n = ++caseNumber;
    const allowed = expected.status === 'success';
    const ctx: RestContext = { principal, target, n, allowed };
    await row.prepare?.(ctx);
    const request = row.request?.(ctx) ?? {};
    let token = request.token === undefined ? tokens.get(principal.key) : request.token;
    if (token === 'fresh') token = await login(server, principal.username!, password(principal.username!));
    const response = await api(server, row.method, request.path ?? row.route, { token: token ?? undefined, body: request.body, rawBody: request.rawBody, headers: request.headers });
    if (expected.status === 'success') {
      expect([response.status, response.body]).toEqual([row.success ?? 200, expect.anything()]);
    } else if (row.noBody) {
      expect(response.status).toBe(expected.status);
    } else {
      expect([response.status, response.body]).toEqual([expected.status, { statusCode: expected.status, code: expected.code, message: expect.any(String) }]);
    }
    if (row.route === '/api/auth/logout' && allowed) expect(await isLive(token!)).toBe(false);
    if (principal.session === 'live') expect(await isLive(tokens.get(principal.key)!)).toBe(true);
    await row.check?.(ctx, response.body);
  });

  // ---- what must hold across all cases ----

  it('refuses verify_user on a socket whose session expired after it connected', async () => {
    const expired = PRINCIPALS.find((p) => p.session === 'expired')!;
    const socket = principalSockets.get(expired.key)!;
    const ack = await request(socket, ClientEvents.VerifyUser, { user_type: expired.role!, user_name: expired.username! });
    expectOutcome(ack, { ok: false, code: ErrorCodes.NotAuthorised });
  });

  it('sent announcements only to verified sockets of the roles they were addressed to', () => {
    let delivered = 0;
    for (const o of observers) {
      for (const a of o.announcements) expect([o.label, o.verified && o.role !== null && a.roles.includes(o.role)]).toEqual([o.label, true]);
      delivered += o.announcements.length;
    }
    // The admin principal's posts (to clients) did reach the client observers.
    expect(delivered).toBeGreaterThan(0);
  });

  it('sent roster updates only to verified admins and read marks to nobody else', () => {
    for (const o of observers) {
      const admin = o.verified && o.role !== null && hasCapability(o.role, 'watchRoster');
      if (!admin) expect([o.label, o.roster.length]).toEqual([o.label, 0]);
      expect([o.label, o.read.length]).toEqual([o.label, 0]);
    }
  });

  it('has a row for every socket event and every REST route the server has', () => {
    const covered = new Set(SOCKET_CASES.map((c) => c.event));
    expect([...covered].sort()).toEqual(Object.values(ClientEvents).sort());
    const express = server.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
    const routes = express.router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`))
      // The built web app's index.html fallback (serve-static) is the page itself, for anyone.
      .filter((route) => route !== 'GET {*any}')
      // Swagger UI's own files (scripts, licence) under /api/docs/, public like the page.
      .filter((route) => !route.startsWith('GET /api/docs/'));
    expect(routes.sort()).toEqual([...new Set(REST_ROWS.map((row) => `${row.method} ${row.route}`))].sort());
  });
});
