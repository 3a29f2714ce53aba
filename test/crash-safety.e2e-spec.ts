import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { io } from 'socket.io-client';
import type { WireMessage } from '@parley/contract';
import { startChildServer, type ChildServer } from './support/child-server';
import { type ClientSocket, request, requestOk } from './support/clients';

/**
 * Kills the real server (`node dist/backend/main.js`) with SIGKILL at random moments under a
 * steady load of group messages and DMs, restarts it on the same SQLite file each time, and
 * checks that every acknowledged message is stored exactly once and reaches everyone it should.
 * PARLEY_CRASH_KILLS (default 20) and PARLEY_CRASH_SEED choose the run; see docs/security.md.
 */
const KILLS = Number(process.env.PARLEY_CRASH_KILLS ?? 20);
const SEED = Number(process.env.PARLEY_CRASH_SEED ?? 20261125);
/** Sends each client keeps in flight, so a kill always lands on messages in every state. */
const WINDOW = 4;
/** Load between the clients being back and the next kill, in ms. */
const MIN_RUN_MS = 50;
const MAX_RUN_MS = 500;
/** A hang fails, it is not a speed check: each restart boots Nest, 1 to 3 s on two busy cores. */
const TEST_TIMEOUT_MS = 30_000 + KILLS * 6_000;

/** mulberry32: a tiny seeded generator, so a failing run's kill schedule can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Role = 'staff' | 'client';
interface UserSpec {
  name: string;
  role: Role;
  /** Where this user sends: groups this role may post to and people it may message. */
  targets: string[];
}

/** Two staff and two clients; the default permission table allows every one of these targets. */
const USERS: UserSpec[] = [
  { name: 'alice', role: 'staff', targets: ['group:staff', 'user:carol', 'user:bob'] },
  { name: 'bob', role: 'staff', targets: ['group:staff', 'user:dave', 'group:client'] },
  { name: 'carol', role: 'client', targets: ['user:alice', 'group:staff'] },
  { name: 'dave', role: 'client', targets: ['user:bob', 'group:admin'] },
];

interface Sent {
  clientId: string;
  sender: UserSpec;
  recipients: string;
}

/**
 * Who may see a message, by the protocol's rule for sync: the sender; for a group, its role and
 * its readers (staff read the client group); a client's post to a role's group is their team
 * conversation with that role, which the role reads; the DM's recipient.
 */
function visibleTo(message: Sent, user: UserSpec): boolean {
  if (message.sender.name === user.name) return true;
  const [kind, target] = message.recipients.split(':');
  return kind === 'group' ? target === user.role || (user.role === 'staff' && target === 'client') : target === user.name;
}

interface Figures {
  kills: number;
  seed: number;
  emits: number;
  resends: number;
  messages: number;
  acked: number;
  ackedOnResendAsDuplicate: number;
  unansweredAtKill: number;
  liveDeliveries: number;
  syncDeliveries: number;
  storedRowsChecked: number;
  seconds: number;
  /** Of which waiting for the server to boot (Nest's start dominates the run). */
  secondsStartingServers: number;
}

/** One person's client: a window of sends in flight, resends after reconnecting, resync by cursor. */
class LoadClient {
  private socket: ClientSocket | null = null;
  private lanes: Promise<void>[] = [];
  private seq = 0;
  /** Every message not yet acknowledged ok, oldest first; resent with the same client_id. */
  readonly unacked = new Map<string, Sent>();
  private toSend: Sent[] = [];
  /** client_id -> id from the ok ack. */
  readonly acked = new Map<string, number>();
  readonly errors: unknown[] = [];
  /** id -> times received, per channel. */
  readonly live = new Map<number, number>();
  readonly synced = new Map<number, number>();
  /** The sync cursor: the last id from sync pages (live events do not move it, so no gap is skipped). */
  private cursor = 0;
  /** Only resend, create nothing new (the end of the run). */
  finishing = false;
  emits = 0;
  resends = 0;
  duplicateAcks = 0;
  unansweredAtKill = 0;

  constructor(
    readonly user: UserSpec,
    private readonly random: () => number,
    private readonly all: Map<string, Sent>,
  ) {}

