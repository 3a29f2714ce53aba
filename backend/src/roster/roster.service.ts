import { randomUUID } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Subject, type Subscription } from 'rxjs';
import { NodeBus } from '../cluster/node-bus.service';
import { AppConfig } from '../config/app-config';
import { type LegacyRosterEntry, type RosterDiffPayload, type RosterEntry, type RosterSnapshotAck, ServerEvents, type UpdateWebAppPayload } from '@parley/contract';
import { Broadcaster, Rooms } from '../realtime/broadcaster.service';
import { UserRegistryService } from '../registry/user-registry.service';
import { legacyFromRosterEntry, toLegacyEntry, toRosterEntry } from './roster.mapper';

/** Between nodes: one node's coalesced changes, its whole roster, or "I am alive / leaving". */
export const RosterBusEvents = {
  Diff: 'parley:roster:diff',
  State: 'parley:roster:state',
  Alive: 'parley:roster:alive',
  Bye: 'parley:roster:bye',
} as const;

/**
 * Every message between nodes says which run of which node sent it (`boot`, new at each start)
 * and how far along that run's changes it is (`seq`), so a node never applies an older state
 * over a newer one, and notices a peer that restarted under the same name.
 */
interface PeerStamp {
  node: string;
  boot: string;
  seq: number;
}

interface PeerDiff extends PeerStamp {
  upserted: RosterEntry[];
  removed: string[];
}

interface PeerState extends PeerStamp {
  entries: RosterEntry[];
}

interface Peer {
  boot: string;
  /** The newest change of this peer that is applied here. */
  seq: number;
  entries: Map<string, RosterEntry>;
  heardAt: number;
  /** False until its whole roster arrived; diffs until then are also kept to replay on it. */
  synced: boolean;
  pending: PeerDiff[];
}

/** A node silent for this many heartbeats is taken for dead and its connections dropped. */
const MISSED_HEARTBEATS = 3;

/**
 * Keeps admins' rosters current without work growing with the square of connections: changes
 * are collected for a short window, then each admin room gets one emit: a diff of only the
 * changed sockets for Parley clients, the full map for prototype pages (which need it).
 *
 * In a cluster every node also sends its diffs to the others and keeps their connections, so
 * each node serves its own admins the whole cluster, each entry with its node's name. A node
 * that stops says so; one that dies is dropped when its heartbeats stop.
 */
@Injectable()
export class RosterService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy {
  private version = 0;
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private subscription: Subscription | null = null;
  private readonly peers = new Map<string, Peer>();
  private readonly boot = randomUUID();
  private seq = 0;
  private syncing: Promise<void> | null = null;
  /** Verified sockets per user name on the other nodes. */
  private readonly peerSockets = new Map<string, number>();
  private readonly peerPresenceSubject = new Subject<string>();
  /** A user name whose sockets on other nodes changed (came, or went). */
  readonly peerPresence$ = this.peerPresenceSubject.asObservable();

  constructor(
    private readonly registry: UserRegistryService,
    private readonly broadcaster: Broadcaster,
    private readonly config: AppConfig,
    private readonly bus: NodeBus,
  ) {}

  onModuleInit(): void {
    this.subscription = this.registry.changes$.subscribe((change) => {
      if (change.kind === 'upsert') {
        this.changed.add(change.connection.socketId);
        this.removed.delete(change.connection.socketId);
      } else {
        this.changed.delete(change.socketId);
        this.removed.add(change.socketId);
      }
      this.timer ??= setTimeout(() => this.flush(), this.config.values.PARLEY_ROSTER_INTERVAL_MS);
    });
    this.bus.subscribe(RosterBusEvents.Diff, (payload) => this.applyPeerDiff(payload as PeerDiff));
    this.bus.subscribe(RosterBusEvents.State, (_payload, reply) => reply?.({ ...this.stamp(), entries: this.localEntries() } satisfies PeerState));
    this.bus.subscribe(RosterBusEvents.Alive, (payload) => void this.heardFrom(payload as PeerStamp));
    this.bus.subscribe(RosterBusEvents.Bye, (payload) => {
      const { node, boot } = payload as PeerStamp;
      if (this.peers.get(node)?.boot === boot) this.dropPeer(node);
    });
  }

