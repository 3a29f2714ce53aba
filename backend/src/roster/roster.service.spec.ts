import { Rooms } from '../realtime/broadcaster.service';
import { UserRegistryService } from '../registry/user-registry.service';
import { userRow as user } from '../storage/testing/fixtures';
import { newTestService, type ServiceMocks } from '../testing/new-test-service';
import { RosterService } from './roster.service';

// A single node: the bus has no one to talk to (the cluster is tested in test/cluster.e2e-spec.ts).
describe('RosterService', () => {
  let registry: UserRegistryService;
  let mocks: ServiceMocks;
  let roster: RosterService;
  /** Rooms with a socket on this node, as the test says. */
  let occupied: Set<string>;
  /** What went out on the wire; the roster is this node's own, so only ever to its own sockets. */
  const sent = () =>
    mocks.broadcaster.emitLocal.mock.calls.map(([rooms, event, payload]) => ({
      rooms,
      event,
      payload: payload as any, // eslint-disable-line @typescript-eslint/no-explicit-any -- test inspection
    }));

  beforeEach(() => {
    jest.useFakeTimers();
    const service = newTestService(RosterService, { env: { PARLEY_ROSTER_INTERVAL_MS: '100' } });
    ({ sut: roster, mocks } = service);
    registry = service.get(UserRegistryService);
    occupied = new Set<string>([Rooms.rosterDiff, Rooms.rosterLegacy]);
    mocks.broadcaster.emitLocal.mockReturnValue(undefined);
    mocks.broadcaster.localRoomSize.mockImplementation((room) => (occupied.has(room) ? 1 : 0));
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
    expect(sent()).toEqual([]);
    jest.advanceTimersByTime(100);
    const diffs = sent().filter((s) => s.event === 'roster_diff');
    const maps = sent().filter((s) => s.event === 'update_web_app');
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
    const last = sent().filter((s) => s.event === 'roster_diff').at(-1)!.payload;
    expect(last.upserted.map((e: { socket_id: string }) => e.socket_id)).toEqual(['s10']);
    expect(last.removed).toEqual(['s3']);
    expect(last.version).toBe(2);
  });

  it('reports a socket that came and went within one window only as removed', () => {
    join(1);
    registry.disconnect('s1');
    jest.advanceTimersByTime(100);
    const diff = sent().find((s) => s.event === 'roster_diff')!.payload;
    expect(diff).toEqual({ version: 1, upserted: [], removed: ['s1'] });
  });

  it('builds the full map only when a prototype admin is listening', () => {
    occupied.delete(Rooms.rosterLegacy);
    join(1);
    jest.advanceTimersByTime(100);
    expect(sent().map((s) => s.event)).toEqual(['roster_diff']);
  });

  it('does nothing when nothing changed', () => {
    jest.advanceTimersByTime(1000);
    roster.flush();
    expect(sent()).toEqual([]);
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