  /** Connects, verifies and catches up with sync from the cursor. */
  async connect(url: string): Promise<void> {
    await Promise.all(this.lanes);
    const socket: ClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    this.socket = socket;
    socket.on('message_from_user', (message) => this.live.set(message.id, (this.live.get(message.id) ?? 0) + 1));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const verified = await request(socket, 'verify_user', { user_type: this.user.role, user_name: this.user.name });
    if (verified.ok !== true) throw new Error(`verify ${this.user.name}: ${JSON.stringify(verified)}`);
    await this.resync(socket);
  }

  /** Starts the sends, unacknowledged messages first (same client_id). After connect(), once everyone is verified. */
  startLoad(): void {
    const socket = this.socket!;
    this.toSend = [...this.unacked.values()];
    this.lanes = Array.from({ length: WINDOW }, () => this.lane(socket));
  }

  /** One more resync on the current connection, for what was sent just before the load stopped. */
  catchUp(): Promise<void> {
    return this.resync(this.socket!);
  }

  private async resync(socket: ClientSocket): Promise<void> {
    for (;;) {
      const page = await request(socket, 'sync', {
        since: this.cursor,
        limit: 500,
      });
      if (!page.ok) throw new Error(`sync: ${JSON.stringify(page)}`);
      for (const message of page.messages) this.synced.set(message.id, (this.synced.get(message.id) ?? 0) + 1);
      if (page.messages.length > 0) this.cursor = page.messages.at(-1)!.id;
      if (!page.more) return;
    }
  }

  /** Resolves when every lane has stopped (the connection dropped, or nothing is left to finish). */
  stopped(): Promise<void> {
    return Promise.all(this.lanes).then(() => undefined);
  }

  close(): void {
    this.socket?.disconnect();
  }

  private next(): Sent | undefined {
    const resend = this.toSend.shift();
    if (resend) {
      this.resends += 1;
      return resend;
    }
    if (this.finishing) return undefined;
    const sent: Sent = {
      clientId: `${this.user.name}-${++this.seq}`,
      sender: this.user,
      recipients: this.user.targets[Math.floor(this.random() * this.user.targets.length)],
    };
    this.unacked.set(sent.clientId, sent);
    this.all.set(sent.clientId, sent);
    return sent;
  }

  private async lane(socket: ClientSocket): Promise<void> {
    while (socket.connected) {
      const sent = this.next();
      if (!sent) return;
      this.emits += 1;
      let ack: { ok: boolean; id?: number; duplicate?: boolean; error?: unknown };
      try {
        ack = await request(socket, 'send_message', { message: sent.clientId, recipients: sent.recipients, client_id: sent.clientId });
      } catch {
        // The server died with it in flight: stored or not, it is resent after reconnecting.
        this.unansweredAtKill += 1;
        return;
      }
      if (!ack.ok) {
        this.errors.push(ack);
        continue;
      }
      if (this.acked.has(sent.clientId) && this.acked.get(sent.clientId) !== ack.id) {
        this.errors.push({ clientId: sent.clientId, firstId: this.acked.get(sent.clientId), laterId: ack.id });
      }
      this.acked.set(sent.clientId, ack.id!);
      if (ack.duplicate) this.duplicateAcks += 1;
      this.unacked.delete(sent.clientId);
    }
  }
}

