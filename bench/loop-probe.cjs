// Loaded with --require into both servers (the baseline and every Parley process) by
// bench/run.mjs: their event loops' delay, measured the same way in each. On SIGUSR2 it writes
// what it saw since the last SIGUSR2 to PARLEY_BENCH_LOOP_FILE.<pid> and starts afresh. The
// delay of a 5 ms timer is how long the loop was blocked (work, or a synchronous fsync).
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { renameSync, writeFileSync } = require('node:fs');

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
process.on('SIGUSR2', () => {
  const file = `${process.env.PARLEY_BENCH_LOOP_FILE}.${process.pid}`;
  const ms = (ns) => ns / 1e6;
  const seen = { p50_ms: ms(histogram.percentile(50)), p99_ms: ms(histogram.percentile(99)), max_ms: ms(histogram.max), samples: histogram.count };
  histogram.reset();
  writeFileSync(`${file}.tmp`, JSON.stringify(seen));
  renameSync(`${file}.tmp`, file);
});
