import { AppConfig } from '../config/app-config';
import { ClusterService } from '../cluster/cluster.service';
import { NodeBus } from '../cluster/node-bus.service';
import type { Broadcaster } from '../realtime/broadcaster.service';
import { Rooms } from '../realtime/broadcaster.service';
import { UserRegistryService } from '../registry/user-registry.service';
import { userRow as user } from '../storage/testing/fixtures';
import { RosterService } from './roster.service';

/** Records what would go out on the wire; rooms are "occupied" as the test says. */
class RecordingBroadcaster {
  readonly sent: Array<{ rooms: string[]; event: string; payload: any }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- test inspection
  occupied = new Set<string>([Rooms.rosterDiff, Rooms.rosterLegacy]);
  /** The roster is this node's own, so it only ever goes to this node's sockets. */
  emitLocal(rooms: string[], event: string, payload: unknown) {
    this.sent.push({ rooms, event, payload });
  }
  whenAttached() {}
  localRoomSize(room: string) {
    return this.occupied.has(room) ? 1 : 0;
  }
}

describe('RosterService', () => {
  let registry: UserRegistryService;
  let broadcaster: RecordingBroadcaster;
  let roster: RosterService;

  beforeEach(() => {
    jest.useFakeTimers();
    registry = new UserRegistryService();
    broadcaster = new RecordingBroadcaster();
    roster = new RosterService(
      registry,
      broadcaster as unknown as Broadcaster,
      AppConfig.fromEnv({ PARLEY_ROSTER_INTERVAL_MS: '100' }),
      // A single node: the bus has no one to talk to (the cluster is tested in test/cluster.e2e-spec.ts).
      new NodeBus(
        AppConfig.fromEnv({ PARLEY_NODE_NAME: 'solo' }),
        new ClusterService(AppConfig.fromEnv({})),
        broadcaster as unknown as Broadcaster,
      ),
    );
    roster.onModuleInit();
  });
  afterEach(() => {
    roster.onModuleDestroy();
    jest.useRealTimers();
  });

  const join = (i: number) => {
    registry.connect({ socketId: `s${i}`, ip: '10.0.0.1', userAgent: 'ua', sessionId: null });
    registry.verify(`s${i}`, user(i));
  };

  it('turns a burst of 1,000 joins inside one window into one diff and one full map', () => {
    for (let i = 0; i < 1000; i++) join(i);
    expect(broadcaster.sent).toEqual([]);
    jest.advanceTimersByTime(100);
    const diffs = broadcaster.sent.filter((s) => s.event === 'roster_diff');
    const maps = broadcaster.sent.filter((s) => s.event === 'update_web_app');
    expect(diffs).toHaveLength(1);
    expect(maps).toHaveLength(1);
    expect(diffs[0].payload.upserted).toHaveLength(1000);
    expect(Object.keys(maps[0].payload.users)).toHaveLength(1000);
  });

  it('sends only what changed since the last flush', () => {
    for (let i = 0; i < 10; i++) join(i);
    jest.advanceTimersByTime(100);
    join(10);
    registry.disconnect('s3');
    jest.advanceTimersByTime(100);
    const last = broadcaster.sent.filter((s) => s.event === 'roster_diff').at(-1)!.payload;
    expect(last.upserted.map((e: { socket_id: string }) => e.socket_id)).toEqual(['s10']);
    expect(last.removed).toEqual(['s3']);
    expect(last.version).toBe(2);
  });

  it('reports a socket that came and went within one window only as removed', () => {
    join(1);
    registry.disconnect('s1');
    jest.advanceTimersByTime(100);
    const diff = broadcaster.sent.find((s) => s.event === 'roster_diff')!.payload;
    expect(diff).toEqual({ version: 1, upserted: [], removed: ['s1'] });
  });

  it('builds the full map only when a prototype admin is listening', () => {
    broadcaster.occupied.delete(Rooms.rosterLegacy);
    join(1);
    jest.advanceTimersByTime(100);
    expect(broadcaster.sent.map((s) => s.event)).toEqual(['roster_diff']);
  });

  it('does nothing when nothing changed', () => {
    jest.advanceTimersByTime(1000);
    roster.flush();
    expect(broadcaster.sent).toEqual([]);
  });

  it('snapshots every connection with the current version', () => {
    join(1);
    join(2);
    jest.advanceTimersByTime(100);
    const snapshot = roster.snapshot();
    expect(snapshot.version).toBe(1);
    expect(snapshot.connections.map((c) => c.socket_id)).toEqual(['s1', 's2']);
  });
});