describe('crash safety', () => {
  let dir: string;
  let server: ChildServer | undefined;
  const clients: LoadClient[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`loses and doubles no acknowledged message over ${KILLS} SIGKILLs under load (seed ${SEED})`, async () => {
    const started = Date.now();
    const random = seeded(SEED);
    const sqlitePath = join(dir, 'parley.sqlite');
    let startingMs = 0;
    const start = async () => {
      const begun = Date.now();
      const child = await startChildServer({ PARLEY_AUTH: 'open', PARLEY_SQLITE_PATH: sqlitePath, PARLEY_LOG_LEVEL: 'error' });
      startingMs += Date.now() - begun;
      return child;
    };
    const all = new Map<string, Sent>();
    clients.push(...USERS.map((user) => new LoadClient(user, random, all)));
    /** Acked messages a client still lacked after the resync that followed a kill. */
    const gaps: string[] = [];

    // In open mode an account exists from its first verify: everyone verifies before anyone sends.
    const connectAll = async () => {
      await Promise.all(clients.map((client) => client.connect(server!.url)));
    };
    const startLoad = () => clients.forEach((client) => client.startLoad());
    server = await start();
    await connectAll();
    startLoad();
    for (let kill = 1; kill <= KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, MIN_RUN_MS + random() * (MAX_RUN_MS - MIN_RUN_MS)));
      server.child.kill('SIGKILL');
      expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
      await Promise.all(clients.map((client) => client.stopped()));
      const ackedBeforeKill = clients.flatMap((client) => [...client.acked].map(([clientId, id]) => ({ sent: all.get(clientId)!, id })));

      server = await start();
      // Reconnecting resyncs from the cursor; after it, everything acked before the kill is there.
      await connectAll();
      for (const client of clients) {
        for (const { sent, id } of ackedBeforeKill) {
          if (visibleTo(sent, client.user) && !client.live.has(id) && !client.synced.has(id)) {
            gaps.push(`kill ${kill}: ${client.user.name} never got ${sent.clientId} (#${id})`);
          }
        }
      }
      startLoad();
    }

    // The end: resend whatever is still unacknowledged, create nothing new, catch up once more.
    for (const client of clients) client.finishing = true;
    await Promise.all(clients.map((client) => client.stopped()));
    for (const client of clients) expect([...client.unacked.keys()]).toEqual([]);
    expect(clients.flatMap((client) => client.errors)).toEqual([]);
    expect(gaps).toEqual([]);

    const ackedId = new Map(clients.flatMap((client) => [...client.acked]));
    expect(ackedId.size).toBe(all.size);
    expect(new Set(ackedId.values()).size).toBe(ackedId.size);

    let syncDeliveries = 0;
    let liveDeliveries = 0;
    for (const client of clients) {
      await client.catchUp();
      const expected = [...all.values()].filter((m) => visibleTo(m, client.user)).map((m) => ackedId.get(m.clientId)!);
      const received = new Set([...client.live.keys(), ...client.synced.keys()]);
      // Every acked message it should see arrived, live or by resync, and no channel brought one twice.
      expect(expected.filter((id) => !received.has(id))).toEqual([]);
      expect([...client.live].filter(([, times]) => times > 1)).toEqual([]);
      expect([...client.synced].filter(([, times]) => times > 1)).toEqual([]);
      syncDeliveries += client.synced.size;
      liveDeliveries += client.live.size;

      // A fresh client replays exactly the acked messages this user may see, each once, with the acked ids.
      const fresh = await replayAll(server.url, client.user);
      expect(fresh.map((m) => m.id)).toEqual([...expected].sort((a, b) => a - b));
      for (const message of fresh) expect(ackedId.get(message.client_id!)).toBe(message.id);
    }

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });

    // The file itself: one row per acknowledged message, no (sender, client_id) twice.
    const db = new SqliteDatabase(sqlitePath, { readonly: true });
    try {
      const rows = db.prepare('select id, client_id from messages').all() as Array<{ id: number; client_id: string }>;
      expect(rows.length).toBe(ackedId.size);
      expect(new Map(rows.map((row) => [row.client_id, row.id]))).toEqual(ackedId);
    } finally {
      db.close();
    }

    const figures: Figures = {
      kills: KILLS,
      seed: SEED,
      emits: sum(clients, (c) => c.emits),
      resends: sum(clients, (c) => c.resends),
      messages: all.size,
      acked: ackedId.size,
      ackedOnResendAsDuplicate: sum(clients, (c) => c.duplicateAcks),
      unansweredAtKill: sum(clients, (c) => c.unansweredAtKill),
      liveDeliveries,
      syncDeliveries,
      storedRowsChecked: ackedId.size,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      secondsStartingServers: Math.round(startingMs / 100) / 10,
    };
    console.log(`crash safety: ${JSON.stringify(figures)}`);
    const artifacts = join(__dirname, '..', 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'crash-safety.json'), `${JSON.stringify(figures, null, 2)}\n`);
  }, TEST_TIMEOUT_MS);

  async function openSocket(url: string, user: UserSpec): Promise<ClientSocket> {
    const socket: ClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const verified = await request(socket, 'verify_user', { user_type: user.role, user_name: user.name });
    if (verified.ok !== true) throw new Error(`verify ${user.name}: ${JSON.stringify(verified)}`);
    return socket;
  }

  async function replayAll(url: string, user: UserSpec): Promise<WireMessage[]> {
    const socket = await openSocket(url, user);
    try {
      const messages: WireMessage[] = [];
      for (let since = 0; ; ) {
        const page = await requestOk(socket, 'sync', { since, limit: 500 });
        messages.push(...page.messages);
        if (!page.more || page.messages.length === 0) return messages;
        since = page.messages.at(-1)!.id;
      }
    } finally {
      socket.disconnect();
    }
  }
});

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
