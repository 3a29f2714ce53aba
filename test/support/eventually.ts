/**
 * Waits for a condition instead of for a time: the one poller of every test tier (whole-server,
 * browser, backend and web specs). No Node or jest imports, so the web specs' build can use it.
 */
export interface EventuallyOptions {
  /** Give up after this long; generous, as a slow CI run is not a failure. Default 5 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 10 ms. */
  intervalMs?: number;
  /** Names what was awaited, for a predicate that returns false rather than throwing. */
  what?: string;
}

/**
 * Calls `predicate` until it holds: returns anything but `false` without throwing, so both
 * `() => inbox.length === 1` and `() => expect(inbox).toEqual([...])` work, sync or async.
 * Resolves with what the predicate returned then. On timeout it rethrows the last attempt's
 * error, so a failing `expect` reports its own diff rather than "timed out".
 */
export async function eventually<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 10, what }: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const result = await predicate();
      if (result !== false) return result as Exclude<T, false>;
      failure = new Error(`${what ?? `condition ${predicate.toString()}`} still false after ${timeoutMs} ms`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() >= deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