  /** Joining a cluster: learn the other nodes' connections, then keep saying we are alive. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.bus.clustered) return;
    const interval = this.config.values.PARLEY_CLUSTER_HEARTBEAT_MS;
    this.heartbeat = setInterval(() => {
      this.bus.publish(RosterBusEvents.Alive, this.stamp());
      this.dropSilentPeers(Date.now() - MISSED_HEARTBEATS * interval);
    }, interval);
    this.heartbeat.unref();
    await this.syncPeers();
  }

  /** Leaving: the other nodes drop this node's connections now rather than after a timeout. */
  onApplicationShutdown(): void {
    this.bus.publish(RosterBusEvents.Bye, this.stamp());
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    this.peerPresenceSubject.complete();
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  snapshot(): RosterSnapshotAck {
    return { version: this.version, connections: [...this.localEntries(), ...this.peerEntries()] };
  }

  legacySnapshot(): UpdateWebAppPayload {
    const users: Record<string, LegacyRosterEntry> = {};
    for (const connection of this.registry.all()) users[connection.socketId] = toLegacyEntry(connection);
    for (const entry of this.peerEntries()) users[entry.socket_id] = legacyFromRosterEntry(entry);
    // The prototype sends this text on every roster change, connects and disconnects alike.
    return { message: 'USER CONNECTED', users };
  }

  /** Sends pending changes now. Runs on the timer; public so shutdown and tests can force it. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.changed.size === 0 && this.removed.size === 0) return;
    const upserted = [];
    for (const socketId of this.changed) {
      const connection = this.registry.get(socketId);
      if (connection) upserted.push(toRosterEntry(connection, this.bus.nodeName));
    }
    const removed = [...this.removed];
    this.changed.clear();
    this.removed.clear();
    this.seq += 1;
    this.bus.publish(RosterBusEvents.Diff, { ...this.stamp(), upserted, removed } satisfies PeerDiff);
    this.emit(upserted, removed);
  }

  /** Whether the user has a verified socket on another node. */
  isOnlineOnPeers(username: string): boolean {
    return (this.peerSockets.get(username) ?? 0) > 0;
  }

  private emit(upserted: RosterEntry[], removed: string[]): void {
    this.version += 1;
    const diff: RosterDiffPayload = { version: this.version, upserted, removed };
    if (this.broadcaster.localRoomSize(Rooms.rosterDiff) > 0) {
      this.broadcaster.emitLocal([Rooms.rosterDiff], ServerEvents.RosterDiff, diff);
    }
    if (this.broadcaster.localRoomSize(Rooms.rosterLegacy) > 0) {
      this.broadcaster.emitLocal([Rooms.rosterLegacy], ServerEvents.UpdateWebApp, this.legacySnapshot());
    }
  }

  private localEntries(): RosterEntry[] {
    return [...this.registry.all()].map((connection) => toRosterEntry(connection, this.bus.nodeName));
  }

  private peerEntries(): RosterEntry[] {
    return [...this.peers.values()].flatMap((peer) => [...peer.entries.values()]);
  }

  private stamp(): PeerStamp {
    return { node: this.bus.nodeName, boot: this.boot, seq: this.seq };
  }

  /** The peer as this message's run of it; a new run under a known name replaces the old. */
  private peerFor(stamp: PeerStamp): Peer {
    const known = this.peers.get(stamp.node);
    if (known && known.boot === stamp.boot) return known;
    if (known) this.dropPeer(stamp.node);
    const peer: Peer = { boot: stamp.boot, seq: 0, entries: new Map(), heardAt: Date.now(), synced: false, pending: [] };
    this.peers.set(stamp.node, peer);
    return peer;
  }

  private applyPeerDiff(diff: PeerDiff): void {
    if (diff.node === this.bus.nodeName) return;
    const peer = this.peerFor(diff);
    peer.heardAt = Date.now();
    if (!peer.synced) {
      peer.pending.push(diff);
      // Its whole roster is on the way or will be asked for; apply now, replay on it later.
      void this.syncPeers();
    }
    if (diff.seq <= peer.seq) return;
    peer.seq = diff.seq;
    for (const socketId of diff.removed) this.setPeerEntry(peer, socketId, undefined);
    for (const entry of diff.upserted) this.setPeerEntry(peer, entry.socket_id, entry);
    this.emit(diff.upserted, diff.removed);
  }

  /** A heartbeat: a peer not yet (or no longer) fully known here is asked for its roster. */
  private async heardFrom(stamp: PeerStamp): Promise<void> {
    if (stamp.node === this.bus.nodeName) return;
    const peer = this.peerFor(stamp);
    peer.heardAt = Date.now();
    if (!peer.synced) await this.syncPeers();
  }

  /** One request at a time to every other node for its whole roster. */
  private syncPeers(): Promise<void> {
    this.syncing ??= this.requestStates().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async requestStates(): Promise<void> {
    const answers = (await this.bus.request(RosterBusEvents.State, this.stamp())) as PeerState[];
    for (const state of answers) {
      if (state.node === this.bus.nodeName) continue;
      const peer = this.peerFor(state);
      peer.heardAt = Date.now();
      // Diffs applied meanwhile may be newer than this answer: rebuild from the answer, then
      // replay only what came after it.
      const newer = peer.pending.filter((diff) => diff.seq > state.seq);
      const rebuilt = new Map(state.entries.map((entry) => [entry.socket_id, entry]));
      for (const diff of newer) {
        for (const socketId of diff.removed) rebuilt.delete(socketId);
        for (const entry of diff.upserted) rebuilt.set(entry.socket_id, entry);
      }
      const removed = [...peer.entries.keys()].filter((socketId) => !rebuilt.has(socketId));
      for (const socketId of removed) this.setPeerEntry(peer, socketId, undefined);
      for (const entry of rebuilt.values()) this.setPeerEntry(peer, entry.socket_id, entry);
      peer.seq = Math.max(state.seq, ...newer.map((diff) => diff.seq));
      peer.synced = true;
      peer.pending = [];
      if (rebuilt.size > 0 || removed.length > 0) this.emit([...rebuilt.values()], removed);
    }
  }

  /** The one place peer entries change, so the per-user counts and presence follow them. */
  private setPeerEntry(peer: Peer, socketId: string, entry: RosterEntry | undefined): void {
    const touched = new Set<string>();
    const count = (e: RosterEntry | undefined, delta: number) => {
      if (!e?.user_name || e.verification !== 'VERIFIED') return;
      const next = (this.peerSockets.get(e.user_name) ?? 0) + delta;
      if (next > 0) this.peerSockets.set(e.user_name, next);
      else this.peerSockets.delete(e.user_name);
      touched.add(e.user_name);
    };
    count(peer.entries.get(socketId), -1);
    if (entry) peer.entries.set(socketId, entry);
    else peer.entries.delete(socketId);
    count(entry, +1);
    for (const username of touched) this.peerPresenceSubject.next(username);
  }

  private dropSilentPeers(before: number): void {
    for (const [node, peer] of this.peers) if (peer.heardAt < before) this.dropPeer(node);
  }

  private dropPeer(node: string): void {
    const peer = this.peers.get(node);
    if (!peer) return;
    const gone = [...peer.entries.keys()];
    for (const socketId of gone) this.setPeerEntry(peer, socketId, undefined);
    this.peers.delete(node);
    if (gone.length > 0) this.emit([], gone);
  }
}
