import { AuditActions } from '@parley/contract';
import type { UserRow } from '../storage/database.types';
import { StorageCompactor } from '../storage/storage-compactor';
import { newTestService } from '../testing/new-test-service';
import { PURGE_BATCH, RetentionJob } from './retention-job.service';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 2);
const cleo = { id: 9, username: 'cleo' } as UserRow;

function setUp(env: Record<string, string> = { PARLEY_RETENTION_DAYS: '30' }) {
  const test = newTestService(RetentionJob, { env });
  const { mocks } = test;
  mocks.retention.exclusivePass.mockImplementation((pass) => pass());
  mocks.retention.listOverrides.mockResolvedValue([
    { conversation: 'group:client', days: 7, updated_at: 0, updated_by: 'ada' },
    { conversation: 'dm:1:2', days: 0, updated_at: 0, updated_by: 'ada' },
    { conversation: 'team:staff:9', days: 2, updated_at: 0, updated_by: 'ada' },
  ]);
  mocks.user.findById.mockResolvedValue(cleo);
  mocks.audit.insert.mockResolvedValue({} as never);
  // After a pass that removed messages, their files' copies are looked for (none here).
  mocks.file.orphanBlobs.mockResolvedValue([]);
  const compact = jest.spyOn(test.get(StorageCompactor), 'request').mockReturnValue(undefined);
  return { ...test, compact };
}

describe('RetentionJob', () => {
  it('purges each override with days, then the rest with the global days, in batches until one comes back short', async () => {
    const { sut, mocks, compact } = setUp();
    // group:client: two full batches and a short one; team: nothing; the rest: one short batch.
    const removed = [PURGE_BATCH, PURGE_BATCH, 5, 0, 3];
    mocks.retention.purgeBatch.mockImplementation(async () => removed.shift()!);

    expect(await sut.runPass(NOW)).toEqual([
      { conversation: 'group:client', days: 7, cutoff: NOW - 7 * DAY_MS, removed: 2 * PURGE_BATCH + 5 },
      { conversation: 'team:staff:cleo', days: 2, cutoff: NOW - 2 * DAY_MS, removed: 0 },
      { days: 30, cutoff: NOW - 30 * DAY_MS, removed: 3 },
    ]);
    expect(mocks.retention.purgeBatch.mock.calls).toEqual([
      [{ conversation: 'group:client' }, NOW - 7 * DAY_MS, PURGE_BATCH],
      [{ conversation: 'group:client' }, NOW - 7 * DAY_MS, PURGE_BATCH],
      [{ conversation: 'group:client' }, NOW - 7 * DAY_MS, PURGE_BATCH],
      [{ conversation: 'team:staff:9' }, NOW - 2 * DAY_MS, PURGE_BATCH],
      [{ withoutOverride: true }, NOW - 30 * DAY_MS, PURGE_BATCH],
    ]);
    // Audited only where something went; the text never appears, the cut-off does.
    expect(mocks.audit.insert.mock.calls.map(([row]) => [row.action, row.actor_username, row.target, JSON.parse(row.details)])).toEqual([
      [AuditActions.RetentionPurged, 'parley', 'group:client', { removed: 2 * PURGE_BATCH + 5, days: 7, cutoff: new Date(NOW - 7 * DAY_MS).toISOString(), setting: 'override' }],
      [AuditActions.RetentionPurged, 'parley', null, { removed: 3, days: 30, cutoff: new Date(NOW - 30 * DAY_MS).toISOString(), setting: 'PARLEY_RETENTION_DAYS' }],
    ]);
    expect(compact).toHaveBeenCalledTimes(1);
  });

  it('without PARLEY_RETENTION_DAYS keeps everything but overridden conversations; nothing removed, nothing audited or compacted', async () => {
    const { sut, mocks, compact } = setUp({});
    mocks.retention.purgeBatch.mockResolvedValue(0);
    expect((await sut.runPass(NOW))!.map((r) => r.conversation)).toEqual(['group:client', 'team:staff:cleo']);
    expect(mocks.retention.purgeBatch.mock.calls.map(([scope]) => scope)).not.toContainEqual({ withoutOverride: true });
    expect(mocks.audit.insert).not.toHaveBeenCalled();
    expect(compact).not.toHaveBeenCalled();
  });

  it('skips the pass when another node holds it', async () => {
    const { sut, mocks } = setUp();
    mocks.retention.exclusivePass.mockResolvedValue(undefined);
    expect(await sut.runPass(NOW)).toBeUndefined();
  });

  it('stops between batches when the server shuts down, and shutdown waits for the batch in flight', async () => {
    const { sut, mocks } = setUp();
    mocks.retention.listOverrides.mockResolvedValue([]);
    let stopped: Promise<void> | undefined;
    mocks.retention.purgeBatch.mockImplementation(async () => {
      if (mocks.retention.purgeBatch.mock.calls.length === 3) stopped = sut.beforeApplicationShutdown();
      return PURGE_BATCH;
    });
    const pass = sut.runPass(NOW);
    expect((await pass)![0].removed).toBe(3 * PURGE_BATCH);
    await stopped;
    expect(mocks.retention.purgeBatch).toHaveBeenCalledTimes(3);
  });

  it('runs a first pass soon after start, then one every PARLEY_RETENTION_INTERVAL_SECONDS, and no more after shutdown', async () => {
    jest.useFakeTimers();
    try {
      const { sut, mocks } = setUp({ PARLEY_RETENTION_INTERVAL_SECONDS: '600' });
      mocks.retention.purgeBatch.mockResolvedValue(0);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(29_000);
      expect(mocks.retention.exclusivePass).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1_000);
      expect(mocks.retention.exclusivePass).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(600_000);
      expect(mocks.retention.exclusivePass).toHaveBeenCalledTimes(2);
      await sut.beforeApplicationShutdown();
      await jest.advanceTimersByTimeAsync(3_600_000);
      expect(mocks.retention.exclusivePass).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
