import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run bench -- --smoke`: tiny numbers, checked only for completing and losing nothing.
 * Speed is the benchmark's business (docs/performance.md), never a test's.
 * Needs the production build (`npm test` builds it first).
 */
interface SearchRun {
  queries: Record<string, { mean_results: number }>;
  index_bytes_per_message: number;
  inserts: { indexed_per_sec: number; unindexed_per_sec: number };
}

interface BackupRun {
  stored_messages: number;
  restored_messages: number;
  backup_bytes: number;
  delivery: { failed: number; before: { count: number } };
}

describe('the benchmark (smoke size)', () => {
  it('runs every scenario (with the read-path attack and search on both databases) against the baseline and Parley, and one vs two nodes, and loses or doubles nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'parley-bench-results-'));
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [join(__dirname, '..', 'bench', 'run.mjs'), '--smoke', '--nodes', '2', '--results-dir', out], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      const file = readdirSync(out).find((name) => name.endsWith('.json'))!;
      const results = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
        scenarios: Record<string, { baseline?: Record<string, number>; parley: Record<string, number> }>;
        scaling: { nodes: number; one: Record<string, Record<string, number>>; many: Record<string, Record<string, number>> };
      };
      expect(Object.keys(results.scenarios).sort()).toEqual(['abuse', 'backup', 'channel', 'dm', 'export', 'files', 'group', 'group-fixed', 'history', 'idle', 'join', 'search']);
      // A backup was taken on both databases while the probe was sending, and restored whole.
      const backedUp = results.scenarios.backup.parley as unknown as Record<'sqlite' | 'postgres', BackupRun>;
      for (const run of [backedUp.sqlite, backedUp.postgres]) {
        expect(run.backup_bytes).toBeGreaterThan(0);
        expect(run.restored_messages).toBeGreaterThanOrEqual(run.stored_messages);
        expect(run.delivery.before.count).toBeGreaterThan(0);
        expect(run.delivery.failed).toBe(0);
      }
      // The file went up and came back through both servers, and Parley's memory was sampled.
      const files = results.scenarios.files as unknown as Record<'baseline' | 'parley', Record<string, number>>;
      expect(files.baseline.upload_mb_per_sec).toBeGreaterThan(0);
      expect(files.parley.download_mb_per_sec).toBeGreaterThan(0);
      expect(files.parley.rss_peak_mb).toBeGreaterThan(0);
      // The read-path attack ran, was answered (and refused past the limits), and the bystanders lost nothing.
      expect(results.scenarios.abuse.parley).toMatchObject({ lost: 0 });
      expect(results.scenarios.abuse.parley.round_trips).toBeGreaterThan(0);
      expect(results.scenarios.abuse.parley.pages_answered).toBeGreaterThan(0);
      expect(results.scenarios.abuse.parley.peak_rss_mb).toBeGreaterThan(0);
      // The export streamed every stored message, at both sizes.
      const exported = results.scenarios.export.parley as unknown as Record<'small' | 'large', Record<string, number>>;
      expect([exported.small.messages, exported.large.messages]).toEqual([200, 2000]);
      expect(exported.large.peak_rss_mb).toBeGreaterThan(0);
      // Search ran on both databases after their index was built: the word is found, the index
      // takes room, and inserts were timed with and without it.
      const searched = results.scenarios.search.parley as unknown as Record<'sqlite' | 'postgres', SearchRun>;
      for (const run of [searched.sqlite, searched.postgres]) {
        expect(run.queries.word.mean_results).toBeGreaterThan(0);
        expect(run.index_bytes_per_message).toBeGreaterThan(0);
        expect(run.inserts.indexed_per_sec).toBeGreaterThan(0);
        expect(run.inserts.unindexed_per_sec).toBeGreaterThan(0);
      }
      for (const scenario of ['group', 'channel', 'dm', 'group-fixed']) {
        for (const server of ['baseline', 'parley'] as const) {
          expect(results.scenarios[scenario][server]).toMatchObject({ lost: 0, doubled: 0 });
          expect(results.scenarios[scenario][server]!.messages_acked).toBeGreaterThan(0);
        }
      }
      expect(results.scaling.nodes).toBe(2);
      for (const run of [results.scaling.one, results.scaling.many]) {
        for (const scenario of ['group', 'dm']) {
          expect(run[scenario]).toMatchObject({ lost: 0, doubled: 0 });
          expect(run[scenario].messages_acked).toBeGreaterThan(0);
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
